package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
)

// The materialized home timeline (tables timeline_state and timeline; docs/performance.md,
// section 1). A user's timeline is built at the first read of one of its first
// TimelineDepth posts: the newest TimelineDepth post ids of the feed, copied by one
// INSERT … SELECT. From then on AddPost adds every new post to the timelines of its
// author and of the author's followers that have one (built within TimelineLifetime),
// in the post's transaction, and a follow or unfollow drops the follower's timeline (it
// is built again at the next read).
// A timeline therefore always holds every post of its feed from the newest down to its
// oldest entry, and any page that the entries fill is the feed's page.
const (
	// TimelineDepth is how many posts a timeline is built with, and the deepest a page
	// may end to be read from it (offset+limit); deeper pages run the plain query.
	TimelineDepth = 500
	// timelineSlack is how many entries beyond TimelineDepth a trim leaves in place.
	timelineSlack = 100
	// trimOneIn: a read of a materialized timeline's first page whose newest post's id
	// is a multiple of trimOneIn also trims the timeline back to TimelineDepth entries,
	// if it has more than TimelineDepth+timelineSlack: about once per trimOneIn new
	// posts of the feed (entries grow by one per post), deterministically.
	trimOneIn = 64
	// TimelineLifetime is how long a built timeline is kept up to date: older ones get
	// no new entries and are not read; the next read builds them again. It bounds the
	// fan-out and the entries kept up to date to users who read their feed lately.
	TimelineLifetime = 24 * time.Hour
)

// liveSince is the oldest built_at of a timeline still kept up to date.
func liveSince() time.Time { return time.Now().UTC().Add(-TimelineLifetime) }

// AddPost adds the post p (written by p.Author or p.UserID) to the session and, in the
// session's transaction, to the materialized timelines of its author and of the
// author's followers: the caller commits. Every post written by the app goes through
// AddPost; a post added to a session directly is missing from the timelines that exist
// (the bulk seeder writes posts before any timeline does).
func AddPost(ctx context.Context, s *database.Session, p *models.Post) error {
	if err := s.Add(p); err != nil {
		return fmt.Errorf("store: add post: %w", err)
	}
	if err := s.Flush(ctx); err != nil {
		return fmt.Errorf("store: add post: %w", err)
	}
	// The timestamp is copied from the row as stored (see UserPostsAfter), and the UNION
	// makes one entry of a post whose author follows themselves. On PostgreSQL the
	// timeline_state rows are read FOR KEY SHARE: a follow deleting one of them (not yet
	// committed) is waited for and its row then skipped; read plainly, the entry's
	// foreign key check would wait for it and fail. InnoDB's INSERT … SELECT locks them.
	fanOut := `INSERT INTO timeline (user_id, timestamp, post_id)
SELECT ts.user_id, tp.timestamp, tp.id FROM post AS tp
CROSS JOIN (SELECT f.follower_id AS uid FROM followers AS f WHERE f.followed_id = ? UNION SELECT ?) AS who
JOIN timeline_state AS ts ON ts.user_id = who.uid AND ts.built_at > ?
WHERE tp.id = ?`
	switch s.NewSelect().Dialect().Name() {
	case dialect.PG:
		fanOut += " FOR KEY SHARE OF ts"
	case dialect.MySQL:
		// The author's followers rows first, with shared locks. The INSERT … SELECT
		// locks them too, but in the optimizer's order, timeline_state rows first at
		// times; a follow or unfollow writes followers and then timeline_state (Follow),
		// and the other order deadlocks with it.
		var followers []int64
		if err := s.NewRaw("SELECT follower_id FROM followers WHERE followed_id = ? LOCK IN SHARE MODE", p.UserID).Scan(ctx, &followers); err != nil {
			return fmt.Errorf("store: add post %d to the timelines: %w", p.ID, err)
		}
	}
	if _, err := s.NewRaw(fanOut, p.UserID, p.UserID, liveSince(), p.ID).Exec(ctx); err != nil {
		return fmt.Errorf("store: add post %d to the timelines: %w", p.ID, err)
	}
	return nil
}

// dropTimeline deletes user userID's materialized timeline (its entries go with the
// state row), in the session's transaction.
func dropTimeline(ctx context.Context, s *database.Session, userID int64) error {
	if _, err := s.NewDelete().Model((*models.TimelineState)(nil)).Where("user_id = ?", userID).Exec(ctx); err != nil {
		return fmt.Errorf("drop timeline of user %d: %w", userID, err)
	}
	return nil
}

// materializedPage answers a page of u's feed from u's materialized timeline: ok is
// false when it cannot (the page is not filled by the entries of a timeline that
// exists), and the caller runs the plain query. A missing timeline is built first, when
// the session has nothing uncommitted (the build commits through the session).
func materializedPage(ctx context.Context, s *database.Session, u *models.User, limit, offset int) (_ []*models.Post, ok bool, _ error) {
	page, err := timelinePage(ctx, s, u, limit, offset)
	if err != nil {
		return nil, false, err
	}
	if len(page) == limit {
		if offset == 0 && page[0].ID%trimOneIn == 0 && !s.Pending() {
			// Upkeep, not the answer: a trim that fails (a lock timeout) is undone and
			// left to a later read.
			if err := TrimTimeline(ctx, s, u.ID); err != nil {
				if rerr := s.Rollback(ctx); rerr != nil {
					return nil, false, fmt.Errorf("%w (rollback: %w)", err, rerr)
				}
			}
		}
		return page, true, nil
	}
	var built []time.Time
	if err := s.NewSelect().Model((*models.TimelineState)(nil)).Column("built_at").Where("user_id = ?", u.ID).Scan(ctx, &built); err != nil {
		return nil, false, fmt.Errorf("store: timeline state of %s: %w", u.Username, err)
	}
	expired := len(built) > 0 && !built[0].After(liveSince())
	if (len(built) > 0 && !expired) || s.Pending() {
		// A timeline too short for this page (a small feed, or entries deleted with
		// their posts or trimmed); or uncommitted changes that a build would commit.
		return nil, false, nil
	}
	if err := buildTimeline(ctx, s, u.ID, expired); err != nil {
		// Another transaction's conflicting write (a deadlock, a post deleted under the
		// build): the plain query answers, the next read builds.
		if rerr := s.Rollback(ctx); rerr != nil {
			return nil, false, fmt.Errorf("store: build timeline of %s: %w (rollback: %w)", u.Username, err, rerr)
		}
		return nil, false, nil
	}
	if page, err = timelinePage(ctx, s, u, limit, offset); err != nil {
		return nil, false, err
	}
	// A short page is not trusted even from a timeline just built with the whole feed:
	// a follow may have dropped it since the build committed (the page is then empty),
	// and the plain query answers.
	return page, len(page) == limit, nil
}

// timelinePage reads one page of u's materialized timeline: the post ids by a range
// scan of timeline's primary key, then the posts and their authors. Its values are bound
// (NewSelectBound), so that the statement's text is one per page number and stays
// prepared, instead of one per reader and instant; the posts and authors are a
// read-only listing, not tracked by the session (database.Untracked).
func timelinePage(ctx context.Context, s *database.Session, u *models.User, limit, offset int) ([]*models.Post, error) {
	ids := s.NewSelect().Model((*models.TimelineEntry)(nil)).Column("tl.post_id").
		Join("JOIN timeline_state AS ts ON ts.user_id = tl.user_id AND ts.built_at > ?", database.Param).
		Where("tl.user_id = ?", database.Param).OrderExpr("tl.timestamp DESC, tl.post_id DESC").
		Limit(int64(limit)).Offset(int64(offset))
	return posts(database.Untracked(ctx), s.NewSelectBound(liveSince(), u.ID), "timeline of "+u.Username, 0, 0, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Join("JOIN (?) AS page ON page.post_id = p.id", ids)
	})
}

// buildTimeline materializes user userID's timeline and commits it through the session
// (which holds nothing uncommitted): a timeline_state row, then the feed's newest
// TimelineDepth post ids. When another session built it meanwhile, the state row is
// there already and nothing is written; when expired, a state row past TimelineLifetime
// is deleted first.
//
// On PostgreSQL and MariaDB the build first locks the rows of the user and of the users
// they follow (FOR UPDATE), in id order: a post being written holds its author's row
// through its foreign key until it commits, and a follow or unfollow locks the
// follower's row (Follow locks both of its users', in id order too), so that each of
// those either commits before the build reads the feed or waits for the build and then
// sees its timeline_state row. One order for every user row taken keeps builds and
// follows from deadlocking one another (and the posts queued behind them). The followed
// ids are read before the transaction, then again under the user's lock: a user
// followed in between fails the build. SQLite runs one write transaction at a time.
func buildTimeline(ctx context.Context, s *database.Session, userID int64, expired bool) error {
	d := s.NewSelect().Dialect().Name()
	if d == dialect.SQLite {
		if _, err := s.SQLTx(ctx); err != nil {
			return err
		}
	} else {
		const read = "SELECT followed_id FROM followers WHERE follower_id = ?"
		var followed []int64
		if err := s.NewRaw(read, userID).Scan(ctx, &followed); err != nil {
			return fmt.Errorf("followed users: %w", err)
		}
		if err := lockUsers(ctx, s, append(followed, userID)...); err != nil {
			return err
		}
		// Read again under the lock. On MariaDB a shared locking read: an exclusive one
		// would lock the rows that a post's fan-out reads (a deadlock), and a plain one
		// would fix the transaction's snapshot before the locks are held.
		again := read
		if d == dialect.MySQL {
			again += " LOCK IN SHARE MODE"
		}
		var now []int64
		if err := s.NewRaw(again, userID).Scan(ctx, &now); err != nil {
			return fmt.Errorf("followed users: %w", err)
		}
		for _, id := range now {
			if !slices.Contains(followed, id) {
				return fmt.Errorf("user %d followed user %d during the build", userID, id)
			}
		}
	}
	if expired {
		// The timeline past its lifetime goes (its entries with it), after the locks:
		// its gap locks on MariaDB would otherwise meet a post's fan-out (a deadlock).
		if _, err := s.NewDelete().Model((*models.TimelineState)(nil)).Where("user_id = ? AND built_at <= ?", userID, liveSince()).Exec(ctx); err != nil {
			return fmt.Errorf("expired timeline: %w", err)
		}
	}
	res, err := s.NewInsert().Model(&models.TimelineState{UserID: userID, BuiltAt: time.Now().UTC()}).Ignore().Exec(ctx)
	if err != nil {
		return fmt.Errorf("timeline state: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err == nil {
			err = s.Commit(ctx) // built by another session meanwhile
		}
		return err
	}
	const feed = `SELECT ? AS user_id, tp.timestamp AS timestamp, tp.id AS post_id
FROM (SELECT followed_id AS uid FROM followers WHERE follower_id = ? UNION SELECT ?) AS who
JOIN post AS tp ON tp.user_id = who.uid
ORDER BY tp.timestamp DESC, tp.id DESC LIMIT ?`
	if d == dialect.MySQL {
		// InnoDB reads the SELECT of an INSERT … SELECT with shared locks, which wait for
		// a post being inserted whose author's row this transaction holds (a deadlock): a
		// plain read (its snapshot taken now, after the locks), then the rows.
		var entries []models.TimelineEntry
		if err := s.NewRaw(feed, userID, userID, userID, TimelineDepth).Scan(ctx, &entries); err != nil {
			return fmt.Errorf("timeline entries: %w", err)
		}
		if len(entries) > 0 {
			if _, err := s.NewInsert().Model(&entries).Exec(ctx); err != nil {
				return fmt.Errorf("timeline entries: %w", err)
			}
		}
	} else if _, err := s.NewRaw("INSERT INTO timeline (user_id, timestamp, post_id)\n"+feed, userID, userID, userID, TimelineDepth).Exec(ctx); err != nil {
		return fmt.Errorf("timeline entries: %w", err)
	}
	return s.Commit(ctx)
}

// TrimTimeline deletes the oldest entries of user userID's materialized timeline beyond
// its newest TimelineDepth, if it has more than TimelineDepth plus some slack, and
// commits through the session (which must hold nothing uncommitted). A read of a
// materialized page calls it now and then; what remains is still every post of the feed
// from the newest down to the oldest entry kept.
func TrimTimeline(ctx context.Context, s *database.Session, userID int64) error {
	var extra []int64
	if err := s.NewSelect().Model((*models.TimelineEntry)(nil)).Column("tl.post_id").
		Where("tl.user_id = ?", userID).OrderExpr("tl.timestamp DESC, tl.post_id DESC").
		Limit(1<<30).Offset(TimelineDepth).Scan(ctx, &extra); err != nil {
		return fmt.Errorf("store: trim timeline of user %d: %w", userID, err)
	}
	if len(extra) <= timelineSlack {
		return nil
	}
	if _, err := s.NewDelete().Model((*models.TimelineEntry)(nil)).
		Where("user_id = ? AND post_id IN (?)", userID, bun.List(extra)).Exec(ctx); err != nil {
		return fmt.Errorf("store: trim timeline of user %d: %w", userID, err)
	}
	if err := s.Commit(ctx); err != nil {
		return fmt.Errorf("store: trim timeline of user %d: %w", userID, err)
	}
	return nil
}
