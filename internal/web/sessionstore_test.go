package web

import (
	"context"
	"errors"
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

// A request that loaded a session before another request signed it out does not bring it
// back when it saves; while the row exists, the same save updates it.
func TestSignedOutSessionIsNotBroughtBack(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			s := NewSessionStore(testdb.Migrated(t, d))
			expiry := time.Now().Add(time.Hour)
			for _, tok := range []string{"gone", "kept"} {
				if err := s.CommitCtx(ctx, tok, []byte("before"), expiry); err != nil {
					t.Fatal(err)
				}
			}
			late := context.WithValue(ctx, sessionRowKey{}, &sessionRow{})
			if _, found, err := s.FindCtx(late, "gone"); !found || err != nil {
				t.Fatalf("find: %v %v", found, err)
			}
			if err := s.DeleteCtx(ctx, "gone"); err != nil { // signed out in another tab
				t.Fatal(err)
			}
			if err := s.CommitCtx(late, "gone", []byte("after"), expiry); !errors.Is(err, errSessionEnded) {
				t.Fatalf("save of a signed-out session: %v, want errSessionEnded", err)
			}
			if _, found, _ := s.FindCtx(ctx, "gone"); found {
				t.Fatal("a signed-out session was brought back")
			}
			loaded := context.WithValue(ctx, sessionRowKey{}, &sessionRow{})
			s.FindCtx(loaded, "kept")
			if err := s.CommitCtx(loaded, "kept", []byte("after"), expiry); err != nil {
				t.Fatal(err)
			}
			if b, _, _ := s.FindCtx(ctx, "kept"); string(b) != "after" {
				t.Fatalf("kept session holds %q, want the update", b)
			}
		})
	}
}
