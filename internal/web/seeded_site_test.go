package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

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
