package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"time"
)

// An anonymous visitor's session (at most a few flashes) is not stored in the database:
// it travels in the session cookie itself, sealed with an HMAC of SECRET_KEY, as Flask
// keeps every session. The prefix cannot occur in a database token (scs tokens are
// unpadded base64url, without dots).
const (
	anonymousCookiePrefix = "a."
	// maxAnonymousCookie keeps the cookie well under browsers' 4 KB per cookie.
	maxAnonymousCookie = 3000
)

// saveAnonymous writes what an anonymous session holds into its cookie, or clears the
// cookie when it holds nothing.
func (a *App) saveAnonymous(w http.ResponseWriter, r *http.Request, values map[string]any, hadCookie bool) {
	if len(values) == 0 {
		if hadCookie {
			a.sessions.WriteSessionCookie(r.Context(), w, "", time.Time{})
		}
		return
	}
	sealed, err := a.sealAnonymous(values, time.Now().UTC().Add(a.cfg.SessionIdleTimeout))
	if err == nil && len(sealed) > maxAnonymousCookie {
		err = errCookieTooLarge
	}
	if err != nil {
		a.log.Warn("anonymous session not saved", "err", err, "request_id", requestID(r))
		return
	}
	c := a.sessions.Cookie
	http.SetCookie(w, &http.Cookie{
		Name: c.Name, Value: anonymousCookiePrefix + sealed, Path: c.Path, Domain: c.Domain,
		HttpOnly: c.HttpOnly, Secure: c.Secure, SameSite: c.SameSite,
	})
}

type cookieError string

func (e cookieError) Error() string { return string(e) }

const errCookieTooLarge = cookieError("web: session: anonymous session too large for a cookie")

// sealAnonymous encodes values (with the time they stop being valid) and signs them.
func (a *App) sealAnonymous(values map[string]any, until time.Time) (string, error) {
	b, err := a.sessions.Codec.Encode(until, values)
	if err != nil {
		return "", err
	}
	payload := base64.RawURLEncoding.EncodeToString(b)
	return payload + "." + base64.RawURLEncoding.EncodeToString(a.cookieMAC(payload)), nil
}

// openAnonymous returns the values of a sealed cookie, or nil when it is forged, damaged
// or older than the idle timeout.
func (a *App) openAnonymous(sealed string) map[string]any {
	payload, sig, ok := strings.Cut(sealed, ".")
	if !ok {
		return nil
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, a.cookieMAC(payload)) {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil
	}
	until, values, err := a.sessions.Codec.Decode(b)
	if err != nil || !time.Now().Before(until) {
		return nil
	}
	// Whatever was sealed, an anonymous cookie never signs anyone in.
	delete(values, "user_id")
	return values
}

func (a *App) cookieMAC(payload string) []byte {
	m := hmac.New(sha256.New, []byte("microblog anonymous session\x00"+a.cfg.SecretKey))
	m.Write([]byte(payload))
	return m.Sum(nil)
}
