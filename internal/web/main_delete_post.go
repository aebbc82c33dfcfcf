package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/microblog/microblog/internal/store"
)

// deletePost deletes one of the signed-in user's posts: POST /post/{id}/delete, sent by
// the confirmation under the post's Delete button. It returns to the page the post was
// on (the form's "next", a local path) with a flash. An id that is not a post of the
// user's — someone else's, deleted already, not a number — is the 404 page, whichever
// it is.
func (a *App) deletePost(w http.ResponseWriter, r *http.Request) {
	ctx, s, me := r.Context(), dbSession(r), currentUser(r)
	id, ok := postID(r.PathValue("id"))
	if !ok {
		a.notFound(w, r)
		return
	}
	if err := store.DeletePost(ctx, s, me.ID, id); errors.Is(err, store.ErrNoPost) {
		s.Rollback(ctx)
		a.notFound(w, r)
		return
	} else if err != nil {
		a.serverError(w, r, err)
		return
	}
	if err := s.Commit(ctx); err != nil {
		a.serverError(w, r, err)
		return
	}
	a.log.Info("post deleted", "post_id", id, "user_id", me.ID, "request_id", requestID(r))
	a.flash(r, a.T(r, "Your post has been deleted."))
	next := r.PostFormValue("next")
	if !localPath(next) {
		next = userPath("/user/", me.Username)
	}
	http.Redirect(w, r, next, http.StatusFound)
}

// postID reads a post id from a path: a positive decimal number in canonical form
// ("12", not "012" or "+12"), at most the largest int64.
func postID(s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != s {
		return 0, false
	}
	return id, true
}
