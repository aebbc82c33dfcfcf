package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/server"
	"github.com/microblog/microblog/internal/store"
	"github.com/microblog/microblog/internal/testdb"
	"github.com/microblog/microblog/internal/web"
)

// addNotification writes a notification straight into the database, as a background
// worker or another app instance would: this app's process is not told.
func addNotification(t *testing.T, db *database.DB, username, name string, data any) {
	t.Helper()
	ctx := context.Background()
	s := db.NewSession()
	defer s.Close()
	u, err := store.UserByUsername(ctx, s, username)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.AddNotification(ctx, s, u.ID, name, data); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

func lastSeen(t *testing.T, db *database.DB, username string) time.Time {
	t.Helper()
	var u models.User
	if err := db.Bun.NewSelect().Model(&u).Where("username = ?", username).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return u.LastSeen.UTC()
}

func TestNotificationsJSON(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			s, _, logs := newDialectSite(t, d, nil)
			anon := s.browser()
			p := anon.get("/notifications")
			if p.status != http.StatusUnauthorized || p.location != "" || !strings.HasPrefix(p.header.Get("Content-Type"), "application/json") {
				t.Fatalf("anonymous: %d %q %s", p.status, p.location, p.header.Get("Content-Type"))
			}
			var e map[string]string
			if err := json.Unmarshal([]byte(p.body), &e); err != nil || e["error"] == "" {
				t.Fatalf("anonymous body %q: %v", p.body, err)
			}

			john, susan := signedIn(t, s, "john", false), signedIn(t, s, "susan", false)
			for _, bad := range []string{"abc", "NaN", "Inf", "-inf", "1e999", "1,5", "0x"} {
				p := susan.get("/notifications?since=" + url.QueryEscape(bad))
				if p.status != http.StatusBadRequest || json.Unmarshal([]byte(p.body), &e) != nil || e["error"] == "" {
					t.Errorf("since=%s: %d %s", bad, p.status, p.body)
				}
			}
			if items := notificationsSince(t, susan, "0"); len(items) != 0 {
				t.Fatalf("no notifications yet, got %v", items)
			}
			if p := susan.get("/notifications"); p.status != 200 || strings.TrimSpace(p.body) != "[]" {
				t.Fatalf("no since, nothing yet: %d %q", p.status, p.body)
			}

			john.post("/send_message/susan", url.Values{"message": {"one"}})
			items := notificationsSince(t, susan, "0")
			if len(items) != 1 || items[0].Name != "unread_message_count" || string(items[0].Data) != "1" || items[0].Timestamp < float64(time.Now().Add(-time.Minute).Unix()) {
				t.Fatalf("after one message: %+v", items)
			}
			first := strconv.FormatFloat(items[0].Timestamp, 'f', -1, 64)
			if later := notificationsSince(t, susan, first); len(later) != 0 {
				t.Fatalf("since the last timestamp: %+v, want none", later)
			}
			time.Sleep(2 * time.Millisecond) // a later timestamp, even on a coarse clock
			addNotification(t, s.db, "susan", "task_progress", map[string]any{"task_id": "abc", "progress": 50})
			time.Sleep(2 * time.Millisecond)
			john.post("/send_message/susan", url.Values{"message": {"two"}})
			later := notificationsSince(t, susan, first)
			if len(later) != 2 || later[0].Name != "task_progress" || string(later[0].Data) != `{"progress":50,"task_id":"abc"}` ||
				later[1].Name != "unread_message_count" || string(later[1].Data) != "2" || later[0].Timestamp > later[1].Timestamp {
				t.Fatalf("since the first: %+v", later)
			}
			if others := notificationsSince(t, john, "0"); len(others) != 0 {
				t.Fatalf("john sees %+v", others)
			}

			// The poll is not a visit.
			old := time.Now().UTC().Add(-10 * time.Minute).Truncate(time.Second)
			if _, err := s.db.Bun.NewUpdate().Model((*models.User)(nil)).Set("last_seen = ?", old).Where("username = 'susan'").Exec(context.Background()); err != nil {
				t.Fatal(err)
			}
			notificationsSince(t, susan, "0")
			if got := lastSeen(t, s.db, "susan"); !got.Equal(old) {
				t.Errorf("last_seen moved by /notifications: %v -> %v", old, got)
			}
			susan.get("/explore")
			if got := lastSeen(t, s.db, "susan"); got.Equal(old) {
				t.Error("last_seen not moved by a page")
			}
			if l := logs.lines("level=ERROR"); len(l) > 0 {
				t.Errorf("errors logged: %q", l)
			}
		})
	}
}

// sse reads a notification stream in the background.
type sse struct {
	t          *testing.T
	resp       *http.Response
	events     chan sseEvent
	ended      chan struct{}
	heartbeats atomic.Int32
	cancel     context.CancelFunc
}

type sseEvent struct {
	id   int64
	item notificationItem
}

// openStream opens /notifications/stream as b; lastID, when set, is sent as
// Last-Event-ID.
func openStream(t *testing.T, b *browser, base, lastID string) *sse {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/notifications/stream", nil)
	req.Header.Set("Accept", "text/event-stream")
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	st := &sse{t: t, resp: resp, events: make(chan sseEvent, 100), ended: make(chan struct{}), cancel: cancel}
	t.Cleanup(func() { cancel(); resp.Body.Close() })
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	go func() {
		defer close(st.ended)
		sc := bufio.NewScanner(resp.Body)
		var ev sseEvent
		var data string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if data != "" {
					if err := json.Unmarshal([]byte(data), &ev.item); err != nil {
						t.Errorf("event data %q: %v", data, err)
					}
					st.events <- ev
				}
				ev, data = sseEvent{}, ""
			case strings.HasPrefix(line, ":"):
				st.heartbeats.Add(1)
			case strings.HasPrefix(line, "id: "):
				ev.id, _ = strconv.ParseInt(line[4:], 10, 64)
			case strings.HasPrefix(line, "data: "):
				data += line[6:]
			}
		}
	}()
	return st
}

// next waits up to d for the next event.
func (st *sse) next(what string, d time.Duration) sseEvent {
	st.t.Helper()
	select {
	case ev := <-st.events:
		return ev
	case <-st.ended:
		st.t.Fatalf("%s: the stream ended", what)
	case <-time.After(d):
		st.t.Fatalf("%s: no event within %v", what, d)
	}
	return sseEvent{}
}

// none checks that no event comes within d.
func (st *sse) none(what string, d time.Duration) {
	st.t.Helper()
	select {
	case ev := <-st.events:
		st.t.Fatalf("%s: unexpected event %+v", what, ev)
	case <-time.After(d):
	}
}

// waitEnd waits up to d for the server to end the stream.
func (st *sse) waitEnd(what string, d time.Duration) {
	st.t.Helper()
	select {
	case <-st.ended:
	case <-time.After(d):
		st.t.Fatalf("%s: the stream is still open after %v", what, d)
	}
}

// A stream sends the current notifications, then new ones written through the app (at
// once: the app wakes its hub) and written straight into the database as another
// process would (found by the hub's poll), with their ids as event ids; Last-Event-ID
// resumes after an id; signing out ends the stream. It outlives the server's read and
// write timeouts.
func TestNotificationStream(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			s, app, logs := newDialectSite(t, d, nil)
			db := s.db
			web.SetStreamTimings(app, 300*time.Millisecond, time.Second)
			// Streams are read from a second server of the same app whose timeouts are far
			// shorter than the test: a stream must lift them. (Pages are asked of the
			// first: signing in takes longer than these timeouts allow.)
			hs := httptest.NewUnstartedServer(app.Handler())
			hs.Config.ReadTimeout, hs.Config.WriteTimeout = 500*time.Millisecond, 500*time.Millisecond
			hs.Start()
			t.Cleanup(hs.Close)
			t.Cleanup(app.CloseStreams) // before hs.Close, which waits for open streams

			if p := s.browser().get("/notifications/stream"); p.status != http.StatusUnauthorized || !strings.Contains(p.body, `"error"`) {
				t.Fatalf("anonymous stream: %d %q", p.status, p.body)
			}
			john, susan := signedIn(t, s, "john", false), signedIn(t, s, "susan", false)
			expect(t, "first message", john.post("/send_message/susan", url.Values{"message": {"one"}}), 302, "/user/susan")

			st := openStream(t, susan, hs.URL, "")
			ev := st.next("current notification", 3*time.Second)
			if ev.item.Name != "unread_message_count" || string(ev.item.Data) != "1" || ev.id == 0 {
				t.Fatalf("first event %+v", ev)
			}
			st.none("nothing new", 1500*time.Millisecond) // past both server timeouts

			start := time.Now()
			expect(t, "second message", john.post("/send_message/susan", url.Values{"message": {"two"}}), 302, "/user/susan")
			ev2 := st.next("message sent through the app", 3*time.Second)
			if ev2.item.Name != "unread_message_count" || string(ev2.item.Data) != "2" || ev2.id <= ev.id {
				t.Fatalf("second event %+v after %+v", ev2, ev)
			}
			if took := time.Since(start); took > 900*time.Millisecond {
				t.Errorf("an in-process notification took %v (the hub was not woken)", took)
			}

			addNotification(t, db, "susan", "task_progress", map[string]any{"task_id": "t-1", "progress": 42})
			ev3 := st.next("notification written by another process", 5*time.Second)
			if ev3.item.Name != "task_progress" || string(ev3.item.Data) != `{"progress":42,"task_id":"t-1"}` {
				t.Fatalf("third event %+v", ev3)
			}
			addNotification(t, db, "john", "task_progress", map[string]any{"task_id": "t-2", "progress": 1})
			st.none("john's notification", 1500*time.Millisecond)
			if st.heartbeats.Load() == 0 {
				t.Error("no heartbeat")
			}

			resumed := openStream(t, susan, hs.URL, strconv.FormatInt(ev2.id, 10))
			if got := resumed.next("resumed", 3*time.Second); got.id != ev3.id {
				t.Fatalf("resumed after %d: got %+v, want id %d", ev2.id, got, ev3.id)
			}
			resumed.none("nothing else after the resume", 500*time.Millisecond)

			expect(t, "logout", susan.post("/auth/logout", nil), 302, "/index")
			st.waitEnd("after sign-out", 3*time.Second)
			resumed.waitEnd("after sign-out", 3*time.Second)
			if p := susan.get("/notifications/stream"); p.status != http.StatusUnauthorized {
				t.Errorf("stream after sign-out: %d", p.status)
			}
			if l := logs.lines("level=ERROR"); len(l) > 0 {
				t.Errorf("errors logged: %q", l)
			}
		})
	}
}

// newApp builds an App over db, its log kept in the returned buffer.
func newApp(t *testing.T, db *database.DB) (*web.App, *syncBuffer) {
	t.Helper()
	cfg, err := config.Load(func(string) (string, bool) { return "", false }, "")
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	app, err := web.New(db, cfg, testLogger(logs), testdb.Queue(t, db))
	if err != nil {
		t.Fatal(err)
	}
	app.KeepPasswordPages() // see newSiteWithPageSize
	t.Cleanup(app.CloseStreams)
	return app, logs
}

func testLogger(logs *syncBuffer) *slog.Logger { return slog.New(slog.NewTextHandler(logs, nil)) }

// The server's graceful shutdown ends open streams at once instead of waiting its ten
// seconds for them, and a stream holds no transaction: SQLite's single writer stays free
// while it is open.
func TestNotificationStreamEndsOnShutdown(t *testing.T) {
	db := testdb.Migrated(t, database.SQLite)
	app, logs := newApp(t, db)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	srv := server.New(server.Options{Log: testLogger(logs), Handler: app.Handler(), OnShutdown: app.CloseStreams})
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()
	s := &site{t: t, srv: &httptest.Server{URL: base}, db: db}
	susan := signedIn(t, s, "susan", false)
	john := signedIn(t, s, "john", false)
	st := openStream(t, susan, base, "")
	st.none("nothing yet", 300*time.Millisecond)
	expect(t, "write while streaming", john.post("/send_message/susan", url.Values{"message": {"hi"}}), 302, "/user/susan")
	st.next("message", 3*time.Second)

	start := time.Now()
	stop()
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the server did not shut down within 5 s with a stream open")
	}
	st.waitEnd("after shutdown", time.Second)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("shutdown with an open stream took %v", took)
	}
	if l := logs.lines("level=ERROR"); len(l) > 0 {
		t.Errorf("errors logged: %q", l)
	}
}

// A password reset signs every other session out, open notification streams included:
// a stream whose user's password changed ends at its next heartbeat.
func TestNotificationStreamEndsWhenThePasswordChanges(t *testing.T) {
	s, app, _ := newDialectSite(t, database.SQLite, nil)
	web.SetStreamTimings(app, 200*time.Millisecond, time.Second)
	susan := signedIn(t, s, "susan", false)
	expect(t, "a page fingerprints the session", susan.get("/index"), 200, "")
	st := openStream(t, susan, s.srv.URL, "")
	st.none("idle", 500*time.Millisecond)
	if _, err := s.db.Bun.NewUpdate().Table("user").Set("password_hash = ?", "changed-elsewhere").Where("username = ?", "susan").Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	st.waitEnd("after the password changed", 3*time.Second)
}
