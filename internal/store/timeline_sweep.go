package store

import (
	"context"
	"fmt"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
)

const (
	// TimelineSweepGrace is how long past TimelineLifetime a timeline is left before
	// DeleteExpiredTimelines deletes it: a post whose fan-out chose the timeline while
	// it was live (or on an app server whose clock is a little behind) may still be
	// adding an entry to it, and the sweep must not delete its state row under that
	// entry's foreign key.
	TimelineSweepGrace = 10 * time.Minute
	// timelineSweepBatch is how many expired timelines one look-up of
	// DeleteExpiredTimelines finds; each is then deleted by a statement of its own.
	timelineSweepBatch = 100
)

// DeleteExpiredTimelines deletes the materialized timelines built before now minus
// TimelineLifetime and TimelineSweepGrace (their timeline_state rows, and their entries
// by the ON DELETE CASCADE of timeline.user_id) and returns how many. Reads ignore
// those timelines and posts no longer reach them; without the sweep, a user who stopped
// reading would keep about 600 entries for good. The next read of a deleted one builds
// it again, as after an expiry.
//
// Each timeline goes in a transaction of its own (one statement), so the sweep holds
// the write lock for one timeline's rows at a time, and on MariaDB never holds one
// user's rows while waiting for another's: a post's fan-out reads the timeline_state
// rows of the author's followers with shared locks, and a statement deleting several
// users' timelines could deadlock with it. The statement deletes the row only if it is
// still expired (built_at in its WHERE), so a timeline rebuilt meanwhile stays.
func DeleteExpiredTimelines(ctx context.Context, db *database.DB, now time.Time) (int64, error) {
	cutoff := now.UTC().Add(-TimelineLifetime - TimelineSweepGrace)
	var deleted int64
	after := int64(0)
	for {
		var ids []int64
		if err := db.Bun.NewSelect().Model((*models.TimelineState)(nil)).Column("user_id").
			Where("user_id > ? AND built_at <= ?", after, cutoff).Order("user_id").
			Limit(timelineSweepBatch).Scan(ctx, &ids); err != nil {
			return deleted, fmt.Errorf("store: expired timelines: %w", err)
		}
		for _, id := range ids {
			res, err := db.Bun.NewDelete().Model((*models.TimelineState)(nil)).
				Where("user_id = ? AND built_at <= ?", id, cutoff).Exec(ctx)
			if err != nil {
				return deleted, fmt.Errorf("store: delete expired timeline of user %d: %w", id, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return deleted, fmt.Errorf("store: delete expired timeline of user %d: %w", id, err)
			}
			deleted += n
		}
		if len(ids) < timelineSweepBatch {
			return deleted, nil
		}
		after = ids[len(ids)-1]
	}
}
