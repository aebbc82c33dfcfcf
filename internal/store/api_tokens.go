package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
)

// ErrNoToken is returned when no live API token matches.
var ErrNoToken = errors.New("no such API token")

// AddAPIToken stores a new API token of user userID, known by the SHA-256 hex of its
// value and bound to the password fingerprint fp, valid until expires; the caller commits.
func AddAPIToken(s *database.Session, userID int64, hash, fp string, now, expires time.Time) (*models.APIToken, error) {
	t := &models.APIToken{TokenHash: hash, UserID: userID, PasswordFP: fp, CreatedAt: now, ExpiresAt: expires}
	if err := s.Add(t); err != nil {
		return nil, fmt.Errorf("store: add API token of user %d: %w", userID, err)
	}
	return t, nil
}

// APITokenByHash finds the token whose hash is hash and that has not expired at now
// (a token is good up to and including its expiry, as the tutorial's check_token has it),
// with its user loaded.
func APITokenByHash(ctx context.Context, s *database.Session, hash string, now time.Time) (*models.APIToken, error) {
	var tokens []*models.APIToken
	err := s.NewSelect().Model(&tokens).Relation("User").
		Where("at.token_hash = ?", hash).Where("at.expires_at >= ?", now).Limit(1).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: find API token: %w", err)
	}
	if len(tokens) == 0 || tokens[0].User == nil {
		return nil, ErrNoToken
	}
	return tokens[0], nil
}

// DeleteAPIToken removes token id, in the session's transaction.
func DeleteAPIToken(ctx context.Context, s *database.Session, id int64) error {
	if _, err := s.NewDelete().Model((*models.APIToken)(nil)).Where("id = ?", id).Exec(ctx); err != nil {
		return fmt.Errorf("store: delete API token %d: %w", id, err)
	}
	return nil
}

// DeleteExpiredAPITokens removes the tokens that expired before cutoff and returns how
// many; expired tokens are worth nothing but would otherwise stay forever.
func DeleteExpiredAPITokens(ctx context.Context, db *database.DB, cutoff time.Time) (int64, error) {
	res, err := db.Bun.NewDelete().Model((*models.APIToken)(nil)).Where("expires_at < ?", cutoff).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: delete expired API tokens: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
