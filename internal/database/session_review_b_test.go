// Regression tests for the bugs the session review found (all fixed).
package database_test

import (
	"context"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
)

type reviewFailComment struct {
	ID       int64              `bun:"id,pk,autoincrement"`
	Body     string             `bun:"body,notnull"`
	ParentID *int64             `bun:"parent_id"`
	Parent   *reviewFailComment `bun:"rel:belongs-to,join:parent_id=id"`
}

func TestReviewFailedCommitKeepsEditsMadeAfterEarlierFlush(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := db.NewSession()
		defer s.Close()
		s.Add(&models.User{Username: "taken", Email: "taken@example.com"})
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		u := &models.User{Username: "john", Email: "john@example.com"}
		s.Add(u)
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		u.AboutMe = reviewFailStr("edited after flush")
		bad := &models.User{Username: "taken", Email: "other@example.com"}
		s.Add(bad)
		if err := s.Commit(ctx); err == nil {
			t.Fatal("commit with a duplicate username succeeded")
		}
		if u.AboutMe == nil || *u.AboutMe != "edited after flush" {
			t.Errorf("after the failed commit u.AboutMe = %v, want the edit made before the attempt", u.AboutMe)
		}
		if u.ID != 0 {
			t.Errorf("u keeps id %d from the failed transaction", u.ID)
		}
		s.Delete(bad)
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		var got models.User
		if err := db.Bun.NewSelect().Model(&got).Where("username = ?", "john").Scan(ctx); err != nil {
			t.Fatal(err)
		}
		if got.AboutMe == nil || *got.AboutMe != "edited after flush" {
			t.Errorf("stored about_me = %v", got.AboutMe)
		}
	})
}

func TestReviewDeleteFlushReAddThenFailedCommitCanBeRetried(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := db.NewSession()
		defer s.Close()
		s.Add(&models.Post{Body: "keep me", Author: &models.User{Username: "john", Email: "j@example.com"}})
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		s2 := db.NewSession()
		defer s2.Close()
		var p models.Post
		if err := s2.NewSelect().Model(&p).Limit(1).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s2.Delete(&p); err != nil {
			t.Fatal(err)
		}
		if err := s2.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s2.Add(&p); err != nil {
			t.Fatal(err)
		}
		bad := &models.User{Username: "john", Email: "dup@example.com"}
		s2.Add(bad)
		if err := s2.Commit(ctx); err == nil {
			t.Fatal("commit with a duplicate username succeeded")
		}
		s2.Delete(bad)
		if err := s2.Commit(ctx); err != nil {
			t.Fatalf("retry after fixing the cause: %v", err)
		}
		if n := count(t, db, (*models.Post)(nil)); n != 1 {
			t.Fatalf("%d posts, want 1", n)
		}
	})
}

func TestReviewGetRejectsFractionalKey(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := db.NewSession()
		defer s.Close()
		s.Add(&models.User{Username: "john", Email: "j@example.com"})
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		var u models.User
		if err := s.Get(ctx, &u, 1.5); err == nil {
			t.Errorf("Get(1.5) loaded %v, want an error", u)
		}
		var ws models.WebSession
		if err := s.Get(ctx, &ws, 65); err == nil || ws.Token == "A" {
			t.Errorf("Get(WebSession, 65) converted the int to %q, want an error", ws.Token)
		}
	})
}

func TestReviewSelfReferentialDeleteChildrenFirst(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			db := testdb.Open(t, d)
			testdb.CreateTables(t, db, (*reviewFailComment)(nil))
			s := db.NewSession()
			defer s.Close()
			parent := &reviewFailComment{Body: "parent"}
			child := &reviewFailComment{Body: "child", Parent: parent}
			s.Add(child) // parent reached through the pointer, inserted first
			if err := s.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			if child.ParentID == nil || *child.ParentID != parent.ID {
				t.Fatalf("child.ParentID = %v, want %d", child.ParentID, parent.ID)
			}
			s.Delete(parent)
			s.Delete(child)
			if err := s.Commit(ctx); err != nil {
				t.Fatalf("deleting parent then child in one commit: %v", err)
			}
		})
	}
}

// MySQL: a non-UTC time.Time is stored as its wall clock, not converted to UTC.
func TestReviewMySQLStoresNonUTCTimeShifted(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := db.NewSession()
		defer s.Close()
		ts := time.Date(2024, 3, 1, 12, 34, 56, 0, time.FixedZone("X", 5*3600+1800))
		p := &models.Post{Body: "a", Author: &models.User{Username: "j", Email: "j@x"}, Timestamp: ts}
		s.Add(p)
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		var got models.Post
		db.Bun.NewSelect().Model(&got).Where("id = ?", p.ID).Scan(ctx)
		if !got.Timestamp.Equal(ts) {
			t.Errorf("stored %v, want %v", got.Timestamp, ts)
		}
	})
}

func reviewFailStr(s string) *string { return &s }
