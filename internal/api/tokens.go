package api

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/password"
	"github.com/microblog/microblog/internal/store"
	"github.com/microblog/microblog/internal/username"
)

// tokenBytes is a token's random bytes: 16, written as 32 hex digits (the tutorial's
// secrets.token_hex(16)).
const tokenBytes = 16

type tokenBody struct {
	Token string `json:"token"`
}

// createToken is POST /api/tokens: HTTP Basic credentials in, a new token out. Every
// call issues a new token (the tutorial returns the current one while it has more than
// a minute left; only a hash is stored here, so the token cannot be given out again).
// Attempts are counted per client address and per address and account before the
// password is checked.
func (a *API) createToken(w http.ResponseWriter, r *http.Request) {
	name, pw, ok := r.BasicAuth()
	if !ok {
		unauthorized(w, basicChallenge)
		return
	}
	ctx, s := r.Context(), session(r)
	if !a.allow(w, r, "api-token-addr:"+a.ClientIP(r), a.Limits.TokensPerAddress, a.Limits.TokenWindow) ||
		!a.allow(w, r, "api-token-pair:"+a.ClientIP(r)+"|"+accountDigest(name), a.Limits.TokensPerAccount, a.Limits.TokenWindow) {
		return
	}
	u, err := store.UserByUsername(ctx, s, name)
	if errors.Is(err, store.ErrNoUser) {
		u = nil
	} else if err != nil {
		a.serverError(w, r, err)
		return
	}
	good, err := a.checkPassword(r, u, pw)
	if errors.Is(err, password.ErrBusy) {
		Busy(w)
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if !good || u.Disabled() { // a disabled account answers as a wrong password does
		unauthorized(w, basicChallenge)
		return
	}
	token, err := newToken()
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	now := a.Now().UTC()
	if _, err := store.AddAPIToken(s, u.ID, tokenHash(token), a.Fingerprint(u), now, now.Add(a.TokenLifetime)); err != nil {
		a.serverError(w, r, err)
		return
	}
	if err := s.Commit(ctx); err != nil {
		a.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, tokenBody{Token: token})
}

// checkPassword reports whether plain is u's password; an unknown user, or one without
// a password, costs a verification too, so the time taken does not tell which names
// exist. An outdated hash (Werkzeug's) is left for the web sign-in to replace: replacing
// it here would change the fingerprint and end the user's sessions and tokens.
func (a *API) checkPassword(r *http.Request, u *models.User, plain string) (bool, error) {
	if u == nil || u.PasswordHash == nil {
		return false, a.Hasher.VerifyAbsent(r.Context(), plain)
	}
	ok, _, err := a.Hasher.Verify(r.Context(), *u.PasswordHash, plain)
	if errors.Is(err, password.ErrMalformed) {
		a.Log.Error("api: unreadable password hash", "user_id", u.ID, "err", err)
		return false, nil
	}
	return ok, err
}

// revokeToken is DELETE /api/tokens: the token of the request ends now.
func (a *API) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, _ := r.Context().Value(keyToken).(int64)
	s := session(r)
	if err := store.DeleteAPIToken(r.Context(), s, id); err != nil {
		a.serverError(w, r, err)
		return
	}
	if err := s.Commit(r.Context()); err != nil {
		a.serverError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func newToken() (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("api: new token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// allow counts an attempt under key and reports whether it is within limit; when not,
// it has written the 429 with Retry-After.
func (a *API) allow(w http.ResponseWriter, r *http.Request, key string, limit int, window time.Duration) bool {
	now := a.Now().UTC()
	ok, until, err := store.Hit(r.Context(), a.DB, key, limit, window, now)
	if err != nil {
		a.serverError(w, r, err)
		return false
	}
	if !ok {
		wait := int(until.Sub(now).Seconds()) + 1
		w.Header().Set("Retry-After", strconv.Itoa(wait))
		a.Log.Warn("api: rate limited", "key", key, "request_id", requestID(r))
		writeError(w, http.StatusTooManyRequests, fmt.Sprintf("too many attempts; try again in %d seconds", wait))
	}
	return ok
}

// accountDigest names an account in rate-limit keys by a digest of its folded name, as
// the web sign-in does: every spelling of one account counts as one, and the names tried
// are not stored.
func accountDigest(name string) string {
	sum := sha256.Sum256([]byte(username.Fold(name)))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}
