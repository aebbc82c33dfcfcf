package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/uptrace/bun"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
)

// maxHitTries bounds the tries of one hit that keeps losing races on its key.
const maxHitTries = 8

// Hit counts one attempt under key in a fixed window and reports whether the attempt is
// within limit, and when the window ends.
func Hit(ctx context.Context, db *database.DB, key string, limit int, window time.Duration, now time.Time) (bool, time.Time, error) {
	hits, until, err := Count(ctx, db, key, window, now)
	return hits <= limit, until, err
}

// Count counts one attempt under key in a fixed window and returns the attempts counted
// in the window so far, this one included, and when the window ends. The count is one
// atomic upsert, in a transaction of its own, so concurrent processes never lose a hit
// and the count stays even when the attempt's own work is rolled back.
func Count(ctx context.Context, db *database.DB, key string, window time.Duration, now time.Time) (int, time.Time, error) {
	var row models.RateLimit
	hit := func(ctx context.Context, tx bun.Tx) error {
		expired := now.Add(-window)
		// One statement inserts a new key or counts on an existing one: no window in
		// which racers on a new key can all miss the row (an UPDATE that finds nothing
		// and then an INSERT deadlocked InnoDB's gap locks in 5 of 8 parallel sign-ins).
		q := tx.NewInsert().Model(&models.RateLimit{Key: key, Hits: 1, WindowStart: now})
		if db.Dialect == database.MySQL {
			// MySQL assigns left to right: hits reads the old window_start.
			q = q.On("DUPLICATE KEY UPDATE").
				Set("hits = IF(window_start <= ?, 1, hits + 1)", expired).
				Set("window_start = IF(window_start <= ?, VALUES(window_start), window_start)", expired)
		} else {
			q = q.On("CONFLICT (?) DO UPDATE", bun.Ident("key")).
				Set("hits = CASE WHEN rl.window_start <= ? THEN 1 ELSE rl.hits + 1 END", expired).
				Set("window_start = CASE WHEN rl.window_start <= ? THEN EXCLUDED.window_start ELSE rl.window_start END", expired)
		}
		if _, err := q.Exec(ctx); err != nil {
			return err
		}
		return tx.NewSelect().Model(&row).Where("? = ?", bun.Ident("key"), key).Scan(ctx)
	}
	// InnoDB may still choose a deadlock victim among concurrent upserts of one new key;
	// the victim tries again after a short random pause, so racers do not meet again in
	// step. Nothing else is tried again: an unreachable or locked database would only
	// make the request wait several times as long before its 503.
	var err error
	for try := 1; ; try++ {
		err = db.Bun.RunInTx(ctx, nil, hit)
		if err == nil || !database.IsDeadlock(err) || try == maxHitTries {
			break
		}
		select {
		case <-time.After(time.Duration(1+rand.IntN(5*try)) * time.Millisecond):
		case <-ctx.Done():
		}
	}
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("store: rate limit %s: %w", key, err)
	}
	return row.Hits, row.WindowStart.Add(window), nil
}

// Refund takes back one attempt counted under each of keys in the window open at now,
// for an attempt that turned out not to be one the limits are about (a sign-in that
// succeeded). It is one atomic UPDATE; no count goes below zero. An attempt that spans
// the end of its window may be taken from the next window instead: one count, at worst.
func Refund(ctx context.Context, db *database.DB, window time.Duration, now time.Time, keys ...string) error {
	_, err := db.Bun.NewUpdate().Model((*models.RateLimit)(nil)).
		Set("hits = hits - 1").
		Where("? IN (?)", bun.Ident("key"), bun.In(keys)).
		Where("hits > 0").
		Where("window_start > ?", now.Add(-window)).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: rate limit refund %v: %w", keys, err)
	}
	return nil
}

// DeleteStaleRateLimits removes the counts whose window began before cutoff: a key not
// hit again since is worth nothing, and without this every address and account ever
// tried would keep a row.
func DeleteStaleRateLimits(ctx context.Context, db *database.DB, cutoff time.Time) (int64, error) {
	res, err := db.Bun.NewDelete().Model((*models.RateLimit)(nil)).Where("window_start < ?", cutoff).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: delete stale rate limits: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
