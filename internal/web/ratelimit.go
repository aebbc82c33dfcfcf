package web

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/microblog/microblog/internal/i18n"
	"github.com/microblog/microblog/internal/store"
	"github.com/microblog/microblog/internal/username"
)

// The sign-in policy (docs/security.md, "Signing in"). Every attempt is counted before
// its password is checked, so that parallel guesses cannot overrun a limit, and taken back
// when it succeeds, so that only failures count. Refusals (429) are keyed on what an
// attacker controls — its client address, and the pair of that address and an account —
// never on the account alone: that would let anyone lock a user out. Failures on an
// account from anywhere only slow further attempts on it, by a bounded delay.
const (
	signinWindow     = 15 * time.Minute
	signinPerAddress = 30                     // attempts from one client address, any accounts
	signinPerPair    = 10                     // attempts on one account from one client address
	signinSlowAfter  = 10                     // failures on one account, from anywhere, before slowing
	signinSlowStep   = 500 * time.Millisecond // added delay per failure past signinSlowAfter
	signinMaxDelay   = 5 * time.Second        // the most any attempt is delayed

	registerPerIP  = 10
	registerWindow = time.Hour
	maxLimitWindow = max(signinWindow, registerWindow, resetWindow, messageWindow, translateWindow) // the longest window of any count
	busyMessage    = "The server is busy. Please try again in a few seconds."                       // a message id
	busyRetryAfter = 5                                                                              // seconds, for the 503 when password checks are queued too long
	// passwordQueueWait is how long a password check waits for a free slot of the
	// App's hasher before the 503.
	passwordQueueWait = 10 * time.Second
)

// clientIP is the client's address as resolved by arrive (X-Forwarded-For only from
// TRUSTED_PROXIES), or the peer address for a request that did not go through it.
func clientIP(r *http.Request) string {
	if a, ok := r.Context().Value(arrivalKey{}).(arrival); ok {
		return a.client.addr
	}
	return resolveClient(r, nil).addr
}

// allow counts an attempt under key and reports whether it is within limit; when not,
// it has written the 429 page.
func (a *App) allow(w http.ResponseWriter, r *http.Request, page formPage, title, key string, limit int, window time.Duration) bool {
	now := time.Now().UTC()
	ok, until, err := store.Hit(r.Context(), a.db, key, limit, window, now)
	if err != nil {
		a.serverError(w, r, err)
		return false
	}
	if !ok {
		a.tooMany(w, r, page, title, key, until.Sub(now))
	}
	return ok
}

// tooMany writes the form's 429 page for an attempt refused for wait more.
func (a *App) tooMany(w http.ResponseWriter, r *http.Request, page formPage, title, key string, wait time.Duration) {
	w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
	page.Fields[0].Error = a.N(r, "Too many attempts. Please try again in %d minute.", "Too many attempts. Please try again in %d minutes.", max(int(math.Ceil(wait.Minutes())), 1))
	a.log.Warn("rate limited", "key", key, "request_id", requestID(r))
	a.render(w, r, http.StatusTooManyRequests, "form", title, page)
}

// busy writes the form's 503 page when password checks were queued too long.
func (a *App) busy(w http.ResponseWriter, r *http.Request, page formPage, title string) {
	w.Header().Set("Retry-After", fmt.Sprint(busyRetryAfter))
	page.Fields[0].Error = i18n.M(busyMessage)
	a.log.Warn("password checks busy", "request_id", requestID(r))
	a.render(w, r, http.StatusServiceUnavailable, "form", title, page)
}

// signinLimits are the sign-in policy's numbers.
type signinLimits struct {
	perAddress, perPair, slowAfter int
	slowStep, maxDelay             time.Duration
}

// defaultSigninLimits are the sign-in policy's numbers (tests set smaller ones).
func defaultSigninLimits() signinLimits {
	return signinLimits{signinPerAddress, signinPerPair, signinSlowAfter, signinSlowStep, signinMaxDelay}
}

// signinAttempt is one sign-in attempt as counted: the keys it was counted under (to be
// refunded if it succeeds) and the delay it must wait before its password is checked.
type signinAttempt struct {
	keys  []string
	delay time.Duration
	// refused is the key whose limit the attempt is over, and wait how long until that
	// limit's window ends; empty when the attempt may go on.
	refused string
	wait    time.Duration
}

// countSignin counts a sign-in attempt on username from addr under the address, the
// address+account pair and the account, in that order, stopping at a refusal.
func (a *App) countSignin(ctx context.Context, addr, username string, now time.Time) (signinAttempt, error) {
	acct := accountDigest(username)
	lim := a.signin
	var at signinAttempt
	for _, k := range []struct {
		key   string
		limit int // 0: counted, never refused
	}{
		{"signin-addr:" + addr, lim.perAddress},
		{"signin-pair:" + addr + "|" + acct, lim.perPair},
		{"signin-acct:" + acct, 0},
	} {
		n, until, err := store.Count(ctx, a.db, k.key, signinWindow, now)
		if err != nil {
			return at, fmt.Errorf("web: count sign-in: %w", err)
		}
		at.keys = append(at.keys, k.key)
		if k.limit > 0 && n > k.limit {
			at.refused, at.wait = k.key, until.Sub(now)
			return at, nil
		}
		if k.limit == 0 {
			at.delay = lim.delay(n - 1) // the attempts before this one: failures, or in flight
		}
	}
	return at, nil
}

// delay is how long an attempt on an account waits after failures on it in the window:
// nothing up to slowAfter, then slowStep more per failure, at most maxDelay.
func (l signinLimits) delay(failures int) time.Duration {
	if failures < l.slowAfter {
		return 0
	}
	return min(time.Duration(failures-l.slowAfter+1)*l.slowStep, l.maxDelay)
}

// refundSignin takes back an attempt that succeeded (or was never checked), so that it
// does not count against the user. A failure to refund is only logged: it costs the
// user one count.
func (a *App) refundSignin(ctx context.Context, r *http.Request, at signinAttempt, now time.Time) {
	ctx = context.WithoutCancel(ctx)
	if err := store.Refund(ctx, a.db, signinWindow, now, at.keys...); err != nil && !a.outage.covers(err) {
		a.log.Warn("refund sign-in attempt", "err", err, "request_id", requestID(r))
	}
}

// accountDigest names an account in rate-limit keys by a digest of its folded name
// (username.Fold: every spelling that signs in to one account, "john", "JOHN" or
// "ｊｏｈｎ", counts as one): keys stay short whatever was typed, and names tried (some of
// them mistyped passwords) are not stored.
func accountDigest(name string) string {
	sum := sha256.Sum256([]byte(username.Fold(name)))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// sleepContext waits d, or until ctx ends.
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
