package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
)

// avatarSize is the avatar size the tutorial's user dict links to.
const avatarSize = 128

// userDict is the tutorial's User.to_dict, keys in the order Flask sorts them into.
// Email is given only to the user it belongs to (the tutorial never gives it).
type userDict struct {
	Links          userLinks `json:"_links"`
	AboutMe        *string   `json:"about_me"`
	Email          *string   `json:"email,omitempty"`
	FollowerCount  int       `json:"follower_count"`
	FollowingCount int       `json:"following_count"`
	ID             int64     `json:"id"`
	LastSeen       *string   `json:"last_seen"`
	PostCount      int       `json:"post_count"`
	Username       string    `json:"username"`
}

type userLinks struct {
	Avatar    string `json:"avatar"`
	Followers string `json:"followers"`
	Following string `json:"following"`
	Posts     string `json:"posts"`
	Self      string `json:"self"`
}

func userPath(id int64) string { return "/api/users/" + strconv.FormatInt(id, 10) }

// userDicts renders users with their counts, read for the whole page at once
// (store.CountsOf: three queries, not three per user). me, when one of them, also sees
// its own e-mail address.
func (a *API) userDicts(ctx context.Context, s *database.Session, users []*models.User, me *models.User) ([]userDict, error) {
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	counts, err := store.CountsOf(ctx, s, ids)
	if err != nil {
		return nil, err
	}
	out := make([]userDict, len(users))
	for i, u := range users {
		c := counts[u.ID]
		self := userPath(u.ID)
		out[i] = userDict{
			Links: userLinks{Avatar: a.Avatar(u, avatarSize), Followers: self + "/followers", Following: self + "/following",
				Posts: self + "/posts", Self: self},
			AboutMe: u.AboutMe, FollowerCount: c.Followers, FollowingCount: c.Following, ID: u.ID,
			LastSeen: isoTime(u.LastSeen), PostCount: c.Posts, Username: u.Username,
		}
		if me != nil && me.ID == u.ID {
			email := u.Email
			out[i].Email = &email
		}
	}
	return out, nil
}

// userDict renders one user.
func (a *API) userDict(ctx context.Context, s *database.Session, u, me *models.User) (userDict, error) {
	d, err := a.userDicts(ctx, s, []*models.User{u}, me)
	if err != nil {
		return userDict{}, err
	}
	return d[0], nil
}

// isoTime writes a stored UTC time as Python's isoformat() does after the tutorial tags
// it UTC: microseconds, omitted when zero, and "+00:00". nil stays null (the tutorial
// fails on a user without last_seen).
func isoTime(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := isoformat(*t)
	return &s
}

func isoformat(t time.Time) string {
	t = t.UTC().Truncate(time.Microsecond)
	if t.Nanosecond() == 0 {
		return t.Format("2006-01-02T15:04:05+00:00")
	}
	return t.Format("2006-01-02T15:04:05.000000+00:00")
}

// userByID loads the path's user; on false the 404 (or error) has been written.
func (a *API) userByID(w http.ResponseWriter, r *http.Request) (*models.User, bool) {
	var u models.User
	err := session(r).Get(r.Context(), &u, pathID(r))
	if errors.Is(err, database.ErrNotFound) {
		a.notFound(w, r)
		return nil, false
	}
	if err != nil {
		a.serverError(w, r, err)
		return nil, false
	}
	return &u, true
}

// getUser is GET /api/users/<id>.
func (a *API) getUser(w http.ResponseWriter, r *http.Request) {
	u, ok := a.userByID(w, r)
	if !ok {
		return
	}
	d, err := a.userDict(r.Context(), session(r), u, caller(r))
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	writeGET(w, r, d)
}

// listUsers is GET /api/users: every user, by id.
func (a *API) listUsers(w http.ResponseWriter, r *http.Request) {
	a.userCollection(w, r, "/api/users", func(limit, offset int) ([]*models.User, int, error) {
		return store.UsersPage(r.Context(), session(r), limit, offset)
	})
}

// listFollowers is GET /api/users/<id>/followers, by id.
func (a *API) listFollowers(w http.ResponseWriter, r *http.Request) {
	u, ok := a.userByID(w, r)
	if !ok {
		return
	}
	a.userCollection(w, r, userPath(u.ID)+"/followers", func(limit, offset int) ([]*models.User, int, error) {
		return store.FollowersPage(r.Context(), session(r), u.ID, limit, offset)
	})
}

// listFollowing is GET /api/users/<id>/following, by id.
func (a *API) listFollowing(w http.ResponseWriter, r *http.Request) {
	u, ok := a.userByID(w, r)
	if !ok {
		return
	}
	a.userCollection(w, r, userPath(u.ID)+"/following", func(limit, offset int) ([]*models.User, int, error) {
		return store.FollowingPage(r.Context(), session(r), u.ID, limit, offset)
	})
}

// userCollection answers with one page of users read by page.
func (a *API) userCollection(w http.ResponseWriter, r *http.Request, path string, page func(limit, offset int) ([]*models.User, int, error)) {
	args := readPageArgs(r)
	users, total, err := page(args.limitOffset())
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	items, err := a.userDicts(r.Context(), session(r), users, caller(r))
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	writeGET(w, r, newCollection(path, args, items, total))
}
