package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
)

// FollowingPosts is u's timeline: u's own posts and those of the users u follows, newest
// first, with their authors loaded in the same query (one statement whatever the page
// size). limit <= 0 means no limit. The page is a read-only listing, not tracked by the
// session (see AllPosts).
//
// The page is chosen first, by post id alone, in a derived table that reads only the
// index ix_post_user_id_timestamp_id (user_id, timestamp, id): the followed users' posts
// are sorted from the index's entries, and only the page's rows are read from the post
// table. Sorting whole rows instead (an OR of "own" and "followed" on ix_post_user_id)
// read every followed post's row, about 10,000 for 100 follows, on each request
// (docs/performance.md). The authors are a derived table joined to post, not an IN
// (subquery): MariaDB runs an IN of a UNION as a dependent subquery for every row of
// the timestamp index; UNION, not UNION ALL, so that a user who follows themselves (a
// row the app never writes, but the table allows) sees each own post once.
//
// A page that ends within the first TimelineDepth posts is read from u's materialized
// timeline (timeline.go), built at the first such read: a range scan of about limit
// entries instead of the followed users' index entries. Deeper pages, and pages that
// the timeline cannot fill, run the query above.
func FollowingPosts(ctx context.Context, s *database.Session, u *models.User, limit, offset int) ([]*models.Post, error) {
	if limit > 0 && offset >= 0 && offset+limit <= TimelineDepth && u.ID != 0 {
		page, ok, err := materializedPage(ctx, s, u, limit, offset)
		if err != nil || ok {
			return page, err
		}
	}
	return feedPosts(ctx, s, u, limit, offset)
}

// feedPosts is FollowingPosts without the materialized timeline: the query described there.
func feedPosts(ctx context.Context, s *database.Session, u *models.User, limit, offset int) ([]*models.Post, error) {
	page := feedIDs(s, u).OrderExpr("tp.timestamp DESC, tp.id DESC")
	if limit > 0 {
		page = page.Limit(int64(limit)).Offset(int64(offset))
	}
	return postsIn(database.Untracked(ctx), s.NewSelect(), "following posts of "+u.Username, page)
}

// feedIDs selects the ids (tp.id) of the posts of u's timeline, unordered: u's own and
// those of the users u follows.
func feedIDs(s *database.Session, u *models.User) *bun.SelectQuery {
	return s.NewSelect().
		TableExpr("(SELECT followed_id AS uid FROM followers WHERE follower_id = ? UNION SELECT ?) AS who", u.ID, u.ID).
		Join("JOIN post AS tp ON tp.user_id = who.uid").ColumnExpr("tp.id")
}

// UserPosts lists u's posts, newest first. Like AllPosts, it is a read-only listing: the
// session does not track the posts and authors it loads (database.Untracked).
func UserPosts(ctx context.Context, s *database.Session, u *models.User, limit, offset int) ([]*models.Post, error) {
	ctx = database.Untracked(ctx)
	if limit > 0 {
		// Bound: one statement per page number for every user, kept prepared (a
		// profile's text with the user's id in it was parsed again on every visit:
		// 11% of a profile page's CPU, docs/performance.md section 19).
		page := allIDs(s).Where("p.user_id = ?", database.Param)
		return pageOfIDs(ctx, s.NewSelectBound(u.ID), "posts of "+u.Username, page, limit, offset)
	}
	return posts(ctx, s.NewSelect(), "posts of "+u.Username, limit, offset, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("p.user_id = ?", u.ID)
	})
}

// AllPosts lists every post, newest first (the Explore page). Like FollowingPosts's
// pages, it is a read-only listing: the session does not track the posts and authors it
// loads (database.Untracked), so changes made to them are not saved.
func AllPosts(ctx context.Context, s *database.Session, limit, offset int) ([]*models.Post, error) {
	// Bound (with no values): the statement is one per page and stays prepared.
	if limit > 0 {
		return pageOfIDs(database.Untracked(ctx), s.NewSelectBound(), "all posts", allIDs(s), limit, offset)
	}
	return posts(database.Untracked(ctx), s.NewSelectBound(), "all posts", limit, offset, func(q *bun.SelectQuery) *bun.SelectQuery { return q })
}

// allIDs and userIDs select the ids (p.id) of Explore's and u's profile's posts,
// unordered (feedIDs: the timeline's).
func allIDs(s *database.Session) *bun.SelectQuery {
	return s.NewSelect().ColumnExpr("p.id").TableExpr("post AS p")
}

func userIDs(s *database.Session, u *models.User) *bun.SelectQuery {
	return allIDs(s).Where("p.user_id = ?", u.ID)
}

// pageOfIDs runs the page (limit, offset) of a post listing whose ids page selects: the
// page is chosen by id alone, from an index, and only its posts and authors are read.
// Joined in the same query, every post an offset skipped was read with its author:
// Explore's page 38,000 took 9.6 s on the data set; chosen by id, a random deep
// page took 23 ms (median; docs/performance.md, section 14).
func pageOfIDs(ctx context.Context, base *bun.SelectQuery, what string, page *bun.SelectQuery, limit, offset int) ([]*models.Post, error) {
	page = page.OrderExpr("p.timestamp DESC, p.id DESC").Limit(int64(limit)).Offset(int64(offset))
	return postsIn(ctx, base, what, page)
}

// postsIn runs a post listing whose page of ids the query page selects (a derived table
// joined to post): newest first, authors joined in.
func postsIn(ctx context.Context, base *bun.SelectQuery, what string, page *bun.SelectQuery) ([]*models.Post, error) {
	return posts(ctx, base, what, 0, 0, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Join("JOIN (?) AS page ON page.id = p.id", page)
	})
}

// posts runs one page of a post listing on base (a session's NewSelect or
// NewSelectBound), newest first, authors joined in.
func posts(ctx context.Context, base *bun.SelectQuery, what string, limit, offset int, filter func(*bun.SelectQuery) *bun.SelectQuery) ([]*models.Post, error) {
	var out []*models.Post
	q := filter(base.Model(&out).Relation("Author")).Order("p.timestamp DESC", "p.id DESC")
	if limit > 0 {
		q = q.Limit(int64(limit)).Offset(int64(offset))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// UserPostsAfter returns up to limit of user userID's posts oldest first (by timestamp,
// then id for posts written at the same instant), starting after the post after (from
// the first when after is nil): keyset pagination, so each batch is a range read
// however far into the list it starts, and a post written meanwhile is neither skipped
// nor repeated. The anchor's timestamp is compared as stored, read by a subquery, not
// re-sent from Go: on an adopted SQLite database, times written by the Flask app
// ("2006-01-02 15:04:05.000000") and by this one (with a "+00:00" suffix) are both text,
// and only the stored value orders exactly as ORDER BY does. An anchor deleted meanwhile
// (its author deleted it during an export) falls back to the timestamp it was read with,
// so that the listing goes on instead of ending early.
func UserPostsAfter(ctx context.Context, s *database.Session, userID int64, after *models.Post, limit int) ([]*models.Post, error) {
	var out []*models.Post
	q := s.NewSelect().Model(&out).Where("p.user_id = ?", userID)
	if after != nil {
		anchor := bun.SafeQuery("COALESCE((SELECT a.timestamp FROM post AS a WHERE a.id = ?), ?)", after.ID, after.Timestamp.UTC())
		q = q.Where("(p.timestamp > ? OR (p.timestamp = ? AND p.id > ?))", anchor, anchor, after.ID)
	}
	if err := q.Order("p.timestamp ASC", "p.id ASC").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: posts of user %d oldest first: %w", userID, err)
	}
	return out, nil
}

// CountUserPosts counts user userID's posts.
func CountUserPosts(ctx context.Context, s *database.Session, userID int64) (int, error) {
	n, err := s.NewSelect().Model((*models.Post)(nil)).Where("p.user_id = ?", userID).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: count posts of user %d: %w", userID, err)
	}
	return int(n), nil
}
