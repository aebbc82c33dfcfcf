package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/testdb"
	"github.com/microblog/microblog/internal/web"
)

var (
	olderLink = regexp.MustCompile(`href="([^"]*)">Older posts`)
	newerLink = regexp.MustCompile(`href="([^"]*)"><span aria-hidden="true">&larr;</span> Newer posts`)
	postBody  = regexp.MustCompile(`keyset post \d+\.`)
)

// link is the Older or Newer link of a page, unescaped ("" when there is none).
func link(re *regexp.Regexp, body string) string {
	if m := re.FindStringSubmatch(body); m != nil {
		return html.UnescapeString(m[1])
	}
	return ""
}

// Deep pages of the home page, Explore and a profile link to each other by keyset: the
// Older and Newer links of pages past keysetFrom carry the post at the page's edge, and
// following them gives the pages ?page=N gives, back and forth; a post written while a
// reader pages does not make a post show twice; hostile or stale anchors fall back to the
// page number, never an error.
func TestDeepPagesLinkByKeyset(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			s, app, _ := newDialectSite(t, d, func(c *config.Config) { c.PostsPerPage = 3 })
			web.SetKeysetFrom(app, 6) // from page 3's offset on
			susan, john := signedIn(t, s, "susan", false), signedIn(t, s, "john", false)
			expect(t, "follow", susan.post("/follow/john", nil), http.StatusFound, "")
			for i := range 14 {
				expect(t, "post", john.post("/index", url.Values{"post": {"keyset post " + strconv.Itoa(i) + "."}}), http.StatusFound, "/index")
			}
			john.get("/index")
			susan.get("/index")
			for _, base := range []string{"/index", "/explore", "/user/john"} {
				byNumber := []string{""}
				for n := 1; n <= 5; n++ {
					p := susan.get(base + "?page=" + strconv.Itoa(n))
					expect(t, base+" page "+strconv.Itoa(n), p, http.StatusOK, "")
					byNumber = append(byNumber, strings.Join(postBody.FindAllString(p.body, -1), " "))
				}
				// Older, from page 1 to 5.
				p := susan.get(base)
				for n := 1; n <= 5; n++ {
					if got := strings.Join(postBody.FindAllString(p.body, -1), " "); got != byNumber[n] {
						t.Fatalf("%s: page %d by links %q, by number %q", base, n, got, byNumber[n])
					}
					older := link(olderLink, p.body)
					if n == 5 {
						if older != "" {
							t.Fatalf("%s: the last page links to an older one: %q", base, older)
						}
						break
					}
					wantAnchor := n >= 2 // page n+1 starts at offset n*3 >= 6
					if strings.Contains(older, "&before=") != wantAnchor || !strings.HasPrefix(older, base+"?page="+strconv.Itoa(n+1)) {
						t.Fatalf("%s: page %d's Older link %q", base, n, older)
					}
					p = susan.get(older)
					expect(t, older, p, http.StatusOK, "")
				}
				// Newer, from page 5 back to 1.
				for n := 5; n > 1; n-- {
					newer := link(newerLink, p.body)
					wantAnchor := n-2 >= 2
					if strings.Contains(newer, "&after=") != wantAnchor || !strings.HasPrefix(newer, base+"?page="+strconv.Itoa(n-1)) {
						t.Fatalf("%s: page %d's Newer link %q", base, n, newer)
					}
					p = susan.get(newer)
					if got := strings.Join(postBody.FindAllString(p.body, -1), " "); got != byNumber[n-1] {
						t.Fatalf("%s: page %d by Newer links %q, by number %q", base, n-1, got, byNumber[n-1])
					}
				}
			}

			// A post written while susan is on page 3: its Older link still leads to the
			// posts after those she saw, where ?page=4 now repeats one.
			p3 := susan.get("/explore?page=3")
			seen := postBody.FindAllString(p3.body, -1)
			older := link(olderLink, p3.body)
			expect(t, "a new post", john.post("/index", url.Values{"post": {"keyset post 99."}}), http.StatusFound, "/index")
			for _, post := range postBody.FindAllString(susan.get(older).body, -1) {
				for _, s := range seen {
					if s == post {
						t.Fatalf("page 4 by its link repeats %q of page 3", post)
					}
				}
			}

			// Hostile and stale anchors: the page by its number.
			want := strings.Join(postBody.FindAllString(susan.get("/explore?page=4").body, -1), " ")
			for _, q := range []string{"before=abc", "before=-1", "before=0", "before=99999999999999999999999",
				"before=1&after=2", "before=1&before=2", "before=999999999", "after=999999999", "before=%00", "before=%EF%BC%91"} {
				p := susan.get("/explore?page=4&" + q)
				if q == "before=%00" {
					expect(t, q, p, http.StatusBadRequest, "")
					continue
				}
				expect(t, q, p, http.StatusOK, "")
				if got := strings.Join(postBody.FindAllString(p.body, -1), " "); got != want {
					t.Errorf("%s: %q, want page 4 by number %q", q, got, want)
				}
			}
		})
	}
}
