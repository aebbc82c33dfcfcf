package web

import (
	"context"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"

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
