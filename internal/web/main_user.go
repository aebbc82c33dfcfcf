package web

import (
	"errors"
	"net/http"

	"github.com/microblog/microblog/internal/jobs"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
)

type profilePage struct {
	postsPage
	User                 *models.User
	Own, IsFollowing     bool
	Followers, Following int
	// Exporting is true on one's own profile while an export of one's posts runs: the
	// export button is hidden until it completes.
	Exporting bool
}

func (a *App) userProfile(w http.ResponseWriter, r *http.Request) {
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
	p := profilePage{User: u, Own: u.ID == me.ID}
	if p.postsPage, err = a.paginate(r, userPath("/user/", u.Username), func(limit, offset int) ([]*models.Post, error) {
		return store.UserPosts(ctx, s, u, limit, offset)
	}); err == nil {
		if p.Followers, err = store.FollowersCount(ctx, s, u); err == nil {
			if p.Following, err = store.FollowingCount(ctx, s, u); err == nil && !p.Own {
				p.IsFollowing, err = store.IsFollowing(ctx, s, me, u)
			} else if err == nil {
				p.Exporting, err = store.TaskInProgress(ctx, s, me.ID, jobs.KindExportPosts)
			}
		}
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	a.render(w, r, http.StatusOK, "user", "", p)
}
