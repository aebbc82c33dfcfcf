package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/microblog/microblog/internal/i18n"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/search"
)

// searchPage is the data of the search template.
type searchPage struct {
	postsPage
	Query string
}

// search shows the posts holding the words of ?q=, most relevant first, a page at a
// time (internal/search; docs/search.md). Without words to look for it goes to Explore,
// as the original does.
func (a *App) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	if strings.TrimSpace(q) == "" {
		http.Redirect(w, r, "/explore", http.StatusFound)
		return
	}
	p, err := a.paginate(r, "/search?q="+url.QueryEscape(q), func(limit, offset int) ([]*models.Post, error) {
		return search.Posts(r.Context(), dbSession(r), q, limit, offset)
	}, nil) // ranked by relevance: no keyset
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	a.render(w, r, http.StatusOK, "search", i18n.M("Search"), searchPage{postsPage: p, Query: q})
}
