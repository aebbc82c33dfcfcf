package web_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"
)

type updateLog struct {
	mu  sync.Mutex
	sql []string
}

func (l *updateLog) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }
func (l *updateLog) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	if strings.HasPrefix(e.Query, "UPDATE \"user\"") {
		l.mu.Lock()
		l.sql = append(l.sql, e.Query)
		l.mu.Unlock()
	}
}

// last_seen is written at most once a minute per user, and never for static files.
func TestLastSeenAtMostOnceAMinute(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.register("john", "john@example.com", "correct-cat-battery")
	b.login("john", "correct-cat-battery")
	old := time.Now().UTC().Add(-2 * time.Minute)
	if _, err := s.db.Bun.NewRaw(`UPDATE "user" SET last_seen = ? WHERE username = 'john'`, old).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	log := &updateLog{}
	s.db.Bun.AddQueryHook(log)
	b.get("/explore")
	b.get("/explore")
	b.get("/static/bootstrap/bootstrap.min.css")
	if len(log.sql) != 1 || !strings.Contains(log.sql[0], "last_seen") {
		t.Fatalf("user updates for two pages and a static file within a minute: %q, want one of last_seen", log.sql)
	}
}
