package jobs_test

import (
	"context"
	"testing"
	"time"
)

// Ping answers while the queue's store answers, and fails once it is gone: River's
// tables in the database (closed here), or Redis (the client closed).
func TestPing(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			db, q := openQueue(t, b)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := q.Ping(ctx); err != nil {
				t.Fatalf("Ping: %v", err)
			}
			if b.redis {
				q.Close()
			} else {
				db.SQL.Close()
			}
			if err := q.Ping(ctx); err == nil {
				t.Errorf("Ping after the %s store went away: nil error", q.Backend())
			}
		})
	}
}
