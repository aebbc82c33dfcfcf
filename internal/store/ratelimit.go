package store

import (
	"context"
	"fmt"
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
// atomic UPDATE (an INSERT for a new key, tried again as an UPDATE when another process
// inserted it first), in a transaction of its own, so concurrent processes never lose a
// hit and the count stays even when the attempt's own work is rolled back.
func Count(ctx context.Context, db *database.DB, key string, window time.Duration, now time.Time) (int, time.Time, error) {
	var row models.RateLimit
	hit := func(ctx context.Context, tx bun.Tx) error {
		expired := now.Add(-window)
		res, err := tx.NewUpdate().Model((*models.RateLimit)(nil)).
			Set("hits = CASE WHEN window_start <= ? THEN 1 ELSE hits + 1 END", expired).
			Set("window_start = CASE WHEN window_start <= ? THEN ? ELSE window_start END", expired, now).
			Where("? = ?", bun.Ident("key"), key).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.NewInsert().Model(&models.RateLimit{Key: key, Hits: 1, WindowStart: now}).Exec(ctx); err != nil {
				return err
			}
		}
		return tx.NewSelect().Model(&row).Where("? = ?", bun.Ident("key"), key).Scan(ctx)
	}
	// Processes that race on a new key may all find no row and insert it: the losers
	// fail on the primary key, or (InnoDB, whose UPDATE of a missing row takes a gap
	// lock) are chosen as deadlock victims; each try lets at least one of them through,
	// and the next try takes the UPDATE path.
	var err error
	for try := 0; try < maxHitTries; try++ {
		if err = db.Bun.RunInTx(ctx, nil, hit); err == nil || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("store: rate limit %s: %w", key, err)
	}
	return row.Hits, row.WindowStart.Add(window), nil
}

// Refund takes back one attempt counted under key in the window open at now, for an
// attempt that turned out not to be one the limit is about (a sign-in that succeeded).
// It is one atomic UPDATE; the count never goes below zero. An attempt that spans the end
// of its window may be taken from the next window instead: one count, at worst.
func Refund(ctx context.Context, db *database.DB, key string, window time.Duration, now time.Time) error {
	_, err := db.Bun.NewUpdate().Model((*models.RateLimit)(nil)).
		Set("hits = hits - 1").
		Where("? = ?", bun.Ident("key"), key).
		Where("hits > 0").
		Where("window_start > ?", now.Add(-window)).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: rate limit refund %s: %w", key, err)
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
