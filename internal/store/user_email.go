package store

import (
	"context"
	"fmt"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
)

// UserByEmailStrict finds the user whose address is email but for the case of ASCII
// letters, with the same answer on every dialect. The database narrows the search with
// lower(...) = lower(...), which matches more on some dialects — MySQL's collations also
// equate fullwidth letters with ASCII ones and ignore invisible characters such as
// U+202E — and Go keeps only the exact match, so "ｊｏｈｎ@example.com" finds nobody
// anywhere. Used where an answer sends mail to the account (a password reset).
func UserByEmailStrict(ctx context.Context, s *database.Session, email string) (*models.User, error) {
	if !database.ValidText(email) {
		return nil, fmt.Errorf("store: user %q: %w", email, ErrNoUser)
	}
	var users []*models.User
	if err := s.NewSelect().Model(&users).Where("lower(u.email) = lower(?)", email).Order("u.id").Limit(20).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: find user %q: %w", email, err)
	}
	for _, u := range users {
		if asciiFoldEqual(u.Email, email) {
			return u, nil
		}
	}
	return nil, fmt.Errorf("store: user %q: %w", email, ErrNoUser)
}

// asciiFoldEqual reports whether a and b are equal but for the case of ASCII letters
// (SQLite's lower(), the narrowest of the three dialects).
func asciiFoldEqual(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
