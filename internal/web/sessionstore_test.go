package web

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
)

var _ scs.CtxStore = (*SessionStore)(nil)

func TestSessionStore(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			s := NewSessionStore(testdb.Migrated(t, d))
			now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
			s.now = func() time.Time { return now }
			if _, found, err := s.FindCtx(ctx, "nope"); found || err != nil {
				t.Fatalf("missing token: found=%v err=%v", found, err)
			}
			if err := s.CommitCtx(ctx, "tok", []byte("one"), now.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if err := s.CommitCtx(ctx, "tok", []byte("two"), now.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if b, found, err := s.FindCtx(ctx, "tok"); !found || err != nil || string(b) != "two" {
				t.Fatalf("find = %q %v %v", b, found, err)
			}
			s.CommitCtx(ctx, "old", []byte("x"), now.Add(time.Minute))
			now = now.Add(2 * time.Minute)
			if _, found, _ := s.FindCtx(ctx, "old"); found {
				t.Error("expired session found")
			}
			if n, err := s.DeleteExpired(ctx); n != 1 || err != nil {
				t.Errorf("delete expired = %d, %v", n, err)
			}
			if err := s.DeleteCtx(ctx, "tok"); err != nil {
				t.Fatal(err)
			}
			if _, found, _ := s.FindCtx(ctx, "tok"); found {
				t.Error("deleted session found")
			}
		})
	}
}

// Many saves of one token at once all succeed and leave one row: the save is one atomic
// upsert (DELETE then INSERT raced into duplicate keys on PostgreSQL).
func TestSessionStoreConcurrentCommits(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			db := testdb.Migrated(t, d)
			s := NewSessionStore(db)
			expiry := time.Now().Add(time.Hour)
			errs := make(chan error, 50)
			var wg sync.WaitGroup
			for i := range 50 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- s.CommitCtx(ctx, "tok", []byte(fmt.Sprint(i)), expiry)
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			n, err := db.Bun.NewSelect().Model((*models.WebSession)(nil)).Count(ctx)
			if err != nil || n != 1 {
				t.Fatalf("rows = %d, %v; want 1", n, err)
			}
		})
	}
}
