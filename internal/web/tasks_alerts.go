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

// taskAlerts lists the signed-in user's incomplete tasks for the page being rendered
// (none for anonymous visitors and error pages). A failure to read them is logged and
// leaves the alerts out: they must not turn a page into an error.
func (a *App) taskAlerts(r *http.Request, status int) []taskAlert {
	me := currentUser(r)
	if me == nil || status >= http.StatusInternalServerError {
		return nil
	}
	s := dbSession(r)
	if s == nil || s.Pending() {
		// Reading through a session with changes not yet written would write them
		// (autoflush); read on a session of its own instead.
		s = a.db.NewSession()
		defer s.Close()
	}
	tasks, err := store.TasksInProgress(r.Context(), s, me.ID)
	if err != nil {
		if !database.IsUnavailable(err) {
			a.log.Error("tasks in progress", "err", err, "request_id", requestID(r))
		}
		return nil
	}
	alerts := make([]taskAlert, 0, len(tasks))
	for _, t := range tasks {
		al := taskAlert{ID: t.Task.ID, Progress: t.Progress}
		if t.Task.Description != nil {
			al.Description = *t.Task.Description
		}
		alerts = append(alerts, al)
	}
	return alerts
}
