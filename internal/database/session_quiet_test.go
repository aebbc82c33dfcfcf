package database_test

import (
	"context"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
)

// A flush skips, by comparing bytes only, the tracked objects whose fields and pointed-to
// values are as snapshotted and whose relation fields are empty. Each way such an object
// can change must still be written.
func TestQuietObjectsStillSeeEveryChange(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := db.NewSession()
		u := &models.User{Username: "john", Email: "john@example.com"}
		s.Add(u)
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		log := &queryLog{}
		db.Bun.AddQueryHook(log)
		if err := s.Commit(ctx); err != nil || len(log.take()) != 0 {
			t.Fatalf("a commit with nothing changed wrote something (err %v)", err)
		}
		reload := func() *models.User {
			t.Helper()
			var got models.User
			if err := db.NewSession().Get(ctx, &got, u.ID); err != nil {
				t.Fatal(err)
			}
			return &got
		}

		// A time changed in place through its pointer (the struct's bytes are unchanged).
		when := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
		*u.LastSeen = when
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if got := reload(); got.LastSeen == nil || !got.LastSeen.Equal(when) {
			t.Fatalf("last_seen changed in place through its pointer: database holds %v, want %v", got.LastSeen, when)
		}

		// A string pointer set to a new pointer holding the same text: no UPDATE.
		key := *u.UsernameKey
		u.UsernameKey = &key
		log.take()
		if err := s.Commit(ctx); err != nil || len(log.take()) != 0 {
			t.Fatalf("an equal value behind a new pointer was written (err %v)", err)
		}

		// A post appended to the committed user's empty has-many collection.
		u.Posts = append(u.Posts, &models.Post{Body: "hello", Timestamp: when})
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		var posts []*models.Post
		if err := db.Bun.NewSelect().Model(&posts).Where("user_id = ?", u.ID).Scan(ctx); err != nil || len(posts) != 1 || posts[0].Body != "hello" {
			t.Fatalf("post appended to a committed user's Posts: database holds %v (err %v)", posts, err)
		}
	})
}
