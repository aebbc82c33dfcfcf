package web

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
)

// Timings of one notification stream.
const (
	// streamHeartbeat is how often a stream sends a comment line when it has nothing
	// else to send, so that proxies keep it open and a vanished client is noticed; the
	// stream also checks then that its session still exists.
	streamHeartbeat = 25 * time.Second
	// streamWriteTimeout bounds each write to a stream (the server's WriteTimeout would
	// end every stream after 30 s).
	streamWriteTimeout = 10 * time.Second
	// streamRetry is the reconnection delay the stream asks EventSource for.
	streamRetry = 5 * time.Second
)

// notificationJSON is one notification as /notifications and the stream send it, as the
// tutorial's: {"name", "data", "timestamp"}.
type notificationJSON struct {
	Name      string          `json:"name"`
	Data      json.RawMessage `json:"data"`
	Timestamp float64         `json:"timestamp"`
}

func toJSON(n *models.Notification) notificationJSON {
	data := json.RawMessage(n.PayloadJSON)
	if !json.Valid(data) {
		data = json.RawMessage("null") // not written by this app; never break the list
	}
	return notificationJSON{Name: n.Name, Data: data, Timestamp: n.Timestamp}
}

// writeJSON writes v as a JSON response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// jsonError writes {"error": msg}.
func jsonError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// apiLoginRequired answers anonymous requests to a JSON route with 401 and a JSON body,
// not the login page's redirect, which a script cannot follow usefully.
func (a *App) apiLoginRequired(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if currentUser(r) == nil {
			jsonError(w, http.StatusUnauthorized, a.T(r, "Not signed in."))
			return
		}
		next(w, r)
	}
}

// parseSince reads the since parameter: epoch seconds, a finite number; missing is 0.
func parseSince(s string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("since must be a number of seconds, got %q", s)
	}
	return f, nil
}

// notifications lists the user's notifications newer than ?since=, oldest first. It
// does not count as a visit (requestContext leaves last_seen alone for it): it is the
// page's own poll, not the user.
func (a *App) notifications(w http.ResponseWriter, r *http.Request) {
	since, err := parseSince(r.URL.Query().Get("since"))
	if err != nil {
		jsonError(w, http.StatusBadRequest, err.Error())
		return
	}
	list, err := store.NotificationsSince(r.Context(), dbSession(r), currentUser(r).ID, since)
	if err != nil {
		a.jsonServerError(w, r, err)
		return
	}
	out := make([]notificationJSON, 0, len(list))
	for _, n := range list {
		out = append(out, toJSON(n))
	}
	writeJSON(w, http.StatusOK, out)
}

// jsonServerError is serverError for the JSON routes: 503 while the database is
// unreachable, else 500, with a JSON body.
func (a *App) jsonServerError(w http.ResponseWriter, r *http.Request, err error) {
	if database.IsUnavailable(err) {
		a.log.Warn("database unavailable", "err", err, "route", r.Pattern, "request_id", requestID(r))
		jsonError(w, http.StatusServiceUnavailable, a.T(r, "The database is unavailable. Please try again shortly."))
		return
	}
	a.log.Error("internal error", "err", err, "method", r.Method, "route", r.Pattern, "request_id", requestID(r))
	a.mailError(err, r)
	jsonError(w, http.StatusInternalServerError, a.T(r, "An unexpected error has occurred."))
}

// streamSession is the signed-in session behind a stream request: its token and user.
// The stream runs outside the session middleware (which holds a response back until the
// session is saved) and outside requestContext (whose database session and last_seen
// update are for pages): it only reads the session.
func (a *App) streamSession(r *http.Request) (token string, userID int64, err error) {
	c, err := r.Cookie(a.sessions.Cookie.Name)
	if err != nil || c.Value == "" || strings.HasPrefix(c.Value, anonymousCookiePrefix) {
		return "", 0, nil
	}
	if userID, err = a.streamUser(r.Context(), c.Value); err != nil || userID == 0 {
		return "", 0, err
	}
	return c.Value, userID, nil
}

// streamUser is the user still signed in with the session token, or 0: none when the
// session has ended, when the account is disabled, or when the password changed since
// it signed in (a reset signs every other session out, streams included).
func (a *App) streamUser(ctx context.Context, token string) (int64, error) {
	ctx, err := a.sessions.Load(ctx, token)
	if err != nil {
		return 0, fmt.Errorf("web: notification stream: session: %w", err)
	}
	id, _ := a.sessions.Get(ctx, "user_id").(int64)
	if id == 0 {
		return 0, nil
	}
	s := a.db.NewSession() // reads only: no transaction is opened
	defer s.Close()
	var u models.User
	if err := s.Get(ctx, &u, id); errors.Is(err, database.ErrNotFound) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("web: notification stream: user: %w", err)
	}
	if u.Disabled() {
		return 0, nil
	}
	fp, bound := a.sessions.Get(ctx, sessionPasswordKey).(string)
	if !bound {
		return id, nil // fingerprinted at the session's next page request
	}
	if !hmac.Equal([]byte(fp), []byte(a.binding.fingerprint(&u))) {
		return 0, nil
	}
	return id, nil
}

// notificationStream serves the user's notifications as Server-Sent Events: first the
// current ones newer than Last-Event-ID (or ?since=, epoch seconds), then each new one as
// the hub finds it (notify_hub.go), with the notification's id as the event id. It ends
// when the client goes, the session ends (checked at each heartbeat), or the server
// shuts down. It holds no database connection or transaction between events.
func (a *App) notificationStream(w http.ResponseWriter, r *http.Request) {
	token, userID, err := a.streamSession(r)
	if err != nil {
		a.jsonServerError(w, r, err)
		return
	}
	if userID == 0 {
		jsonError(w, http.StatusUnauthorized, a.T(r, "Not signed in."))
		return
	}
	var afterID int64
	var since float64
	if last := r.Header.Get("Last-Event-ID"); last != "" {
		if afterID, err = strconv.ParseInt(last, 10, 64); err != nil || afterID < 0 {
			jsonError(w, http.StatusBadRequest, a.T(r, "Last-Event-ID must be an event id, got %q", last))
			return
		}
	} else if since, err = parseSince(r.URL.Query().Get("since")); err != nil {
		jsonError(w, http.StatusBadRequest, err.Error())
		return
	}
	sub := a.hub.subscribe(userID, afterID, since)
	if sub == nil {
		w.Header().Set("Retry-After", "5")
		jsonError(w, http.StatusServiceUnavailable, a.T(r, "The server is shutting down."))
		return
	}
	defer a.hub.unsubscribe(sub)
	// Subscribed first, then the backlog read: a notification written in between is
	// either in the backlog or delivered by the hub, and sent once either way.
	backlog, err := a.streamBacklog(r.Context(), userID, afterID, since)
	if err != nil {
		a.jsonServerError(w, r, err)
		return
	}

	rc := http.NewResponseController(w)
	// The server's ReadTimeout would cancel the request's context mid-stream.
	if err := rc.SetReadDeadline(time.Time{}); err != nil {
		a.log.Error("notification stream: cannot lift the read deadline", "err", err)
		jsonError(w, http.StatusInternalServerError, a.T(r, "Streaming is not available."))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: pass events on at once
	w.WriteHeader(http.StatusOK)
	start := time.Now()
	a.log.Info("notification stream opened", "user_id", userID)
	defer func() {
		a.log.Info("notification stream closed", "user_id", userID, "duration_ms", time.Since(start).Milliseconds())
	}()
	send := func(text string) bool {
		if err := rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout)); err != nil {
			return false
		}
		if _, err := fmt.Fprint(w, text); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send(fmt.Sprintf("retry: %d\n\n", streamRetry.Milliseconds())) {
		return
	}
	for _, n := range backlog {
		if sub.claim(n) && !send(event(n)) {
			return
		}
	}
	heartbeat := time.NewTicker(a.streamHeartbeat)
	defer heartbeat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-sub.gone:
			return
		case n := <-sub.ch:
			if !send(event(n)) {
				return
			}
		case <-heartbeat.C:
			if id, err := a.streamUser(r.Context(), token); err == nil && id != userID {
				return // signed out, expired, or the password changed
			}
			if !send(": heartbeat\n\n") {
				return
			}
		}
	}
}

// streamBacklog reads the notifications a new stream starts with, outside any
// transaction.
func (a *App) streamBacklog(ctx context.Context, userID, afterID int64, since float64) ([]*models.Notification, error) {
	if afterID > 0 {
		return store.NotificationsAfter(ctx, a.db, []int64{userID}, afterID)
	}
	s := a.db.NewSession() // reads only: no transaction is opened
	defer s.Close()
	return store.NotificationsSince(ctx, s, userID, since)
}

// event is n as one Server-Sent Event: its id, and its JSON on one data line.
func event(n *models.Notification) string {
	b, _ := json.Marshal(toJSON(n)) // no newlines: one data line
	return fmt.Sprintf("id: %d\ndata: %s\n\n", n.ID, b)
}
