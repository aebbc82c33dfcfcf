package web

import (
	"context"

	"github.com/microblog/microblog/internal/models"
)

// SessionTokensOf lists the stored sessions signed in as u (for its benchmark).
func (a *App) SessionTokensOf(ctx context.Context, u *models.User) ([]string, error) {
	return a.sessionTokensOf(ctx, u)
}

// SessionFingerprint is the password fingerprint a session of u carries.
func (a *App) SessionFingerprint(u *models.User) string { return a.binding.fingerprint(u) }
