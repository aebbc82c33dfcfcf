package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/dbcopy"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/seed"
	"github.com/microblog/microblog/internal/testdb"
)

// TestSeededSiteWorks signs in as a seeded user with the demo password on each dialect
// and finds the posts of the users they follow on their timeline, their profile and
// their unread messages: the demo data is usable as the site's own.
func TestSeededSiteWorks(t *testing.T) {
	ctx := context.Background()
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			s, _, _ := newDialectSite(t, dialect, nil)
			sum, err := seed.Run(ctx, s.db, seed.Options{Users: 30, PostsPerUser: 5, Follows: 4, MessagesPerUser: 2, Seed: 7,
				Until: time.Now().UTC(), Days: 30})
			if err != nil {
				t.Fatal(err)
			}
			var newest models.Post
			err = s.db.Bun.NewSelect().Model(&newest).
				Where("p.user_id IN (SELECT followed_id FROM followers WHERE follower_id = 1)").
				Order("p.timestamp DESC").Limit(1).Scan(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var followed models.User
			if err := s.db.Bun.NewSelect().Model(&followed).Where("id = ?", newest.UserID).Scan(ctx); err != nil {
				t.Fatal(err)
			}

			b := s.browser()
			expect(t, "wrong password", b.login(sum.FirstUser, "not-the-demo-password"), http.StatusFound, "/auth/login")
			expect(t, "sign in with the demo password", b.login(sum.FirstUser, seed.DemoPassword), http.StatusFound, "/index")
			expect(t, "timeline", b.get("/index"), http.StatusOK, "", newest.Body, followed.Username)
			expect(t, "followed user's profile", b.get("/user/"+url.PathEscape(followed.Username)), http.StatusOK, "", newest.Body)
			expect(t, "messages", b.get("/messages"), http.StatusOK, "")
			expect(t, "post after the seed", b.post("/index", url.Values{"post": {"my first post after the seed"}}), http.StatusFound, "/index")
			expect(t, "timeline with the new post", b.get("/index"), http.StatusOK, "", "my first post after the seed")
		})
	}
}

// TestCopiedSiteWorks copies a seeded SQLite site into each dialect with db copy and
// uses it through HTTP: a seeded user signs in and posts, a newcomer registers (the new
// ids follow the copied ones: sequences were reset).
func TestCopiedSiteWorks(t *testing.T) {
	ctx := context.Background()
	src := testdb.Migrated(t, "sqlite")
	sum, err := seed.Run(ctx, src, seed.Options{Users: 12, PostsPerUser: 4, Follows: 3, MessagesPerUser: 1, Seed: 9,
		Until: time.Now().UTC(), Days: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			s, _, _ := newDialectSite(t, dialect, nil) // a migrated, empty database
			if _, err := dbcopy.Copy(ctx, src, s.db, dbcopy.Options{}); err != nil {
				t.Fatal(err)
			}
			b := s.browser()
			expect(t, "sign in on the copy", b.login(sum.FirstUser, seed.DemoPassword), http.StatusFound, "/index")
			expect(t, "post on the copy", b.post("/index", url.Values{"post": {"written after the move"}}), http.StatusFound, "/index")
			expect(t, "timeline", b.get("/index"), http.StatusOK, "", "written after the move")
			var p models.Post
			if err := s.db.Bun.NewSelect().Model(&p).Where("body = ?", "written after the move").Scan(ctx); err != nil || p.ID != 12*4+1 {
				t.Errorf("the new post has id %d (%v), want %d", p.ID, err, 12*4+1)
			}
			other := s.browser()
			expect(t, "register on the copy", other.register("newcomer", "newcomer@example.org", "correct-cat-battery-staple"), http.StatusFound, "/auth/login")
			var u models.User
			if err := s.db.Bun.NewSelect().Model(&u).Where("username = ?", "newcomer").Scan(ctx); err != nil || u.ID != 13 {
				t.Errorf("the newcomer has id %d (%v), want 13", u.ID, err)
			}
		})
	}
}
