package api

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"

	"github.com/microblog/microblog/internal/store"
)

// The WWW-Authenticate challenges, Flask-HTTPAuth's.
const (
	basicChallenge  = `Basic realm="Authentication Required"`
	bearerChallenge = `Bearer realm="Authentication Required"`
)

// unauthorized is the 401 with the scheme's challenge.
func unauthorized(w http.ResponseWriter, challenge string) {
	w.Header().Set("WWW-Authenticate", challenge)
	writeError(w, http.StatusUnauthorized, "")
}

// tokenRequired lets through only requests with a live bearer token of a user whose
// password has not changed since the token was issued; the handler finds that user with
// caller. The session cookie is never read: a browser's cookie authenticates nothing here.
func (a *API) tokenRequired(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearerToken(r.Header.Get("Authorization"))
		if !ok {
			unauthorized(w, bearerChallenge)
			return
		}
		t, err := store.APITokenByHash(r.Context(), session(r), tokenHash(token), a.Now().UTC())
		if errors.Is(err, store.ErrNoToken) {
			unauthorized(w, bearerChallenge)
			return
		}
		if err != nil {
			a.serverError(w, r, err)
			return
		}
		if !hmac.Equal([]byte(t.PasswordFP), []byte(a.Fingerprint(t.User))) || t.User.Disabled() {
			unauthorized(w, bearerChallenge) // the password changed or the account is disabled: the token is dead
			return
		}
		ctx := context.WithValue(r.Context(), keyUser, t.User)
		next(w, r.WithContext(context.WithValue(ctx, keyToken, t.ID)))
	}
}

// bearerToken reads "Bearer <token>" (the scheme in any case); only a token of the
// form the API issues (32 lower-case hex digits) is worth looking up.
func bearerToken(h string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, wellFormed(token)
}

// wellFormed reports whether s is 32 lower-case hex digits, the form of every token.
func wellFormed(s string) bool {
	if len(s) != 2*tokenBytes {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// tokenHash is what the database keeps of a token: its SHA-256 in hex. A token holds
// 128 random bits, so a plain hash cannot be reversed by guessing; no salt is needed,
// and the lookup stays one indexed equality.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
