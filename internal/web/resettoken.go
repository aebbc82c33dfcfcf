package web

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"time"

	"github.com/microblog/microblog/internal/models"
)

// resetTokenLifetime is how long a password-reset link works, as in the tutorial.
const resetTokenLifetime = 10 * time.Minute

// A reset token is base64url (no padding) of
//
//	version (1 byte) | user id (8 bytes) | expiry, Unix seconds (8 bytes) | MAC (32 bytes)
//
// where MAC is HMAC-SHA256, under a key derived from SECRET_KEY for this purpose only,
// of the first 17 bytes and of the account's current state: its password hash and its
// e-mail address. Nothing is stored: a token stops working when it expires, and as soon
// as the password changes (so it is single-use: using it changes the password) or the
// e-mail address does (a link sent to a former address is void).
const (
	resetTokenVersion = 1
	resetTokenHeader  = 1 + 8 + 8
	resetTokenBytes   = resetTokenHeader + sha256.Size
)

// resetTokenEncoding refuses non-canonical encodings, so each token has one spelling.
var resetTokenEncoding = base64.RawURLEncoding.Strict()

// resetTokens issues and checks password-reset tokens.
type resetTokens struct {
	key      []byte
	lifetime time.Duration
	// now is the clock; tests replace it to see tokens expire.
	now func() time.Time
}

// newResetTokens derives the token key from secret (SECRET_KEY).
func newResetTokens(secret string) (*resetTokens, error) {
	key, err := deriveKey(secret, "password reset token v1")
	if err != nil {
		return nil, err
	}
	return &resetTokens{key: key, lifetime: resetTokenLifetime, now: time.Now}, nil
}

// deriveKey derives a 32-byte key for one purpose from SECRET_KEY (HKDF-SHA256), so
// that no two uses of the secret can be played against each other.
func deriveKey(secret, purpose string) ([]byte, error) {
	key, err := hkdf.Key(sha256.New, []byte(secret), nil, "microblog: "+purpose, 32)
	if err != nil {
		return nil, fmt.Errorf("web: derive %s key: %w", purpose, err)
	}
	return key, nil
}

// issue returns a token for u that works for the lifetime from now.
func (t *resetTokens) issue(u *models.User) string {
	b := make([]byte, resetTokenHeader, resetTokenBytes)
	b[0] = resetTokenVersion
	binary.BigEndian.PutUint64(b[1:9], uint64(u.ID))
	binary.BigEndian.PutUint64(b[9:17], uint64(t.now().Add(t.lifetime).Unix()))
	return resetTokenEncoding.EncodeToString(t.sign(b, u))
}

// userID reads the user id of a well-formed, unexpired token; ok is false for anything
// else. The token is not authenticated yet: check it against the user with valid.
func (t *resetTokens) userID(token string) (id int64, ok bool) {
	b, ok := t.decode(token)
	if !ok {
		return 0, false
	}
	id = int64(binary.BigEndian.Uint64(b[1:9]))
	exp := time.Unix(int64(binary.BigEndian.Uint64(b[9:17])), 0)
	now := t.now()
	// A token claiming more than the lifetime is not one of ours (or was issued under a
	// longer lifetime than today's).
	if id <= 0 || !now.Before(exp) || exp.Sub(now) > t.lifetime+time.Minute {
		return 0, false
	}
	return id, true
}

// valid reports whether token was issued for u in its current state (password hash and
// e-mail address); the comparison takes the same time wherever the tokens differ.
func (t *resetTokens) valid(token string, u *models.User) bool {
	b, ok := t.decode(token)
	if !ok || int64(binary.BigEndian.Uint64(b[1:9])) != u.ID {
		return false
	}
	want := t.sign(append([]byte(nil), b[:resetTokenHeader]...), u)
	return hmac.Equal(b, want)
}

func (t *resetTokens) decode(token string) ([]byte, bool) {
	if len(token) != resetTokenEncoding.EncodedLen(resetTokenBytes) {
		return nil, false
	}
	b, err := resetTokenEncoding.DecodeString(token)
	if err != nil || len(b) != resetTokenBytes || b[0] != resetTokenVersion {
		return nil, false
	}
	return b, true
}

// sign appends the MAC of header and u's state to header.
func (t *resetTokens) sign(header []byte, u *models.User) []byte {
	m := hmac.New(sha256.New, t.key)
	m.Write(header)
	writeField(m, "password_hash", u.PasswordHash)
	writeField(m, "email", &u.Email)
	return m.Sum(header)
}

// writeField writes a named, length-prefixed value (absent: no length) so that no two
// states can be written alike.
func writeField(w io.Writer, name string, v *string) {
	w.Write([]byte(name))
	if v == nil {
		w.Write([]byte{0})
		return
	}
	var n [9]byte
	n[0] = 1
	binary.BigEndian.PutUint64(n[1:], uint64(len(*v)))
	w.Write(n[:])
	w.Write([]byte(*v))
}
