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
// size). limit <= 0 means no limit.
func FollowingPosts(ctx context.Context, s *database.Session, u *models.User, limit, offset int) ([]*models.Post, error) {
	return posts(ctx, s, "following posts of "+u.Username, limit, offset, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("p.user_id = ? OR p.user_id IN (SELECT followed_id FROM followers WHERE follower_id = ?)", u.ID, u.ID)
	})
}

// UserPosts lists u's posts, newest first.
func UserPosts(ctx context.Context, s *database.Session, u *models.User, limit, offset int) ([]*models.Post, error) {
	return posts(ctx, s, "posts of "+u.Username, limit, offset, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("p.user_id = ?", u.ID)
	})
}

// AllPosts lists every post, newest first (the Explore page).
func AllPosts(ctx context.Context, s *database.Session, limit, offset int) ([]*models.Post, error) {
	return posts(ctx, s, "all posts", limit, offset, func(q *bun.SelectQuery) *bun.SelectQuery { return q })
}

// posts runs one page of a post listing, newest first, authors joined in.
func posts(ctx context.Context, s *database.Session, what string, limit, offset int, filter func(*bun.SelectQuery) *bun.SelectQuery) ([]*models.Post, error) {
	var out []*models.Post
	q := filter(s.NewSelect().Model(&out).Relation("Author")).Order("p.timestamp DESC", "p.id DESC")
	if limit > 0 {
		q = q.Limit(int64(limit)).Offset(int64(offset))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}
