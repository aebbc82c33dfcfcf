package store

import (
	"context"
	"fmt"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
)

// Follow makes u follow other (nothing if it already does, or if other is u). The row is
// written with the session's next commit; u's materialized timeline is dropped in the
// session's transaction (the next read builds it again).
func Follow(ctx context.Context, s *database.Session, u, other *models.User) error {
	if u == other || (u.ID != 0 && u.ID == other.ID) {
		return nil
	}
	following, err := IsFollowing(ctx, s, u, other)
	if err != nil || following {
		return err
	}
	if err := invalidateTimeline(ctx, s, u); err != nil {
		return fmt.Errorf("store: follow: %w", err)
	}
	if err := s.Add(&models.Follow{Follower: u, Followed: other}); err != nil {
		return fmt.Errorf("store: follow: %w", err)
	}
	return nil
}

// Unfollow makes u stop following other, inside the session's transaction, and drops u's
// materialized timeline.
func Unfollow(ctx context.Context, s *database.Session, u, other *models.User) error {
	if err := invalidateTimeline(ctx, s, u); err != nil {
		return fmt.Errorf("store: unfollow: %w", err)
	}
	if _, err := s.NewDelete().Model((*models.Follow)(nil)).
		Where("follower_id = ? AND followed_id = ?", u.ID, other.ID).Exec(ctx); err != nil {
		return fmt.Errorf("store: unfollow: %w", err)
	}
	return nil
}

// IsFollowing reports whether u follows other.
func IsFollowing(ctx context.Context, s *database.Session, u, other *models.User) (bool, error) {
	if u.ID == 0 || other.ID == 0 {
		if err := s.Flush(ctx); err != nil { // new users get their ids
			return false, err
		}
	}
	ok, err := s.NewSelect().Model((*models.Follow)(nil)).
		Where("follower_id = ? AND followed_id = ?", u.ID, other.ID).Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("store: is following: %w", err)
	}
	return ok, nil
}

// FollowersCount is the number of users following u.
func FollowersCount(ctx context.Context, s *database.Session, u *models.User) (int, error) {
	n, err := s.NewSelect().Model((*models.Follow)(nil)).Where("followed_id = ?", u.ID).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: followers count: %w", err)
	}
	return int(n), nil
}

// FollowingCount is the number of users u follows.
func FollowingCount(ctx context.Context, s *database.Session, u *models.User) (int, error) {
	n, err := s.NewSelect().Model((*models.Follow)(nil)).Where("follower_id = ?", u.ID).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: following count: %w", err)
	}
	return int(n), nil
}

// Followers lists the users following u, by username.
func Followers(ctx context.Context, s *database.Session, u *models.User) ([]*models.User, error) {
	var users []*models.User
	err := s.NewSelect().Model(&users).
		Where("u.id IN (SELECT follower_id FROM followers WHERE followed_id = ?)", u.ID).
		Order("u.username").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: followers: %w", err)
	}
	return users, nil
}

// Following lists the users u follows, by username.
func Following(ctx context.Context, s *database.Session, u *models.User) ([]*models.User, error) {
	var users []*models.User
	err := s.NewSelect().Model(&users).
		Where("u.id IN (SELECT followed_id FROM followers WHERE follower_id = ?)", u.ID).
		Order("u.username").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: following: %w", err)
	}
	return users, nil
}

// invalidateTimeline drops u's materialized timeline in the session's transaction, after
// locking u's row (on PostgreSQL and MariaDB) so that a build of it running meanwhile
// either commits first and is dropped, or waits and sees the change (buildTimeline).
func invalidateTimeline(ctx context.Context, s *database.Session, u *models.User) error {
	if u.ID == 0 {
		return nil // a user not yet written has no timeline
	}
	if _, err := lockUser(ctx, s, u.ID); err != nil {
		return err
	}
	return dropTimeline(ctx, s, u.ID)
}
