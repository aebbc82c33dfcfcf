package web_test

import (
	"context"
	"crypto/md5"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/testdb"
)

// Rendered posts are remembered, and a page never shows a remembered post that the
// database contradicts: a renamed author, a changed e-mail (avatar), another reader
// (the Delete button), another language — on every dialect, changed behind the app's
// back with plain SQL, as another process would.
func TestRememberedPostsFollowTheDatabase(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			s, susan, john := susanFollowsJohnWhoPosts(t, d, "the <b>first</b> post")
			home := susan.get("/index")
			expect(t, "susan's home", home, http.StatusOK, "", "the &lt;b&gt;first&lt;/b&gt; post", ">john</a>")
			if strings.Contains(home.body, "Delete this post for good?") {
				t.Error("susan sees a Delete button on john's post")
			}
			again := susan.get("/index")
			if again.body != home.body {
				t.Error("the same page read twice differs")
			}
			expect(t, "john's home", john.get("/index"), http.StatusOK, "", "Delete this post for good?")

			ctx := context.Background()
			q := `UPDATE "user" SET username = 'johnny', email = 'johnny@example.org' WHERE username = 'john'`
			if s.db.Dialect == database.MySQL {
				q = strings.ReplaceAll(q, `"user"`, "`user`")
			}
			if _, err := s.db.SQL.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
			renamed := susan.get("/index")
			hash := fmt.Sprintf("%x", md5.Sum([]byte("johnny@example.org")))
			expect(t, "home after the rename", renamed, http.StatusOK, "", ">johnny</a>", hash)
			if strings.Contains(renamed.body, ">john</a>") {
				t.Error("the home page still shows the old name")
			}

			expect(t, "language", susan.post("/language", url.Values{"language": {"es"}, "next": {"/index"}}), http.StatusSeeOther, "")
			expect(t, "home in Spanish", susan.get("/index"), http.StatusOK, "", "dijo")
		})
	}
}

// Whole pages are remembered too, and a remembered page never outlives what the database
// says: a message arriving (the unread badge), a post deleted — each changed with plain
// SQL, as another process would (a rename is TestRememberedPostsFollowTheDatabase's). A client without gzip gets the same
// page, rendered.
func TestRememberedPagesFollowTheDatabase(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			s, susan, _ := susanFollowsJohnWhoPosts(t, d, "a post to delete")
			home := susan.get("/index")
			expect(t, "susan's home", home, http.StatusOK, "", "a post to delete", `invisible">0</span>`)
			if again := susan.get("/index"); again.body != home.body {
				t.Fatal("the same page read twice differs")
			}
			req, _ := http.NewRequest("GET", s.srv.URL+"/index", nil)
			req.Header.Set("Accept-Encoding", "identity")
			if plain := susan.do(req); plain.body != home.body || plain.header.Get("Content-Encoding") != "" {
				t.Errorf("without gzip: Content-Encoding %q, the page differs: %v", plain.header.Get("Content-Encoding"), plain.body != home.body)
			}

			ctx := context.Background()
			user := `"user"`
			if s.db.Dialect == database.MySQL {
				user = "`user`"
			}
			exec := func(q string, args ...any) {
				t.Helper()
				if s.db.Dialect == database.Postgres {
					for i := range args {
						q = strings.Replace(q, "?", fmt.Sprintf("$%d", i+1), 1)
					}
				}
				if _, err := s.db.SQL.ExecContext(ctx, q, args...); err != nil {
					t.Fatal(err)
				}
			}
			exec(`INSERT INTO message (sender_id, recipient_id, body, timestamp)
SELECT j.id, s.id, 'psst', ? FROM `+user+` AS j, `+user+` AS s WHERE j.username = 'john' AND s.username = 'susan'`,
				time.Now().UTC().Add(time.Minute))
			expect(t, "home after a message", susan.get("/index"), http.StatusOK, "", `text-bg-danger">1</span>`, "a post to delete")

			exec(`DELETE FROM timeline WHERE post_id IN (SELECT id FROM post WHERE body = 'a post to delete')`)
			exec(`DELETE FROM post WHERE body = 'a post to delete'`)
			if p := susan.get("/index"); strings.Contains(p.body, "a post to delete") {
				t.Error("the home page still shows a deleted post")
			}
			if p := susan.get("/explore"); strings.Contains(p.body, "a post to delete") {
				t.Error("explore still shows a deleted post")
			}
		})
	}
}

// susanFollowsJohnWhoPosts starts a site on dialect d where susan follows john and john
// has posted body; susan's pending flashes are already shown.
func susanFollowsJohnWhoPosts(t *testing.T, d, body string) (s *site, susan, john *browser) {
	t.Helper()
	s, _, _ = newDialectSite(t, d, nil)
	susan = signedIn(t, s, "susan", false)
	john = signedIn(t, s, "john", false)
	expect(t, "follow", susan.post("/follow/john", nil), http.StatusFound, "")
	expect(t, "post", john.post("/index", url.Values{"post": {body}}), http.StatusFound, "/index")
	susan.get("/index") // shows and clears the flashes of the follow
	return s, susan, john
}
