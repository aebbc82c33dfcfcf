package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
)

// Keyset places a page of a newest-first post listing by the post at the edge of the
// page next to it, instead of by an offset: Before asks for the posts older than post
// Before (the "Older" page after one ending with it), After for the posts newer than
// post After (the "Newer" page before one starting with it). Older and newer are in the
// listings' order, by timestamp and then id. Only one of the two is set.
//
// An offset costs as many index entries as it skips — Explore's last pages skipped a
// million, 1 to 10 s each — and shows a post twice when posts arrive between two pages;
// a keyset page is a range read from its anchor, however deep. The anchor's timestamp is
// compared as stored, read by a subquery (see UserPostsAfter for why).
type Keyset struct{ Before, After int64 }

// Valid reports whether exactly one anchor is set, to a possible post id.
func (k Keyset) Valid() bool { return (k.Before > 0) != (k.After > 0) && k.Before >= 0 && k.After >= 0 }

// where adds k's condition on the posts of alias (p or tp) and their order, newest first
// for Before, oldest first for After, so that a LIMIT keeps the posts next to the anchor
// (the outer query sorts the page newest first). The first conjunct is a range on the
// timestamp that every dialect reads from an index; the second drops the anchor's own
// instant's newer (or older) ids.
func (k Keyset) where(q *bun.SelectQuery, alias string) *bun.SelectQuery {
	anchor, cmp, dir := k.Before, "<", "DESC"
	if k.After > 0 {
		anchor, cmp, dir = k.After, ">", "ASC"
	}
	at := "(SELECT a.timestamp FROM post AS a WHERE a.id = ?)"
	return q.Where(fmt.Sprintf("%[1]s.timestamp %[2]s= %[3]s AND (%[1]s.timestamp %[2]s %[3]s OR %[1]s.id %[2]s ?)", alias, cmp, at), anchor, anchor, anchor).
		OrderExpr(fmt.Sprintf("%[1]s.timestamp %[2]s, %[1]s.id %[2]s", alias, dir))
}

// FollowingPostsFrom is the page of limit posts of u's timeline (FollowingPosts) placed
// by k, newest first. ok is false when k's anchor is not a post (deleted since, or never
// one): the caller then places the page by its number.
func FollowingPostsFrom(ctx context.Context, s *database.Session, u *models.User, limit int, k Keyset) (_ []*models.Post, ok bool, _ error) {
	page := k.where(feedIDs(s, u), "tp").Limit(int64(limit))
	out, err := postsIn(database.Untracked(ctx), s.NewSelect(), "following posts of "+u.Username, page)
	return keysetPage(ctx, s, k, out, err)
}

// AllPostsFrom is the page of limit posts of Explore (AllPosts) placed by k; see
// FollowingPostsFrom.
func AllPostsFrom(ctx context.Context, s *database.Session, limit int, k Keyset) (_ []*models.Post, ok bool, _ error) {
	page := k.where(allIDs(s), "p").Limit(int64(limit))
	out, err := postsIn(database.Untracked(ctx), s.NewSelect(), "all posts", page)
	return keysetPage(ctx, s, k, out, err)
}

// UserPostsFrom is the page of limit posts of u's profile (UserPosts) placed by k; see
// FollowingPostsFrom.
func UserPostsFrom(ctx context.Context, s *database.Session, u *models.User, limit int, k Keyset) (_ []*models.Post, ok bool, _ error) {
	page := k.where(userIDs(s, u), "p").Limit(int64(limit))
	out, err := postsIn(database.Untracked(ctx), s.NewSelect(), "posts of "+u.Username, page)
	return keysetPage(ctx, s, k, out, err)
}

// keysetPage finishes a keyset read: newest first, and ok false for an empty page whose
// anchor is not a post.
func keysetPage(ctx context.Context, s *database.Session, k Keyset, out []*models.Post, err error) ([]*models.Post, bool, error) {
	if err != nil {
		return nil, false, err
	}
	if len(out) == 0 {
		n, err := s.NewSelect().Table("post").Where("id = ?", max(k.Before, k.After)).Count(ctx)
		if err != nil {
			return nil, false, fmt.Errorf("store: page anchor: %w", err)
		}
		return nil, n > 0, nil
	}
	return out, true, nil // newest first: posts orders the page whichever way it was found
}
