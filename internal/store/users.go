package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
)

// ErrNoUser is returned when no user matches.
var ErrNoUser = errors.New("no such user")

// UserByUsername finds a user by username, ignoring case (usernames are unique without
// regard to case, so "Susan" and "susan" are one account).
func UserByUsername(ctx context.Context, s *database.Session, username string) (*models.User, error) {
	return userWhere(ctx, s, "lower(u.username) = lower(?)", username)
}

// UserByEmail finds a user by e-mail address, ignoring case.
func UserByEmail(ctx context.Context, s *database.Session, email string) (*models.User, error) {
	return userWhere(ctx, s, "lower(u.email) = lower(?)", email)
}

func userWhere(ctx context.Context, s *database.Session, where string, arg string) (*models.User, error) {
	var users []*models.User
	if err := s.NewSelect().Model(&users).Where(where, arg).Limit(1).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: find user %q: %w", arg, err)
	}
	if len(users) == 0 {
		return nil, fmt.Errorf("store: user %q: %w", arg, ErrNoUser)
	}
	return users[0], nil
}
