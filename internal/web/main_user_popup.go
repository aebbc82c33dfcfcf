package web

import (
	"errors"
	"net/http"

	"github.com/microblog/microblog/internal/store"
)

// userPopup serves the user popup: an HTML fragment, not a page, rendered by
// html/template like the pages. Pending flashes are shown in it, so that following from
// the popup (whose form returns here, see setFollowing) says so in place.
func (a *App) userPopup(w http.ResponseWriter, r *http.Request) {
	ctx, s, me := r.Context(), dbSession(r), currentUser(r)
	u, err := store.UserByUsername(ctx, s, r.PathValue("username"))
	if errors.Is(err, store.ErrNoUser) {
		a.notFound(w, r)
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	// The card static/js/popup.js shows in a popover beside an author's name.
	p, err := loadUserCard(ctx, s, me, u)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	v := view{Me: me, Flashes: a.takeFlashes(r), Data: p, Lang: a.localizer(r).Lang.Code}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Counts and the follow button change with every follow: never from a cache.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if err := a.pages[v.Lang]["user_popup"].ExecuteTemplate(w, "popup", v); err != nil {
		a.log.Error("render", "page", "user_popup", "err", err, "request_id", requestID(r))
	}
}
