package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/username"
)

// ErrNoUser is returned when no user matches.
var ErrNoUser = errors.New("no such user")

// UserByUsername finds the account of a name. Names that fold the same (username.Fold:
// case and width, so "Susan", "SUSAN" and "ｓｕｓａｎ") are one account; a look-alike
// ("Ѕusan" in Cyrillic, "süsan") is not, and finds nobody unless it is stored itself.
//
// The database is asked only for exact, collation-free matches: the name's key, the key a
// colliding name stored before the username rule may hold instead, or the exact name
// (whose column is binary on every dialect). Go then keeps the row whose name folds the
// same as the one asked for, so all three dialects answer alike.
func UserByUsername(ctx context.Context, s *database.Session, name string) (*models.User, error) {
	if !database.ValidText(name) {
		// No stored name can be this, and the drivers would refuse it as an argument.
		return nil, fmt.Errorf("store: user %q: %w", name, ErrNoUser)
	}
	var users []*models.User
	// Bound: one text for every name, kept prepared (a profile's reads, section 19 of
	// docs/performance.md).
	err := s.NewSelectBound(username.Key(name), username.FoldKey(name), name).Model(&users).
		Where("u.username_key IN (?, ?)", database.Param, database.Param).
		WhereOr("u.username = ?", database.Param).
		Order("u.id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: find user %q: %w", name, err)
	}
	var found *models.User
	fold := username.Fold(name)
	for _, u := range users {
		if u.Username == name {
			return u, nil // a name stored twice under one fold (legacy) is reached exactly
		}
		if found == nil && username.Fold(u.Username) == fold {
			found = u
		}
	}
	if found == nil {
		return nil, fmt.Errorf("store: user %q: %w", name, ErrNoUser)
	}
	return found, nil
}

// UsernameTaken reports whether name, or a look-alike of it (one username.Key), belongs to
// a user other than me (nil when registering). The unique index on the key refuses the
// same if two requests race past this check.
func UsernameTaken(ctx context.Context, s *database.Session, name string, me *models.User) (bool, error) {
	q := s.NewSelect().Model((*models.User)(nil)).Where("u.username_key = ?", username.Key(name))
	if me != nil {
		q = q.Where("u.id <> ?", me.ID)
	}
	n, err := q.Count(ctx)
	if err != nil {
		return false, fmt.Errorf("store: is username %q taken: %w", name, err)
	}
	return n > 0, nil
}

// Rename gives u a new name and its key; the caller commits (a unique violation then
// means someone took the name or a look-alike meanwhile).
func Rename(u *models.User, name string) {
	key := username.Key(name)
	u.Username, u.UsernameKey = name, &key
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
