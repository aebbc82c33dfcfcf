package database_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
)

// The tutorial's pattern: load, commit (e.g. last_seen), change again, commit again.
func TestChangesAfterACommitAreStillWritten(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := db.NewSession()
		u := &models.User{Username: "john", Email: "john@example.com"}
		s.Add(u)
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		u.Email = "john@example.org"
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		hash := "scrypt:x"
		u.PasswordHash = &hash
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		var got models.User
		if err := db.NewSession().Get(ctx, &got, u.ID); err != nil {
			t.Fatal(err)
		}
		if got.Email != "john@example.org" || got.PasswordHash == nil || *got.PasswordHash != hash {
			t.Fatalf("database holds %+v after two later commits", got)
		}
		// A change made through a pointer field counts too.
		*u.PasswordHash = "pbkdf2:y"
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if err := db.NewSession().Get(ctx, &got, u.ID); err != nil || *got.PasswordHash != "pbkdf2:y" {
			t.Fatalf("in-place change through a pointer not written: %v %v", *got.PasswordHash, err)
		}
	})
}

// Objects the program no longer references drop out of the session, so a long-lived
// session does not re-check everything it ever wrote at every flush.
func TestUnreferencedObjectsAreForgotten(t *testing.T) {
	db := testdb.Migrated(t, database.SQLite)
	ctx := context.Background()
	s := db.NewSession()
	keep := &models.User{Username: "keep", Email: "keep@example.com"}
	s.Add(keep)
	for i := range 200 {
		s.Add(&models.User{Username: fmt.Sprint("u", i), Email: fmt.Sprint("u", i, "@example.com")})
	}
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if n := database.TrackedCount(s); n != 201 {
		t.Fatalf("tracking %d objects right after commit, want 201", n)
	}
	runtime.GC()
	runtime.GC()
	if n := database.TrackedCount(s); n > 20 {
		t.Fatalf("still tracking %d objects after GC, want about 1", n)
	}
	keep.Email = "kept@example.com"
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var got models.User
	if err := db.NewSession().Get(ctx, &got, keep.ID); err != nil || got.Email != "kept@example.com" {
		t.Fatalf("referenced object no longer tracked: %+v %v", got, err)
	}
	runtime.KeepAlive(keep)
}

// A snapshot holds column values only: tracked objects that point at each other (a post's
// Author, a user's Posts) still drop out once the program lets go of them.
func TestRelatedObjectsDoNotKeepEachOtherTracked(t *testing.T) {
	db := testdb.Migrated(t, database.SQLite)
	ctx := context.Background()
	s := db.NewSession()
	for i := range 50 {
		u := &models.User{Username: fmt.Sprint("u", i), Email: fmt.Sprint("u", i, "@example.com")}
		p := &models.Post{Body: "hi", Author: u}
		u.Posts = []*models.Post{p}
		s.Add(p)
	}
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if n := database.TrackedCount(s); n != 100 {
		t.Fatalf("tracking %d objects right after commit, want 100", n)
	}
	runtime.GC()
	runtime.GC()
	if n := database.TrackedCount(s); n > 10 {
		t.Fatalf("still tracking %d objects after GC, want about 0", n)
	}
}
