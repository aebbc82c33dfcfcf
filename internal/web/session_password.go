package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"

	"github.com/microblog/microblog/internal/models"
)

// A signed-in session remembers a fingerprint of the password hash it signed in with;
// a request whose user's hash no longer matches is signed out. Changing the password
// (a reset, or the change-password page, which binds its own session anew) therefore
// ends every other session of the account, without a user column in the sessions
// table: the check costs nothing, since the user row is read anyway.
//
// The fingerprint is an HMAC of the hash under a key of its own, so the session row
// holds nothing that helps guess the password.
const sessionPasswordKey = "password_fp"

// passwordBinding makes the fingerprints.
type passwordBinding struct{ key []byte }

func newPasswordBinding(secret string) (*passwordBinding, error) {
	key, err := deriveKey(secret, "session password fingerprint v1")
	if err != nil {
		return nil, err
	}
	return &passwordBinding{key: key}, nil
}

// fingerprint is the fingerprint of u's current password hash (or of having none).
func (p *passwordBinding) fingerprint(u *models.User) string {
	m := hmac.New(sha256.New, p.key)
	writeField(m, "password_hash", u.PasswordHash)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// bindSession records u's fingerprint in the request's session, at sign-in.
func (a *App) bindSession(ctx context.Context, u *models.User) {
	a.sessions.Put(ctx, sessionPasswordKey, a.binding.fingerprint(u))
}

// signOutDisabled ends the request's session of a disabled account (the session
// middleware then deletes its row).
func (a *App) signOutDisabled(ctx context.Context, u *models.User) {
	a.sessions.Remove(ctx, "user_id")
	a.sessions.Remove(ctx, sessionPasswordKey)
	a.log.Info("session of a disabled account ended", "user_id", u.ID)
}

// passwordChanged reports whether u's password changed since the request's session
// signed in; if so the session is signed out (the session middleware then deletes its
// row). A session from before fingerprints existed is given the current one.
func (a *App) passwordChanged(ctx context.Context, u *models.User) bool {
	fp := a.binding.fingerprint(u)
	got, ok := a.sessions.Get(ctx, sessionPasswordKey).(string)
	if !ok {
		a.sessions.Put(ctx, sessionPasswordKey, fp)
		return false
	}
	if hmac.Equal([]byte(got), []byte(fp)) {
		return false
	}
	a.sessions.Remove(ctx, "user_id")
	a.sessions.Remove(ctx, sessionPasswordKey)
	return true
}
