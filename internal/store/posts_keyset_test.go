package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
)

// Walking a listing by keyset — each "Older" page from the last post of the one before,
// each "Newer" page back from the first post of the one after — gives exactly the pages
// the offsets give, on every dialect, for the timeline, Explore and a profile, with many
// posts sharing an instant (the id decides among them, across page edges). An anchor that
// is not a post says so (ok false); a post written meanwhile does not shift the older
// pages.
func TestKeysetPagesAreTheOffsetPages(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := db.NewSession()
		me := &models.User{Username: "me", Email: "me@example.com"}
		followed := &models.User{Username: "followed", Email: "followed@example.com"}
		other := &models.User{Username: "other", Email: "other@example.com"}
		s.Add(me)
		s.Add(followed)
		s.Add(other)
		s.Add(&models.Follow{Follower: me, Followed: followed})
		base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		for i := range 20 {
			at := base.Add(time.Duration(i/4) * time.Minute) // four posts an instant per user
			for _, u := range []*models.User{me, followed, other} {
				s.Add(&models.Post{Body: fmt.Sprintf("%s %d", u.Username, i), Author: u, Timestamp: at})
			}
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		type listing struct {
			name   string
			offset func(s *database.Session, limit, offset int) ([]*models.Post, error)
			from   func(s *database.Session, limit int, k store.Keyset) ([]*models.Post, bool, error)
		}
		for _, l := range []listing{
			{"timeline",
				func(s *database.Session, limit, offset int) ([]*models.Post, error) {
					return store.FollowingPosts(ctx, s, me, limit, offset)
				},
				func(s *database.Session, limit int, k store.Keyset) ([]*models.Post, bool, error) {
					return store.FollowingPostsFrom(ctx, s, me, limit, k)
				}},
			{"explore",
				func(s *database.Session, limit, offset int) ([]*models.Post, error) {
					return store.AllPosts(ctx, s, limit, offset)
				},
				func(s *database.Session, limit int, k store.Keyset) ([]*models.Post, bool, error) {
					return store.AllPostsFrom(ctx, s, limit, k)
				}},
			{"profile",
				func(s *database.Session, limit, offset int) ([]*models.Post, error) {
					return store.UserPosts(ctx, s, other, limit, offset)
				},
				func(s *database.Session, limit int, k store.Keyset) ([]*models.Post, bool, error) {
					return store.UserPostsFrom(ctx, s, other, limit, k)
				}},
		} {
			s := db.NewSession()
			const per = 7
			var pages [][]*models.Post
			for off := 0; ; off += per {
				p, err := l.offset(s, per, off)
				if err != nil {
					t.Fatal(err)
				}
				if len(p) == 0 {
					break
				}
				pages = append(pages, p)
			}
			if len(pages) < 3 {
				t.Fatalf("%s: %d pages, want several", l.name, len(pages))
			}
			ids := func(p []*models.Post) string {
				var out []int64
				for _, post := range p {
					out = append(out, post.ID)
					if post.Author == nil || post.Author.ID != post.UserID {
						t.Fatalf("%s: post %d without its author", l.name, post.ID)
					}
				}
				return fmt.Sprint(out)
			}
			for i := 1; i < len(pages); i++ {
				prev := pages[i-1]
				got, ok, err := l.from(s, per, store.Keyset{Before: prev[len(prev)-1].ID})
				if err != nil || !ok {
					t.Fatalf("%s: older than page %d: ok %v, %v", l.name, i, ok, err)
				}
				if ids(got) != ids(pages[i]) {
					t.Fatalf("%s: page %d by keyset %s, by offset %s", l.name, i+1, ids(got), ids(pages[i]))
				}
				newer, ok, err := l.from(s, per, store.Keyset{After: pages[i][0].ID})
				if err != nil || !ok || ids(newer) != ids(prev) {
					t.Fatalf("%s: newer than page %d: %s (ok %v, %v), want %s", l.name, i+1, ids(newer), ok, err, ids(prev))
				}
			}
			last := pages[len(pages)-1]
			if got, ok, err := l.from(s, per, store.Keyset{Before: last[len(last)-1].ID}); err != nil || !ok || len(got) != 0 {
				t.Fatalf("%s: older than the last page: %d posts, ok %v, %v; want none, ok", l.name, len(got), ok, err)
			}
			if _, ok, err := l.from(s, per, store.Keyset{Before: 1 << 40}); err != nil || ok {
				t.Fatalf("%s: an anchor that is no post: ok %v, %v", l.name, ok, err)
			}
		}

		// A new post does not shift the pages placed by keyset.
		s = db.NewSession()
		first, _ := store.AllPosts(ctx, s, 7, 0)
		second, _ := store.AllPosts(ctx, s, 7, 7)
		s.Add(&models.Post{Body: "late", UserID: other.ID, Timestamp: base.Add(time.Hour)})
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		got, _, err := store.AllPostsFrom(ctx, db.NewSession(), 7, store.Keyset{Before: first[6].ID})
		if err != nil || len(got) != 7 || got[0].ID != second[0].ID {
			t.Fatalf("after a new post, the older page starts with %v (%v), want post %d", got, err, second[0].ID)
		}
	})
}
