package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
	"github.com/microblog/microblog/internal/testdb"
)

// seedCounts stores n users; user i has i%4 posts, follows the next i%3 users (by index)
// and so has followers from the ones before it.
func seedCounts(tb testing.TB, db *database.DB, n int) []*models.User {
	tb.Helper()
	ctx := context.Background()
	s := db.NewSession()
	defer s.Close()
	users := make([]*models.User, n)
	for i := range users {
		users[i] = &models.User{Username: fmt.Sprintf("c%03d", i), Email: fmt.Sprintf("c%03d@example.com", i)}
		s.Add(users[i])
	}
	if err := s.Commit(ctx); err != nil {
		tb.Fatal(err)
	}
	for i, u := range users {
		for j := range i % 4 {
			s.Add(&models.Post{Body: fmt.Sprintf("post %d", j), UserID: u.ID})
		}
		for j := 1; j <= i%3 && i+j < n; j++ {
			s.Add(&models.Follow{FollowerID: u.ID, FollowedID: users[i+j].ID})
		}
	}
	if err := s.Commit(ctx); err != nil {
		tb.Fatal(err)
	}
	return users
}

// CountsOf gives, for a whole page of users at once, the counts the tutorial reads with
// three COUNTs per user; users with nothing count zero; unknown ids are absent.
func TestCountsOfMatchesPerUserCounts(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		users := seedCounts(t, db, 13)
		s := db.NewSession()
		defer s.Close()
		ids := []int64{999999}
		for _, u := range users {
			ids = append(ids, u.ID)
		}
		got, err := store.CountsOf(ctx, s, ids)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range users {
			posts, _ := store.CountUserPosts(ctx, s, u.ID)
			followers, _ := store.FollowersCount(ctx, s, u)
			following, _ := store.FollowingCount(ctx, s, u)
			want := store.UserCounts{Posts: posts, Followers: followers, Following: following}
			if got[u.ID] != want {
				t.Errorf("%s: %+v, want %+v", u.Username, got[u.ID], want)
			}
		}
		if got[users[4].ID] != (store.UserCounts{Followers: 1, Following: 1}) { // c004: no posts, followed by c002, follows c005
			t.Errorf("c004: %+v", got[users[4].ID])
		}
		if c, ok := got[999999]; ok && c != (store.UserCounts{}) {
			t.Errorf("unknown id counted %+v", c)
		}
		if empty, err := store.CountsOf(ctx, s, nil); err != nil || len(empty) != 0 {
			t.Errorf("no ids: %v %v", empty, err)
		}
	})
}

// The counts of a page of 100 users (the API's largest): batched (CountsOf, three
// statements) against the tutorial's three COUNTs per user, on SQLite.
//
//	go test ./internal/store -run '^$' -bench UserCounts -benchtime 200x
func BenchmarkUserCounts(b *testing.B) {
	db := testdb.Migrated(b, database.SQLite)
	users := seedCounts(b, db, 100)
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	ctx := context.Background()
	b.Run("batched", func(b *testing.B) {
		s := db.NewSession()
		defer s.Close()
		for b.Loop() {
			if _, err := store.CountsOf(ctx, s, ids); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("per-user", func(b *testing.B) {
		s := db.NewSession()
		defer s.Close()
		for b.Loop() {
			for _, u := range users {
				if _, err := store.CountUserPosts(ctx, s, u.ID); err != nil {
					b.Fatal(err)
				}
				if _, err := store.FollowersCount(ctx, s, u); err != nil {
					b.Fatal(err)
				}
				if _, err := store.FollowingCount(ctx, s, u); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
