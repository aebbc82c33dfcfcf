package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/microblog/microblog/internal/i18n"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
)

// postsPage is the data of the index template (home, explore).
type postsPage struct {
	Form  *postForm
	Posts []*models.Post
	Pager
}

type postForm struct{ Post *field }

func newPostForm() *postForm {
	return &postForm{Post: &field{Name: "post", Label: i18n.M("Say something"), Type: "textarea", Max: 140, Required: true, Autofocus: true}}
}

// page reads ?page=N (1 when missing or not a positive number).
func page(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// Pager links a listing's neighbouring pages: "Newer" (PrevURL) and "Older" (NextURL),
// empty at either end.
type Pager struct{ PrevURL, NextURL string }

// fetchPage fetches the request's page of a listing at base (a path, or a path with a
// query), per items a page, plus one item to know whether an older page exists.
func fetchPage[T any](r *http.Request, per int, base string, fetch func(limit, offset int) ([]T, error)) ([]T, Pager, error) {
	n := page(r)
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	var pg Pager
	if n > 1 {
		pg.PrevURL = fmt.Sprintf("%s%spage=%d", base, sep, n-1)
	}
	if n-1 > maxOffset/per {
		return nil, pg, nil // past any listing's end; (n-1)*per would overflow
	}
	items, err := fetch(per+1, (n-1)*per)
	if err != nil {
		return nil, Pager{}, err
	}
	if len(items) > per {
		items = items[:per]
		pg.NextURL = fmt.Sprintf("%s%spage=%d", base, sep, n+1)
	}
	return items, pg, nil
}

// maxOffset bounds the rows a page may skip: far past any listing, within every
// database's OFFSET.
const maxOffset = 1 << 40

func (a *App) index(w http.ResponseWriter, r *http.Request) {
	a.renderIndex(w, r, newPostForm())
}

func (a *App) renderIndex(w http.ResponseWriter, r *http.Request, form *postForm) {
	me := currentUser(r)
	p, err := a.paginate(r, "/index", func(limit, offset int) ([]*models.Post, error) {
		return store.FollowingPosts(r.Context(), dbSession(r), me, limit, offset)
	}, func(limit int, k store.Keyset) ([]*models.Post, bool, error) {
		return store.FollowingPostsFrom(r.Context(), dbSession(r), me, limit, k)
	})
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	p.Form = form
	a.render(w, r, http.StatusOK, "index", i18n.M("Home"), p)
}

func (a *App) createPost(w http.ResponseWriter, r *http.Request) {
	form := newPostForm()
	form.Post.Value = value(r, "post")
	if !required(form.Post) || !plainText(form.Post, true) {
		a.renderIndex(w, r, form)
		return
	}
	if utf8.RuneCountInString(form.Post.Value) > 140 {
		form.Post.Error = i18n.M("Field must be between 1 and 140 characters long.")
		a.renderIndex(w, r, form)
		return
	}
	s := dbSession(r)
	// The original stores "" when detection fails; so do we.
	lang := a.detector.Detect(form.Post.Value)
	me := currentUser(r)
	if err := store.AddPost(r.Context(), s, &models.Post{Body: form.Post.Value, Author: me, UserID: me.ID, Language: &lang}); err != nil {
		a.serverError(w, r, err)
		return
	}
	if err := s.Commit(r.Context()); err != nil {
		a.serverError(w, r, err)
		return
	}
	a.flash(r, a.T(r, "Your post is now live!"))
	http.Redirect(w, r, "/index", http.StatusFound)
}

func (a *App) explore(w http.ResponseWriter, r *http.Request) {
	p, err := a.paginate(r, "/explore", func(limit, offset int) ([]*models.Post, error) {
		return store.AllPosts(r.Context(), dbSession(r), limit, offset)
	}, func(limit int, k store.Keyset) ([]*models.Post, bool, error) {
		return store.AllPostsFrom(r.Context(), dbSession(r), limit, k)
	})
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	a.render(w, r, http.StatusOK, "index", i18n.M("Explore"), p)
}
