package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/testdb"
)

var searchResult = regexp.MustCompile(`<span id="post\d+">([^<]*)</span>`)

// bodies are the post bodies a page shows, in order.
func bodies(p page) []string {
	var out []string
	for _, m := range searchResult.FindAllStringSubmatch(p.body, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestSearchPage(t *testing.T) {
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			s, _, _ := newDialectSite(t, dialect, func(c *config.Config) { c.PostsPerPage = 2 })
			expect(t, "anonymous", s.browser().get("/search?q=kayak"), http.StatusFound, "/auth/login?next=%2Fsearch%3Fq%3Dkayak")
			b := signedIn(t, s, "susan", false)
			expect(t, "navbar", b.get("/index"), http.StatusOK, "", `role="search" method="get" action="/search"`, `name="q" value=""`)
			for _, q := range []string{"", "q=", "q=+++"} {
				expect(t, "empty query "+q, b.get("/search?"+q), http.StatusFound, "/explore")
			}
			bodiesWritten := []string{"Weather is grey and windy outside", "Meeting moved to Thursday morning",
				"Reading a long novel this week", "New keyboard arrived yesterday"}
			for i := range 5 {
				bodiesWritten = append(bodiesWritten, fmt.Sprintf("A kayak trip on the lake, day %d", i))
			}
			for _, body := range bodiesWritten {
				expect(t, "post", b.post("/index", url.Values{"post": {body}}), http.StatusFound, "/index")
			}

			// Pages of 2 through the Older links, the query carried along.
			var found []string
			next := "/search?q=" + url.QueryEscape(`kayak "lake"`)
			for pages := 0; next != ""; pages++ {
				if pages > 3 {
					t.Fatal("more than 3 pages for 5 posts at 2 a page")
				}
				p := b.get(next)
				expect(t, next, p, http.StatusOK, "", "<title>Search - Microblog</title>", "Search Results", `value="kayak &#34;lake&#34;"`)
				found = append(found, bodies(p)...)
				next = ""
				if m := regexp.MustCompile(`href="(/search\?q=[^"]*page=\d+)">Older posts`).FindStringSubmatch(p.body); m != nil {
					next = html.UnescapeString(m[1])
				}
			}
			if len(found) != 5 {
				t.Fatalf("found %d posts over the pages, want the 5 kayak posts: %q", len(found), found)
			}
			for i, body := range found {
				if want := fmt.Sprintf("A kayak trip on the lake, day %d", 4-i); body != want {
					t.Errorf("result %d: %q, want %q (equally relevant: newest first)", i, body, want)
				}
			}
			p2 := b.get("/search?q=kayak&page=2")
			expect(t, "page 2", p2, http.StatusOK, "", `href="/search?q=kayak&amp;page=1"`, `href="/search?q=kayak&amp;page=3"`)

			// Query syntax is only words; odd input is a clear 400, never a 500.
			for _, q := range []string{`kayak*`, `"kayak`, `-kayak`, `kayak:`, `NEAR(kayak lake)`, `kayak AND lake`, strings.Repeat("kayak ", 1700)} {
				p := b.get("/search?q=" + url.QueryEscape(q))
				if p.status != http.StatusOK {
					t.Errorf("%.30q: status %d", q, p.status)
				}
			}
			if got := bodies(b.get("/search?q=" + url.QueryEscape(`-kayak*`))); len(got) != 2 {
				t.Errorf("-kayak*: %d posts on page 1, want 2 (operators are not syntax)", len(got))
			}
			expect(t, "NUL", b.get("/search?q=kayak%00"), http.StatusBadRequest, "")
			expect(t, "bad UTF-8", b.get("/search?q=kayak%FF"), http.StatusBadRequest, "")
			expect(t, "page past the end", b.get("/search?q=kayak&page=9223372036854775807"), http.StatusOK, "", "No post holds all of these words.")
			expect(t, "no match", b.get("/search?q=zeppelin"), http.StatusOK, "", "No post holds all of these words.")

			// A post deleted by plain SQL is gone from the results at once.
			if _, err := s.db.SQL.ExecContext(context.Background(), "DELETE FROM post WHERE body = 'A kayak trip on the lake, day 4'"); err != nil {
				t.Fatal(err)
			}
			if got := bodies(b.get("/search?q=kayak")); len(got) != 2 || got[0] != "A kayak trip on the lake, day 3" {
				t.Errorf("after deleting day 4: page 1 shows %q", got)
			}
		})
	}
}
