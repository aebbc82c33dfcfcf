package web

import (
	"net/http"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/store"
)

// taskAlert is one incomplete background task as base.html shows it: its description
// and a progress figure that static/js updates from task_progress notifications.
type taskAlert struct {
	ID          string
	Description string
	Progress    int
}

// userExtras reads what every page of a signed-in user shows besides its content: the
// unread message count (the navbar's badge, one indexed COUNT) and the tasks in progress
// (one alert each). Anonymous visitors and 5xx pages (the database may be what failed)
// get neither; a failure to read them is logged and leaves them out: they must not turn
// a page into an error.
func (a *App) userExtras(r *http.Request, status int) (unread int, alerts []taskAlert) {
	me := currentUser(r)
	if me == nil || status >= http.StatusInternalServerError {
		return 0, nil
	}
	s := dbSession(r)
	if s == nil || s.Pending() {
		// Reading through a session with changes not yet written would write them
		// (autoflush); read on a session of its own instead.
		s = a.db.NewSession()
		defer s.Close()
	}
	ctx := r.Context()
	unread, err := store.UnreadMessageCount(ctx, s, me)
	if err != nil {
		a.logExtras(r, "unread message count", err)
		return 0, nil
	}
	tasks, err := store.TasksInProgress(ctx, s, me.ID)
	if err != nil {
		a.logExtras(r, "tasks in progress", err)
		return unread, nil
	}
	alerts = make([]taskAlert, 0, len(tasks))
	for _, t := range tasks {
		al := taskAlert{ID: t.Task.ID, Progress: t.Progress}
		if t.Task.Description != nil {
			al.Description = *t.Task.Description
		}
		alerts = append(alerts, al)
	}
	return unread, alerts
}

// logExtras logs a page's failure to read its extras, unless the database is down (the
// outage is logged once by itself).
func (a *App) logExtras(r *http.Request, what string, err error) {
	if !database.IsUnavailable(err) {
		a.log.Warn(what, "err", err, "request_id", requestID(r))
	}
}
