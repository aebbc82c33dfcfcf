package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
)

// postsFrom reads a page of a post listing placed by a keyset (store.Keyset); ok is
// false when the anchor is not a post.
type postsFrom func(limit int, k store.Keyset) (posts []*models.Post, ok bool, err error)

// paginate fetches the request's page of posts: by its number (?page=N, an offset), or,
// for a listing that has from, by the anchor its Older or Newer link carries
// (?page=N&before=ID, ?page=N&after=ID). Links carry an anchor only from the page at
// offset keysetFrom on: the first pages keep the tutorial's plain ?page=N links, and
// their offsets cost little; deeper, an offset costs the index entries it skips. A page
// asked for with an anchor that is no longer a post, or with fewer newer posts than a
// page, is placed by its number.
func (a *App) paginate(r *http.Request, base string, fetch func(limit, offset int) ([]*models.Post, error), from postsFrom) (postsPage, error) {
	per, n := a.cfg.PostsPerPage, page(r)
	if k, ok := keysetOf(r); ok && from != nil && n > 1 {
		limit := per + 1 // one more than a page: is there an older one?
		if k.After > 0 {
			limit = per
		}
		posts, found, err := from(limit, k)
		if err != nil {
			return postsPage{}, err
		}
		if found && (k.Before > 0 || len(posts) == per) {
			older := k.After > 0 || len(posts) > per
			posts = posts[:min(len(posts), per)]
			return postsPage{Posts: posts, Pager: a.postsPager(base, n, posts, older)}, nil
		}
	}
	posts, pg, err := fetchPage(r, per, base, fetch)
	if err == nil && from != nil {
		pg = a.postsPager(base, n, posts, pg.NextURL != "")
	}
	return postsPage{Posts: posts, Pager: pg}, err
}

// postsPager links page n, showing posts, to its neighbours, with the anchors of
// paginate from offset keysetFrom on.
func (a *App) postsPager(base string, n int, posts []*models.Post, older bool) Pager {
	per, sep := a.cfg.PostsPerPage, "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	var pg Pager
	if n > 1 {
		pg.PrevURL = fmt.Sprintf("%s%spage=%d", base, sep, n-1)
		if len(posts) > 0 && (n-2)*per >= a.keysetFrom {
			pg.PrevURL += "&after=" + strconv.FormatInt(posts[0].ID, 10)
		}
	}
	if older {
		pg.NextURL = fmt.Sprintf("%s%spage=%d", base, sep, n+1)
		if len(posts) > 0 && n*per >= a.keysetFrom {
			pg.NextURL += "&before=" + strconv.FormatInt(posts[len(posts)-1].ID, 10)
		}
	}
	return pg
}

// keysetOf reads a page's anchor: exactly one of before and after, a positive integer.
// Anything else is no anchor (the page is placed by its number).
func keysetOf(r *http.Request) (store.Keyset, bool) {
	q := r.URL.Query()
	id := func(name string) int64 {
		vs := q[name]
		if len(vs) != 1 {
			return 0
		}
		n, err := strconv.ParseInt(vs[0], 10, 64)
		if err != nil || n <= 0 {
			return 0
		}
		return n
	}
	k := store.Keyset{Before: id("before"), After: id("after")}
	return k, k.Valid()
}
