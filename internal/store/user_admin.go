package store

import (
	"context"
	"fmt"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
)

// Users lists every account, oldest first (by id), for `microblog users list`.
func Users(ctx context.Context, s *database.Session) ([]*models.User, error) {
	var users []*models.User
	if err := s.NewSelect().Model(&users).Order("u.id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	return users, nil
}

// SetDisabled disables user id (at: when) or enables it again (at nil), in the
// session's transaction. Disabling also revokes the account's API token; the web
// sessions end at their next request (the middleware checks models.User.Disabled), and
// the API refuses a disabled user the same way. It reports whether the account changed
// (false: it already was so).
func SetDisabled(ctx context.Context, s *database.Session, id int64, at *time.Time) (bool, error) {
	q := s.NewUpdate().Model((*models.User)(nil)).Where("id = ?", id)
	if at != nil {
		q = q.Set("disabled_at = ?", at.UTC()).Set("token = NULL").Set("token_expiration = NULL").Where("disabled_at IS NULL")
	} else {
		q = q.Set("disabled_at = NULL").Where("disabled_at IS NOT NULL")
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("store: set user %d disabled: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: set user %d disabled: %w", id, err)
	}
	if at != nil && n == 1 {
		// Its API tokens go too (they would be refused anyway: see internal/api).
		if _, err := s.NewDelete().Model((*models.APIToken)(nil)).Where("user_id = ?", id).Exec(ctx); err != nil {
			return false, fmt.Errorf("store: set user %d disabled: api tokens: %w", id, err)
		}
	}
	return n == 1, nil
}
