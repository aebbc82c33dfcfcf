package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
)

// UsersPage is one page of every user, by id, and the number of users.
func UsersPage(ctx context.Context, s *database.Session, limit, offset int) ([]*models.User, int, error) {
	return usersPage(ctx, s, "users", limit, offset, func(q *bun.SelectQuery) *bun.SelectQuery { return q })
}

// FollowersPage is one page of the users following userID, by id, and their number.
func FollowersPage(ctx context.Context, s *database.Session, userID int64, limit, offset int) ([]*models.User, int, error) {
	return usersPage(ctx, s, fmt.Sprintf("followers of user %d", userID), limit, offset, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("u.id IN (SELECT follower_id FROM followers WHERE followed_id = ?)", userID)
	})
}

// FollowingPage is one page of the users userID follows, by id, and their number.
func FollowingPage(ctx context.Context, s *database.Session, userID int64, limit, offset int) ([]*models.User, int, error) {
	return usersPage(ctx, s, fmt.Sprintf("users followed by user %d", userID), limit, offset, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("u.id IN (SELECT followed_id FROM followers WHERE follower_id = ?)", userID)
	})
}

// usersPage orders by id, unique, so that pages neither repeat nor skip a user on any
// dialect (the tutorial's API queries have no ORDER BY).
func usersPage(ctx context.Context, s *database.Session, what string, limit, offset int, filter func(*bun.SelectQuery) *bun.SelectQuery) ([]*models.User, int, error) {
	var users []*models.User
	total, err := filter(s.NewSelect().Model(&users)).Count(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("store: count %s: %w", what, err)
	}
	if offset >= int(total) {
		return nil, int(total), nil
	}
	if err := filter(s.NewSelect().Model(&users)).Order("u.id").Limit(int64(limit)).Offset(int64(offset)).Scan(ctx); err != nil {
		return nil, 0, fmt.Errorf("store: %s: %w", what, err)
	}
	return users, int(total), nil
}

// CountFollowingPosts counts u's timeline (FollowingPosts).
func CountFollowingPosts(ctx context.Context, s *database.Session, u *models.User) (int, error) {
	n, err := s.NewSelect().Model((*models.Post)(nil)).
		Where("p.user_id = ? OR p.user_id IN (SELECT followed_id FROM followers WHERE follower_id = ?)", u.ID, u.ID).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: count following posts of %s: %w", u.Username, err)
	}
	return int(n), nil
}

// PostWithAuthor finds post id with its author.
func PostWithAuthor(ctx context.Context, s *database.Session, id int64) (*models.Post, error) {
	var posts []*models.Post
	if err := s.NewSelect().Model(&posts).Relation("Author").Where("p.id = ?", id).Limit(1).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: post %d: %w", id, err)
	}
	if len(posts) == 0 {
		return nil, fmt.Errorf("store: post %d: %w", id, ErrNoPost)
	}
	return posts[0], nil
}
