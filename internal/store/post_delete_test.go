package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
)

// DeletePost deletes a post of its author only; a post deleted already, another's and
// one that never was are all ErrNoPost. A listing whose anchor was deleted between two
// batches (an export while its author deletes posts) goes on where it was.
func TestDeletePostAndListingsAfterIt(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := db.NewSession()
		defer s.Close()
		alice, bob := &models.User{Username: "alice", Email: "alice@example.com"}, &models.User{Username: "bob", Email: "bob@example.com"}
		s.AddAll(alice, bob)
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		base := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		var posts []*models.Post
		for i := range 6 {
			// Posts 2 to 4 share one instant: the id orders them.
			ts := base.Add(time.Duration(min(max(i, 2), 4)) * time.Minute)
			p := &models.Post{Body: fmt.Sprintf("p%d", i), UserID: alice.ID, Timestamp: ts}
			s.Add(p)
			posts = append(posts, p)
		}
		bobs := &models.Post{Body: "bob", UserID: bob.ID}
		s.Add(bobs)
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		page := func(after *models.Post) string {
			t.Helper()
			got, err := store.UserPostsAfter(ctx, s, alice.ID, after, 2)
			if err != nil {
				t.Fatal(err)
			}
			out := ""
			for _, p := range got {
				out += p.Body + " "
			}
			return out
		}
		if got := page(nil); got != "p0 p1 " {
			t.Fatalf("first page = %q", got)
		}
		for _, id := range []int64{bobs.ID, 0, -1, 1 << 62} {
			if err := store.DeletePost(ctx, s, alice.ID, id); !errors.Is(err, store.ErrNoPost) {
				t.Errorf("delete post %d as alice: %v, want ErrNoPost", id, err)
			}
		}
		for _, anchor := range []*models.Post{posts[1], posts[2]} {
			if err := store.DeletePost(ctx, s, alice.ID, anchor.ID); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if err := store.DeletePost(ctx, s, alice.ID, posts[1].ID); !errors.Is(err, store.ErrNoPost) {
			t.Errorf("second deletion: %v, want ErrNoPost", err)
		}
		s.Rollback(ctx)
		if got := page(posts[1]); got != "p3 p4 " {
			t.Errorf("after the deleted p1 = %q, want p3 p4", got)
		}
		if got := page(posts[2]); got != "p3 p4 " {
			t.Errorf("after the deleted p2 (same instant as p3, p4) = %q, want p3 p4", got)
		}
		if got := page(posts[4]); got != "p5 " {
			t.Errorf("after p4 = %q, want p5", got)
		}
		if n, _ := store.CountUserPosts(ctx, s, bob.ID); n != 1 {
			t.Errorf("bob has %d posts", n)
		}
	})
}
