package web

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
)

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keySession
	keyUser
	keyLocale
)

// requestStart is when the request arrived, as arrive recorded it before anything but
// the security headers ran (now, for a request arrive did not see): an outage is judged by
// when the requests that failed began (see outage).
func requestStart(r *http.Request) time.Time {
	if a, ok := r.Context().Value(arrivalKey{}).(arrival); ok {
		return a.start
	}
	return time.Now()
}

func requestID(r *http.Request) string { id, _ := r.Context().Value(keyRequestID).(string); return id }

func dbSession(r *http.Request) *database.Session {
	s, _ := r.Context().Value(keySession).(*database.Session)
	return s
}

func currentUser(r *http.Request) *models.User {
	u, _ := r.Context().Value(keyUser).(*models.User)
	return u
}

// securityHeaders sets a Content-Security-Policy without inline scripts or styles, and
// the usual hardening headers. Images may also be data: URLs because Bootstrap's CSS
// draws its icons with them (menu button, ticked checkbox, invalid-field mark); an image
// cannot run script, so this opens nothing to injection.
// Images may come from Gravatar only when avatars do (AVATARS=gravatar).
func securityHeaders(avatars string, next http.Handler) http.Handler {
	img := "'self' data:"
	if avatars == "gravatar" {
		img += " https://www.gravatar.com"
	}
	csp := "default-src 'self'; img-src " + img + "; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// requestContext gives each request an id, a database session (rolled back unless a
// handler committed), the logged-in user, and turns panics into the 500 page.
func (a *App) requestContext(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), keyRequestID, newRequestID())
		s := a.db.NewSession()
		defer s.Close()
		ctx = context.WithValue(ctx, keySession, s)
		r = r.WithContext(ctx)
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		w = rec
		defer func() { a.logRequest(r, rec.status, start, requestID(r)) }()
		defer func() {
			if v := recover(); v != nil {
				a.serverError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		if id, ok := a.sessions.Get(ctx, "user_id").(int64); ok {
			var u models.User
			if err := s.Get(ctx, &u, id); err == nil {
				// A password changed since sign-in (a reset) has signed the session out;
				// so has an operator disabling the account.
				if u.Disabled() {
					a.signOutDisabled(ctx, &u)
				} else if !a.passwordChanged(ctx, &u) {
					r = r.WithContext(context.WithValue(ctx, keyUser, &u))
					if !backgroundRequest(r) {
						a.touch(r, &u)
					}
					frontUser(r, u.LastSeen)
				}
			} else if errors.Is(err, database.ErrNotFound) {
				a.sessions.Remove(ctx, "user_id") // the account is gone
			} else {
				// Not a reason to sign the user out (the database may be briefly down).
				a.serverError(w, r, fmt.Errorf("web: current user: %w", err))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// newRequestID is a random id for a request's log lines.
//
// The id only tells log lines apart, so it comes from math/rand/v2's generator (ChaCha8,
// seeded at random for each process), not from the operating system's: on the front
// cache's path crypto/rand took 1.5% of the server's CPU.
func newRequestID() string {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], rand.Uint64())
	return hex.EncodeToString(b[:])
}

// logRequest writes a request's access log line; attrs are added to it.
func (a *App) logRequest(r *http.Request, status int, start time.Time, id string, attrs ...slog.Attr) {
	// On an array on the stack: appending to a literal put a new slice on the heap for
	// every request.
	var all [8]slog.Attr
	line := append(all[:0], slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", status),
		slog.Int64("duration_ms", time.Since(start).Milliseconds()), slog.String("request_id", id))
	line = append(line, attrs...)
	a.log.LogAttrs(r.Context(), slog.LevelInfo, "request", line...)
}

// backgroundRequest reports whether a request is made by a page's script on its own,
// not by the user: the notification poll. It is not a visit, so last_seen stays.
func backgroundRequest(r *http.Request) bool { return r.URL.Path == "/notifications" }

// lastSeenEvery is how often a user's last visit is recorded at most.
const lastSeenEvery = time.Minute

// touch records the user's last visit, at most once a minute to spare the database.
func (a *App) touch(r *http.Request, u *models.User) {
	now := time.Now().UTC()
	if u.LastSeen != nil && now.Sub(*u.LastSeen) < lastSeenEvery {
		return
	}
	u.LastSeen = &now
	if err := dbSession(r).Commit(r.Context()); err != nil {
		a.log.Warn("update last seen", "err", err, "request_id", requestID(r))
	}
}

// loginRequired sends anonymous visitors to the login page, remembering where they
// were going.
func (a *App) loginRequired(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if currentUser(r) == nil {
			a.flash(r, a.T(r, "Please log in to access this page."))
			http.Redirect(w, r, "/auth/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusFound)
			return
		}
		next(w, r)
	}
}

// anonymousOnly sends logged-in users home (login and register pages).
func (a *App) anonymousOnly(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if currentUser(r) != nil {
			http.Redirect(w, r, "/index", http.StatusFound)
			return
		}
		next(w, r)
	}
}

// statusRecorder remembers the status a handler wrote, for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
