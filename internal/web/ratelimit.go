package web

import (
	"fmt"
	"math"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/microblog/microblog/internal/store"
)

// Limits on sign-in and registration attempts, per client address and per account, so
// that passwords cannot be guessed at speed. Counts live in the database (shared by every
// process).
const (
	loginPerIP       = 30
	loginPerAccount  = 10
	loginWindow      = 15 * time.Minute
	registerPerIP    = 10
	registerWindow   = time.Hour
	rateLimitMessage = "Too many attempts. Please try again in %d minute(s)."
)

// clientIP is the peer address of the request (a proxy in front is trusted only when
// it is configured to pass the address, which this server does not assume).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// allow counts an attempt under each key and reports whether all are within limits; when
// not, it has written the 429 page.
func (a *App) allow(w http.ResponseWriter, r *http.Request, page formPage, title string, window time.Duration, keys map[string]int) bool {
	now := time.Now().UTC()
	for key, limit := range keys {
		ok, until, err := store.Hit(r.Context(), a.db, key, limit, window, now)
		if err != nil {
			a.serverError(w, r, err)
			return false
		}
		if !ok {
			minutes := int(math.Ceil(until.Sub(now).Minutes()))
			w.Header().Set("Retry-After", fmt.Sprint(int(until.Sub(now).Seconds())+1))
			page.Fields[0].Error = fmt.Sprintf(rateLimitMessage, max(minutes, 1))
			a.log.Warn("rate limited", "key", key, "request_id", requestID(r))
			a.render(w, r, http.StatusTooManyRequests, "form", title, page)
			return false
		}
	}
	return true
}

func accountKey(prefix, name string) string { return prefix + strings.ToLower(name) }
