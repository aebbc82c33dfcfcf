package web_test

import (
	"context"
	"crypto/md5"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

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
			s, _, _ := newDialectSite(t, d, nil)
			susan := signedIn(t, s, "susan", false)
			john := signedIn(t, s, "john", false)
			expect(t, "follow", susan.post("/follow/john", nil), http.StatusFound, "")
			expect(t, "post", john.post("/index", url.Values{"post": {"the <b>first</b> post"}}), http.StatusFound, "/index")

			susan.get("/index") // shows and clears the flashes of the follow
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
