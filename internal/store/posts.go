package store

import (
	"context"
	"fmt"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
)

// FollowingPosts is u's timeline: u's own posts and those of the users u follows, newest
// first, with their authors loaded in the same query (one statement whatever the page
// size). limit <= 0 means no limit.
func FollowingPosts(ctx context.Context, s *database.Session, u *models.User, limit, offset int) ([]*models.Post, error) {
	var posts []*models.Post
	q := s.NewSelect().Model(&posts).Relation("Author").
		Where("p.user_id = ? OR p.user_id IN (SELECT followed_id FROM followers WHERE follower_id = ?)", u.ID, u.ID).
		Order("p.timestamp DESC", "p.id DESC")
	if limit > 0 {
		q = q.Limit(int64(limit)).Offset(int64(offset))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: following posts of %s: %w", u.Username, err)
	}
	return posts, nil
}

// UserPosts lists u's posts, newest first.
func UserPosts(ctx context.Context, s *database.Session, u *models.User, limit, offset int) ([]*models.Post, error) {
	var posts []*models.Post
	q := s.NewSelect().Model(&posts).Relation("Author").Where("p.user_id = ?", u.ID).Order("p.timestamp DESC", "p.id DESC")
	if limit > 0 {
		q = q.Limit(int64(limit)).Offset(int64(offset))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: posts of %s: %w", u.Username, err)
	}
	return posts, nil
}

// AllPosts lists every post, newest first (the Explore page).
func AllPosts(ctx context.Context, s *database.Session, limit, offset int) ([]*models.Post, error) {
	var posts []*models.Post
	q := s.NewSelect().Model(&posts).Relation("Author").Order("p.timestamp DESC", "p.id DESC")
	if limit > 0 {
		q = q.Limit(int64(limit)).Offset(int64(offset))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: all posts: %w", err)
	}
	return posts, nil
}
