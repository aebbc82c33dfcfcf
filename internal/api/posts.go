package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
)

// postDict is a post as the API shows it (posts are ours; the tutorial's API has none),
// keys sorted like the tutorial's dicts.
type postDict struct {
	Links     postLinks  `json:"_links"`
	Author    postAuthor `json:"author"`
	Body      string     `json:"body"`
	ID        int64      `json:"id"`
	Language  *string    `json:"language"`
	Timestamp string     `json:"timestamp"`
}

type postLinks struct {
	Author string `json:"author"`
	Self   string `json:"self"`
}

type postAuthor struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
}

func postPath(id int64) string { return "/api/posts/" + strconv.FormatInt(id, 10) }

func newPostDict(p *models.Post) postDict {
	d := postDict{Links: postLinks{Author: userPath(p.UserID), Self: postPath(p.ID)},
		Author: postAuthor{ID: p.UserID}, Body: p.Body, ID: p.ID, Language: p.Language, Timestamp: isoformat(p.Timestamp)}
	if p.Author != nil {
		d.Author.Username = p.Author.Username
	}
	if d.Language != nil && *d.Language == "" {
		d.Language = nil // stored "" when detection failed, as the tutorial does
	}
	return d
}

// getPost is GET /api/posts/<id>.
func (a *API) getPost(w http.ResponseWriter, r *http.Request) {
	p, err := store.PostWithAuthor(r.Context(), session(r), pathID(r))
	if errors.Is(err, store.ErrNoPost) {
		a.notFound(w, r)
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	writeGET(w, r, newPostDict(p))
}

// deletePost is DELETE /api/posts/<id> (ours: the tutorial deletes nothing): only its
// author may delete a post (403 for anyone else's, 404 when there is none); 204 and an
// empty body when it is gone, from listings and search at once.
func (a *API) deletePost(w http.ResponseWriter, r *http.Request) {
	s := session(r)
	p, err := store.PostWithAuthor(r.Context(), s, pathID(r))
	if errors.Is(err, store.ErrNoPost) {
		a.notFound(w, r)
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if p.UserID != caller(r).ID {
		writeError(w, http.StatusForbidden, "")
		return
	}
	err = store.DeletePost(r.Context(), s, p.UserID, p.ID)
	if errors.Is(err, store.ErrNoPost) { // deleted meanwhile by another request
		s.Rollback(r.Context())
		a.notFound(w, r)
		return
	}
	if err == nil {
		err = s.Commit(r.Context())
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// listUserPosts is GET /api/users/<id>/posts: the user's posts, newest first.
func (a *API) listUserPosts(w http.ResponseWriter, r *http.Request) {
	u, ok := a.userByID(w, r)
	if !ok {
		return
	}
	a.postCollection(w, r, userPath(u.ID)+"/posts",
		func() (int, error) { return store.CountUserPosts(r.Context(), session(r), u.ID) },
		func(limit, offset int) ([]*models.Post, error) {
			return store.UserPosts(r.Context(), session(r), u, limit, offset)
		})
}

// feed is GET /api/feed: the caller's home timeline (its own posts and those of the
// users it follows), newest first, as the index page shows it.
func (a *API) feed(w http.ResponseWriter, r *http.Request) {
	me := caller(r)
	a.postCollection(w, r, "/api/feed",
		func() (int, error) { return store.CountFollowingPosts(r.Context(), session(r), me) },
		func(limit, offset int) ([]*models.Post, error) {
			return store.FollowingPosts(r.Context(), session(r), me, limit, offset)
		})
}

// postCollection answers with one page of posts, counted by count and read by page.
func (a *API) postCollection(w http.ResponseWriter, r *http.Request, path string, count func() (int, error), page func(limit, offset int) ([]*models.Post, error)) {
	args := readPageArgs(r)
	total, err := count()
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	var posts []*models.Post
	if limit, offset := args.limitOffset(); offset < total {
		if posts, err = page(limit, offset); err != nil {
			a.serverError(w, r, err)
			return
		}
	}
	items := make([]postDict, len(posts))
	for i, p := range posts {
		items[i] = newPostDict(p)
	}
	writeGET(w, r, newCollection(path, args, items, total))
}

// createPost is POST /api/posts: a new post by the caller, checked as the index page's
// form checks it.
func (a *API) createPost(w http.ResponseWriter, r *http.Request) {
	obj, ok := jsonObject(w, r)
	if !ok {
		return
	}
	body, present, ok := stringField(w, obj, "body", false)
	if !ok {
		return
	}
	if !present || trimmed(*body) == "" {
		badRequest(w, "must include a non-empty body field")
		return
	}
	text := trimmed(*body)
	if err := plainText("body", text, true); err != nil {
		badRequest(w, err.Error())
		return
	}
	if err := maxLen("body", text, maxPost); err != nil {
		badRequest(w, err.Error())
		return
	}
	me, s := caller(r), session(r)
	lang := a.Detect(text)
	p := &models.Post{Body: text, Author: me, UserID: me.ID, Language: &lang}
	if err := store.AddPost(r.Context(), s, p); err != nil {
		a.serverError(w, r, err)
		return
	}
	if err := s.Commit(r.Context()); err != nil {
		a.serverError(w, r, err)
		return
	}
	w.Header().Set("Location", postPath(p.ID))
	writeJSON(w, http.StatusCreated, newPostDict(p))
}
