package web

import (
	"errors"
	"net/http"

	"github.com/microblog/microblog/internal/store"
	"github.com/microblog/microblog/internal/tasks"
)

// exportPosts starts exporting the user's posts in the background (chapter 22's
// /export_posts, a POST here since it starts work): the task, its first progress
// notification and the job are recorded in one transaction, and a second request while
// an export is incomplete — a double click, another tab — only gets a flash.
func (a *App) exportPosts(w http.ResponseWriter, r *http.Request) {
	ctx, s, me := r.Context(), dbSession(r), currentUser(r)
	back := userPath("/user/", me.Username)
	_, err := tasks.LaunchExport(ctx, a.queue, s, me.ID, a.localizer(r).Lang.Code)
	if errors.Is(err, store.ErrTaskInProgress) {
		s.Rollback(ctx)
		a.flash(r, a.T(r, "An export task is currently in progress"))
		http.Redirect(w, r, back, http.StatusFound)
		return
	}
	if err == nil {
		err = s.Commit(ctx)
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, back, http.StatusFound)
}
