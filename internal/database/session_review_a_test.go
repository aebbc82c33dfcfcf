package database_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
)

type reviewComment struct {
	ID       int64          `bun:"id,pk,autoincrement"`
	Body     string         `bun:"body,notnull"`
	ParentID *int64         `bun:"parent_id"`
	Parent   *reviewComment `bun:"rel:belongs-to,join:parent_id=id"`
}

func reviewStr(s string) *string { return &s }

// A failed Commit must leave objects as they were just before it, including changes
// made to an object after an earlier Flush inserted it.
// Delete, autoflush, re-Add the same object, then a failure: retrying must not re-insert
// a row that the rollback brought back.
// Loaded objects, unchanged, must not produce UPDATEs (times round-trip exactly).
func TestReviewNoPhantomUpdatesAfterReload(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		log := &queryLog{}
		db.Bun.AddQueryHook(log)
		s := db.NewSession()
		defer s.Close()
		ts := time.Date(2024, 3, 1, 12, 34, 56, 123456789, time.UTC)
		u := &models.User{Username: "john", Email: "j@example.com"}
		s.Add(&models.Post{Body: "a", Author: u, Timestamp: ts})
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		// the inserted, committed objects themselves
		log.take()
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if q := log.take(); len(q) != 0 {
			t.Errorf("commit of unchanged inserted objects ran %q", q)
		}
		s2 := db.NewSession()
		defer s2.Close()
		var posts []*models.Post
		if err := s2.NewSelect().Model(&posts).Relation("Author").Scan(ctx); err != nil {
			t.Fatal(err)
		}
		var vals []models.Post
		if err := s2.NewSelect().Model(&vals).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		var one models.User
		if err := s2.Get(ctx, &one, u.ID); err != nil {
			t.Fatal(err)
		}
		if d := posts[0].Timestamp.Sub(ts); d < -time.Second || d > time.Second {
			t.Errorf("timestamp round trip %v -> %v", ts, posts[0].Timestamp)
		}
		log.take()
		if err := s2.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if q := log.take(); len(q) != 0 {
			t.Errorf("commit with nothing changed ran %q", q)
		}
		if s2.Pending() {
			t.Error("Pending() after a no-op commit")
		}
		// Relation("Author") objects are tracked.
		posts[0].Author.AboutMe = reviewStr("via relation")
		if err := s2.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		var got models.User
		db.Bun.NewSelect().Model(&got).Where("id = ?", u.ID).Scan(ctx)
		if got.AboutMe == nil || *got.AboutMe != "via relation" {
			t.Errorf("change to a Relation-loaded author not written: %v", got.AboutMe)
		}
		// Setting a time to an equal instant with sub-precision noise must not fail (MySQL found rows).
		posts[0].Timestamp = posts[0].Timestamp.Add(100 * time.Nanosecond)
		if err := s2.Commit(ctx); err != nil {
			t.Errorf("update with a value equal after rounding: %v", err)
		}
		vals[0].Body = "changed value elem"
		if err := s2.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		var gp models.Post
		db.Bun.NewSelect().Model(&gp).Where("id = ?", vals[0].ID).Scan(ctx)
		if gp.Body != "changed value elem" {
			t.Errorf("[]T element change not written: %q", gp.Body)
		}
	})
}

// Two sessions committing at once on SQLite must both succeed.
func TestReviewConcurrentSQLiteSessions(t *testing.T) {
	db := testdb.Migrated(t, database.SQLite)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				s := db.NewSession()
				// read first (no lock), then write: the classic deadlock-upgrade pattern
				var n int
				if err := s.NewRaw("SELECT count(*) FROM user").Scan(ctx, &n); err != nil {
					errs <- err
				}
				s.Add(&models.User{Username: string(rune('a'+g)) + string(rune('a'+i)), Email: string(rune('a'+g)) + string(rune('a'+i)) + "@x"})
				if err := s.Commit(ctx); err != nil {
					errs <- err
				}
				s.Close()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := count(t, db, (*models.User)(nil)); n != 40 {
		t.Errorf("%d users, want 40", n)
	}
}

// Autoflush, Rollback, reuse.
func TestReviewAutoflushRollbackReuse(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := db.NewSession()
		defer s.Close()
		u := &models.User{Username: "john", Email: "j@example.com"}
		p := &models.Post{Body: "x", Author: u}
		s.Add(p)
		var n int
		if err := s.NewRaw("SELECT count(*) FROM post").Scan(ctx, &n); err != nil || n != 1 {
			t.Fatal(n, err)
		}
		if err := s.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		if u.ID != 0 || p.ID != 0 || p.UserID != 0 || !p.Timestamp.IsZero() {
			t.Errorf("after rollback u.ID=%d p.ID=%d p.UserID=%d ts=%v", u.ID, p.ID, p.UserID, p.Timestamp)
		}
		if s.Pending() {
			t.Error("pending after rollback")
		}
		s.Add(p)
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if count(t, db, (*models.Post)(nil)) != 1 || count(t, db, (*models.User)(nil)) != 1 {
			t.Error("re-adding after rollback did not write both")
		}
		// has-many cascade on a loaded parent
		var lu models.User
		if err := s.Get(ctx, &lu, u.ID); err != nil {
			t.Fatal(err)
		}
		lu.Posts = append(lu.Posts, &models.Post{Body: "via posts"})
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if lu.Posts[0].UserID != u.ID || count(t, db, (*models.Post)(nil)) != 2 {
			t.Errorf("has-many cascade: %+v", lu.Posts[0])
		}
	})
}
