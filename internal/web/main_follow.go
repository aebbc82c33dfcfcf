package web

import (
	"errors"
	"net/http"

	"github.com/microblog/microblog/internal/store"
)

func (a *App) follow(w http.ResponseWriter, r *http.Request)   { a.setFollowing(w, r, true) }
func (a *App) unfollow(w http.ResponseWriter, r *http.Request) { a.setFollowing(w, r, false) }

// setFollowing follows or unfollows, then returns to the user's profile, or to next
// when it is a path on this site: the user popup (static/js/popup.js) sends its own
// address, so that the answer is the popup again, with the flash in it.
func (a *App) setFollowing(w http.ResponseWriter, r *http.Request, on bool) {
	ctx, s, me := r.Context(), dbSession(r), currentUser(r)
	name := r.PathValue("username")
	u, err := store.UserByUsername(ctx, s, name)
	if errors.Is(err, store.ErrNoUser) {
		a.flash(r, a.T(r, "User %s not found.", name))
		http.Redirect(w, r, "/index", http.StatusFound)
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	back := userPath("/user/", u.Username)
	if next := r.PostFormValue("next"); localPath(next) {
		back = next
	}
	if u.ID == me.ID {
		if on {
			a.flash(r, a.T(r, "You cannot follow yourself!"))
		} else {
			a.flash(r, a.T(r, "You cannot unfollow yourself!"))
		}
		http.Redirect(w, r, back, http.StatusFound)
		return
	}
	if on {
		err = store.Follow(ctx, s, me, u)
	} else {
		err = store.Unfollow(ctx, s, me, u)
	}
	if err == nil {
		err = s.Commit(ctx)
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if on {
		a.flash(r, a.T(r, "You are following %s!", u.Username))
	} else {
		a.flash(r, a.T(r, "You are not following %s.", u.Username))
	}
	http.Redirect(w, r, back, http.StatusFound)
}
