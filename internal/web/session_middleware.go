package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
)

// loadAndSave is the session middleware, in place of scs's LoadAndSave, which differs in
// three ways:
//
//   - The handler's response is held back until the session is saved, and a failed save
//     is logged and never turns the response into an error: the handler may already have
//     committed a post, and answering 500 for it makes the user post it again. The save
//     also comes after the request's database session has ended, so it never waits for a
//     lock its own request holds.
//   - Only a signed-in session is kept in the database. What an anonymous visitor's
//     session holds (a flash such as "Please log in") travels in a signed cookie, so that
//     anonymous requests write nothing to the database.
//   - A session without "Remember Me" expires after SESSION_IDLE_TIMEOUT without a
//     request; its row's expiry is moved forward only once a quarter of that window has
//     passed, not at every request.
func (a *App) loadAndSave(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Cookie")
		ctx := context.WithValue(r.Context(), sessionRowKey{}, &sessionRow{})
		var token string
		var carried map[string]any
		c, err := r.Cookie(a.sessions.Cookie.Name)
		hadCookie := err == nil
		if hadCookie {
			if sealed, ok := strings.CutPrefix(c.Value, anonymousCookiePrefix); ok {
				carried = a.openAnonymous(sealed)
			} else {
				token = c.Value
			}
		}
		ctx, err = a.sessions.Load(ctx, token)
		if err != nil {
			a.serverError(w, r, fmt.Errorf("web: session: load: %w", err))
			return
		}
		for k, v := range carried {
			a.sessions.Put(ctx, k, v)
		}
		r = r.WithContext(ctx)
		held := &heldResponse{w: w}
		next.ServeHTTP(held, r)
		a.saveSession(w, r, hadCookie)
		held.send()
	})
}

// saveSession stores the session (or its cookie) after the handler has run. It writes
// nothing when nothing changed, except the periodic refresh of an idle timeout.
func (a *App) saveSession(w http.ResponseWriter, r *http.Request, hadCookie bool) {
	ctx, sm := r.Context(), a.sessions
	values := map[string]any{}
	for _, k := range sm.Keys(ctx) {
		values[k] = sm.Get(ctx, k)
	}
	status, token := sm.Status(ctx), sm.Token(ctx)
	if _, signedIn := values["user_id"]; !signedIn {
		if token != "" {
			// A stored session that no longer holds a user (its account was deleted):
			// what is left of it moves into the cookie.
			if err := a.store.DeleteCtx(ctx, token); err != nil {
				a.log.Error("session not deleted", "err", err, "request_id", requestID(r))
			}
		}
		delete(values, rememberMeKey)
		a.saveAnonymous(w, r, values, hadCookie)
		return
	}
	now := time.Now().UTC()
	remembered, _ := values[rememberMeKey].(bool)
	expiry := sm.Deadline(ctx).UTC()
	if idle := now.Add(a.cfg.SessionIdleTimeout); !remembered && idle.Before(expiry) {
		expiry = idle
	}
	row := rowOf(ctx)
	if status == scs.Unmodified && !refreshDue(row, remembered, expiry, now, a.cfg.SessionIdleTimeout) {
		frontSession(r, row, remembered, sm.Deadline(ctx), a.cfg.SessionIdleTimeout)
		return
	}
	row.write = expiry
	token, expiry, err := sm.Commit(ctx)
	if errors.Is(err, errSessionEnded) {
		a.log.Info("session ended by another request; not saved", "request_id", requestID(r))
		return
	}
	if err != nil && a.outage.covers(err) {
		a.log.Debug("session not saved during the database outage", "err", err, "request_id", requestID(r))
		return
	}
	if err != nil {
		a.log.Error("session not saved; the response is sent without it", "err", err,
			"method", r.Method, "path", r.URL.Path, "request_id", requestID(r))
		return
	}
	sm.WriteSessionCookie(ctx, w, token, expiry)
}

// refreshDue says whether an unchanged session's row must be written to push its idle
// expiry forward: once more than a quarter of the idle window has passed since the last
// write. A session therefore ends between ¾ of SESSION_IDLE_TIMEOUT and all of it after
// its last request, at the cost of at most one write per quarter window.
func refreshDue(row *sessionRow, remembered bool, expiry, now time.Time, idle time.Duration) bool {
	if remembered || !row.found {
		return false
	}
	return row.expiry.Before(expiry) && now.After(refreshFrom(row, idle))
}

// refreshFrom is the moment after which refreshDue moves a found row's expiry: a quarter
// of the idle window after it was last written.
func refreshFrom(row *sessionRow, idle time.Duration) time.Time { return row.expiry.Add(-idle * 3 / 4) }

// rememberMeKey is where scs's RememberMe keeps its flag.
const rememberMeKey = "__rememberMe"

// heldResponse keeps a handler's status and body until the session is saved, so that the
// session cookie can still be added to the headers; pages are small.
type heldResponse struct {
	w      http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (h *heldResponse) Header() http.Header { return h.w.Header() }

func (h *heldResponse) WriteHeader(code int) {
	if h.status == 0 && code >= 200 {
		h.status = code
	}
}

func (h *heldResponse) Write(p []byte) (int, error) {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	return h.body.Write(p)
}

func (h *heldResponse) send() {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	h.w.WriteHeader(h.status)
	h.w.Write(h.body.Bytes())
}
