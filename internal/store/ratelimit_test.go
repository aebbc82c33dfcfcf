package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
	"github.com/uptrace/bun"
)

func TestRateLimitWindows(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
		for i := 1; i <= 4; i++ {
			ok, until, err := store.Hit(ctx, db, "login-ip:1.2.3.4", 3, time.Minute, now.Add(time.Duration(i)*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			if ok != (i <= 3) || !until.Equal(now.Add(time.Second+time.Minute)) {
				t.Fatalf("hit %d: ok=%v until=%v", i, ok, until)
			}
		}
		if ok, _, _ := store.Hit(ctx, db, "login-ip:5.6.7.8", 3, time.Minute, now); !ok {
			t.Error("another key shares the count")
		}
		if ok, _, _ := store.Hit(ctx, db, "login-ip:1.2.3.4", 3, time.Minute, now.Add(2*time.Minute)); !ok {
			t.Error("a new window did not reset the count")
		}
	})
}

// Concurrent hits are all counted, including the first ones that race to create the row.
func TestRateLimitConcurrentHits(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		store.Hit(ctx, db, "k", 1000, time.Hour, now)
		for range 5 {
			var wg sync.WaitGroup
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, _, err := store.Hit(ctx, db, "fresh", 1000, time.Hour, now); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
		}
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, _, err := store.Hit(ctx, db, "k", 1000, time.Hour, now); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		var hits, fresh int
		db.SQL.QueryRow(`SELECT hits FROM rate_limit WHERE hits > 20`).Scan(&hits)
		db.SQL.QueryRow(`SELECT hits FROM rate_limit WHERE hits = 20`).Scan(&fresh)
		if hits != 21 || fresh != 20 {
			t.Fatalf("hits = %d and %d, want 21 and 20", hits, fresh)
		}
	})
}

// Count returns the running count; Refund takes back one attempt of the open window,
// never below zero and never from a window that has ended.
func TestRateLimitCountAndRefund(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
		for i := 1; i <= 3; i++ {
			n, until, err := store.Count(ctx, db, "signin-acct:x", time.Minute, now.Add(time.Duration(i)*time.Second))
			if err != nil || n != i || !until.Equal(now.Add(time.Second+time.Minute)) {
				t.Fatalf("count %d: n=%d until=%v err=%v", i, n, until, err)
			}
		}
		for range 2 {
			if err := store.Refund(ctx, db, time.Minute, now.Add(10*time.Second), "signin-acct:x"); err != nil {
				t.Fatal(err)
			}
		}
		if n, _, _ := store.Count(ctx, db, "signin-acct:x", time.Minute, now.Add(11*time.Second)); n != 2 {
			t.Fatalf("after two refunds and a count: %d, want 2", n)
		}
		for range 3 {
			if err := store.Refund(ctx, db, time.Minute, now.Add(12*time.Second), "signin-acct:x"); err != nil {
				t.Fatal(err)
			}
		}
		if n, _, _ := store.Count(ctx, db, "signin-acct:x", time.Minute, now.Add(13*time.Second)); n != 1 {
			t.Fatalf("refunds went below zero: count %d, want 1", n)
		}
		// The window ended: a late refund leaves the stored count as it was, and the next
		// count starts afresh.
		if err := store.Refund(ctx, db, time.Minute, now.Add(2*time.Minute), "signin-acct:x"); err != nil {
			t.Fatal(err)
		}
		var row models.RateLimit
		if err := db.Bun.NewSelect().Model(&row).Where("? = ?", bun.Ident("key"), "signin-acct:x").Scan(ctx); err != nil || row.Hits != 1 {
			t.Fatalf("after a refund past the window: hits %d (%v), want 1", row.Hits, err)
		}
		if n, _, _ := store.Count(ctx, db, "signin-acct:x", time.Minute, now.Add(2*time.Minute)); n != 1 {
			t.Fatalf("new window: %d, want 1", n)
		}
		if err := store.Refund(ctx, db, time.Minute, now, "no-such-key"); err != nil {
			t.Errorf("refund of an unknown key: %v", err)
		}
		// One refund takes back the attempt under every key it was counted under.
		for _, k := range []string{"pair", "addr", "addr"} {
			if _, _, err := store.Count(ctx, db, k, time.Minute, now); err != nil {
				t.Fatal(err)
			}
		}
		if err := store.Refund(ctx, db, time.Minute, now, "pair", "addr"); err != nil {
			t.Fatal(err)
		}
		for k, want := range map[string]int{"pair": 1, "addr": 2} { // the counts after one more hit
			if n, _, _ := store.Count(ctx, db, k, time.Minute, now); n != want {
				t.Errorf("%s after refunding both keys and counting again: %d, want %d", k, n, want)
			}
		}
	})
}
