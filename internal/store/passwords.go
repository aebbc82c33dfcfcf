package store

import (
	"context"
	"fmt"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
)

// ReplacePassword gives user id the password hash hash, in the session's transaction,
// if and only if its hash is still old (nil: the account had none), and revokes its API
// token; it reports whether the row was changed. The condition makes a password reset
// single-use even when two requests carry the same link at once: the second finds the
// hash changed and changes nothing.
func ReplacePassword(ctx context.Context, s *database.Session, id int64, old *string, hash string) (bool, error) {
	q := s.NewUpdate().Model((*models.User)(nil)).
		Set("password_hash = ?", hash).
		Set("token = NULL").
		Set("token_expiration = NULL").
		Where("id = ?", id)
	if old == nil {
		q = q.Where("password_hash IS NULL")
	} else {
		q = q.Where("password_hash = ?", *old)
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("store: replace password of user %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: replace password of user %d: %w", id, err)
	}
	return n == 1, nil
}
