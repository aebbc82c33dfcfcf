package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/jobs"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
)

type profilePage struct {
	postsPage
	userCard
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
	var p profilePage
	if p.postsPage, err = a.paginate(r, userPath("/user/", u.Username), func(limit, offset int) ([]*models.Post, error) {
		return store.UserPosts(ctx, s, u, limit, offset)
	}, func(limit int, k store.Keyset) ([]*models.Post, bool, error) {
		return store.UserPostsFrom(ctx, s, u, limit, k)
	}); err == nil {
		if p.userCard, err = loadUserCard(ctx, s, me, u); err == nil && p.Own {
			p.Exporting, err = store.TaskInProgress(ctx, s, me.ID, jobs.KindExportPosts)
		}
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	a.render(w, r, http.StatusOK, "user", "", p)
}

// userCard is what the profile and the user popup show of a user besides its posts.
type userCard struct {
	User                 *models.User
	Own, IsFollowing     bool
	Followers, Following int
}

// loadUserCard reads u's follower and following counts and, unless u is me, whether me
// follows u.
func loadUserCard(ctx context.Context, s *database.Session, me, u *models.User) (userCard, error) {
	c := userCard{User: u, Own: u.ID == me.ID}
	var err error
	if c.Followers, err = store.FollowersCount(ctx, s, u); err == nil {
		if c.Following, err = store.FollowingCount(ctx, s, u); err == nil && !c.Own {
			c.IsFollowing, err = store.IsFollowing(ctx, s, me, u)
		}
	}
	return c, err
}
