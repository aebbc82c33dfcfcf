package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
	"github.com/microblog/microblog/internal/testdb"
)

// The Flask microblog's tests.py, on every dialect, against the app's own migrations.

func forEachDialect(t *testing.T, f func(t *testing.T, db *database.DB)) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) { f(t, testdb.Migrated(t, d)) })
	}
}

func TestPasswordHashing(t *testing.T) {
	u := &models.User{Username: "susan", Email: "susan@example.com"}
	if err := u.SetPassword("cat"); err != nil {
		t.Fatal(err)
	}
	if u.CheckPassword("dog") {
		t.Error("dog accepted")
	}
	if !u.CheckPassword("cat") {
		t.Error("cat refused")
	}
}

func TestAvatar(t *testing.T) {
	u := &models.User{Username: "john", Email: "john@example.com"}
	want := "https://www.gravatar.com/avatar/d4c74594d841139328695756648b6bd6?d=identicon&s=128"
	if got := u.Avatar(128); got != want {
		t.Errorf("avatar = %s, want %s", got, want)
	}
}

func TestFollow(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := db.NewSession()
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		u1 := &models.User{Username: "john", Email: "john@example.com"}
		u2 := &models.User{Username: "susan", Email: "susan@example.com"}
		must(s.AddAll(u1, u2))
		must(s.Commit(ctx))
		following, err := store.Following(ctx, s, u1)
		must(err)
		followers, err := store.Followers(ctx, s, u2)
		must(err)
		if len(following) != 0 || len(followers) != 0 {
			t.Fatalf("new users follow %v and are followed by %v", following, followers)
		}

		must(store.Follow(ctx, s, u1, u2))
		must(s.Commit(ctx))
		check := func(want bool) {
			t.Helper()
			is, err := store.IsFollowing(ctx, s, u1, u2)
			must(err)
			nFollowing, err := store.FollowingCount(ctx, s, u1)
			must(err)
			nFollowers, err := store.FollowersCount(ctx, s, u2)
			must(err)
			following, err := store.Following(ctx, s, u1)
			must(err)
			followers, err := store.Followers(ctx, s, u2)
			must(err)
			n := 0
			if want {
				n = 1
			}
			if is != want || nFollowing != n || nFollowers != n || len(following) != n || len(followers) != n {
				t.Fatalf("is_following=%v following_count=%d followers_count=%d following=%v followers=%v; want %v", is, nFollowing, nFollowers, following, followers, want)
			}
			if want && (following[0].Username != "susan" || followers[0].Username != "john") {
				t.Fatalf("following %v, followers %v", following, followers)
			}
		}
		check(true)
		must(store.Follow(ctx, s, u1, u2)) // following twice changes nothing
		must(s.Commit(ctx))
		check(true)

		must(store.Unfollow(ctx, s, u1, u2))
		must(s.Commit(ctx))
		check(false)
	})
}

func TestFollowPosts(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := db.NewSession()
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		u1 := &models.User{Username: "john", Email: "john@example.com"}
		u2 := &models.User{Username: "susan", Email: "susan@example.com"}
		u3 := &models.User{Username: "mary", Email: "mary@example.com"}
		u4 := &models.User{Username: "david", Email: "david@example.com"}
		now := time.Now().UTC().Truncate(time.Second)
		p1 := &models.Post{Body: "post from john", Author: u1, Timestamp: now.Add(1 * time.Second)}
		p2 := &models.Post{Body: "post from susan", Author: u2, Timestamp: now.Add(4 * time.Second)}
		p3 := &models.Post{Body: "post from mary", Author: u3, Timestamp: now.Add(3 * time.Second)}
		p4 := &models.Post{Body: "post from david", Author: u4, Timestamp: now.Add(2 * time.Second)}
		must(s.AddAll(u1, u2, u3, u4, p1, p2, p3, p4))
		must(s.Commit(ctx))

		must(store.Follow(ctx, s, u1, u2)) // john follows susan
		must(store.Follow(ctx, s, u1, u4)) // john follows david
		must(store.Follow(ctx, s, u2, u3)) // susan follows mary
		must(store.Follow(ctx, s, u3, u4)) // mary follows david
		must(s.Commit(ctx))

		for _, c := range []struct {
			u    *models.User
			want string
		}{
			{u1, "[<Post post from susan> <Post post from david> <Post post from john>]"},
			{u2, "[<Post post from susan> <Post post from mary>]"},
			{u3, "[<Post post from mary> <Post post from david>]"},
			{u4, "[<Post post from david>]"},
		} {
			posts, err := store.FollowingPosts(ctx, s, c.u, 0, 0)
			must(err)
			if got := fmt.Sprint(posts); got != c.want {
				t.Errorf("%s's timeline = %s, want %s", c.u.Username, got, c.want)
			}
			for _, p := range posts {
				if p.Author == nil || p.Author.ID != p.UserID {
					t.Errorf("post %v has no author loaded", p)
				}
			}
		}
	})
}

// A Werkzeug hash from a Flask microblog database logs in and is replaced by argon2id.
func TestWerkzeugHashUpgradedOnLogin(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := db.NewSession()
		hash := "pbkdf2:sha256:260000$a1b2c3d4e5f6g7h8$c6f736fd9b4753dc4d4bf5aff487029abd59b2193ff28d5a10f2505da4ce7c30"
		u := &models.User{Username: "old", Email: "old@example.com", PasswordHash: &hash}
		if err := s.Add(u); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		var loaded models.User
		if err := s.Get(ctx, &loaded, u.ID); err != nil {
			t.Fatal(err)
		}
		if !loaded.CheckPassword("dog") {
			t.Fatal("the Werkzeug hash did not verify")
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		var again models.User
		if err := db.NewSession().Get(ctx, &again, u.ID); err != nil {
			t.Fatal(err)
		}
		if again.PasswordHash == nil || (*again.PasswordHash)[:10] != "$argon2id$" || !again.CheckPassword("dog") {
			t.Fatalf("stored hash after login: %v", again.PasswordHash)
		}
	})
}
