package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
)

// Follow makes u follow other (nothing if it already does, or if other is u), in the
// session's transaction, and drops u's materialized timeline there (the next read builds
// it again). On PostgreSQL and MariaDB the transaction holds both users' rows until it
// ends.
//
// Locks are taken in the order every writer of the timelines takes them: user rows (in
// id order), then followers rows, then timeline_state rows. A build of a user following
// both would deadlock with u's row then other's (taken by the new row's foreign key),
// and a post's fan-out, which reads the author's followers and then their timelines
// with shared locks on MariaDB, with a timeline dropped before the followers row is
// written.
func Follow(ctx context.Context, s *database.Session, u, other *models.User) error {
	if u == other || (u.ID != 0 && u.ID == other.ID) {
		return nil
	}
	// Before the check, so that the same follow sent twice at once finds the first
	// one's row instead of failing on the key. A user not yet written has no row to lock.
	var ids []int64
	for _, x := range []*models.User{u, other} {
		if x.ID != 0 {
			ids = append(ids, x.ID)
		}
	}
	if len(ids) > 0 {
		if err := lockUsers(ctx, s, ids...); err != nil {
			return fmt.Errorf("store: follow: %w", err)
		}
	}
	following, err := IsFollowing(ctx, s, u, other)
	if err != nil || following {
		return err
	}
	if err := s.Add(&models.Follow{Follower: u, Followed: other}); err != nil {
		return fmt.Errorf("store: follow: %w", err)
	}
	if err := s.Flush(ctx); err != nil {
		return fmt.Errorf("store: follow: %w", err)
	}
	if err := dropTimeline(ctx, s, u.ID); err != nil {
		return fmt.Errorf("store: follow: %w", err)
	}
	return nil
}

// Unfollow makes u stop following other, inside the session's transaction, and drops u's
// materialized timeline, after locking u's row (on PostgreSQL and MariaDB) so that a
// build of it running meanwhile either commits first and is dropped, or waits and sees
// the change (buildTimeline). The locks in Follow's order.
func Unfollow(ctx context.Context, s *database.Session, u, other *models.User) error {
	if u.ID == 0 {
		return nil // a user not yet written follows no one
	}
	if err := lockUsers(ctx, s, u.ID); err != nil {
		return fmt.Errorf("store: unfollow: %w", err)
	}
	if _, err := s.NewDelete().Model((*models.Follow)(nil)).
		Where("follower_id = ? AND followed_id = ?", u.ID, other.ID).Exec(ctx); err != nil {
		return fmt.Errorf("store: unfollow: %w", err)
	}
	if err := dropTimeline(ctx, s, u.ID); err != nil {
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
	ok, err := s.NewSelectBound(u.ID, other.ID).Model((*models.Follow)(nil)).
		Where("follower_id = ? AND followed_id = ?", database.Param, database.Param).Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("store: is following: %w", err)
	}
	return ok, nil
}

// FollowersCount is the number of users following u.
func FollowersCount(ctx context.Context, s *database.Session, u *models.User) (int, error) {
	n, err := s.NewSelectBound(u.ID).Model((*models.Follow)(nil)).Where("followed_id = ?", database.Param).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: followers count: %w", err)
	}
	return int(n), nil
}

// FollowingCount is the number of users u follows.
func FollowingCount(ctx context.Context, s *database.Session, u *models.User) (int, error) {
	n, err := s.NewSelectBound(u.ID).Model((*models.Follow)(nil)).Where("follower_id = ?", database.Param).Count(ctx)
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

// lockUsers begins the session's transaction and, on PostgreSQL and MariaDB, locks the
// rows of users ids (FOR UPDATE) in id order, the one order in which every transaction
// that locks several user rows takes them (Follow, buildTimeline). SQLite runs one write
// transaction at a time.
func lockUsers(ctx context.Context, s *database.Session, ids ...int64) error {
	if _, err := s.SQLTx(ctx); err != nil {
		return err
	}
	if s.NewSelect().Dialect().Name() == dialect.SQLite {
		return nil
	}
	var locked []int64
	if err := s.NewSelect().Model((*models.User)(nil)).Column("u.id").
		Where("u.id IN (?)", bun.List(ids)).Order("u.id").For("UPDATE").Scan(ctx, &locked); err != nil {
		return fmt.Errorf("lock users %v: %w", ids, err)
	}
	return nil
}
