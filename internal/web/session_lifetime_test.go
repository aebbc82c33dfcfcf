package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
	"github.com/microblog/microblog/internal/testdb"
)

// sessionWrites counts the statements that write the sessions table.
type sessionWrites struct {
	mu sync.Mutex
	n  int
}

func (c *sessionWrites) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}

func (c *sessionWrites) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	if e.Operation() != "SELECT" && strings.Contains(e.Query, "sessions") {
		c.mu.Lock()
		c.n++
		c.mu.Unlock()
	}
}

func (c *sessionWrites) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// An anonymous visitor costs no session row: the "Please log in" flash and a failed
// sign-in's message travel in a signed cookie, which is cleared once shown; a signed-in
// user's page views that change nothing write nothing. Before, each anonymous request to
// a protected page stored a row kept 365 days.
func TestAnonymousVisitorsStoreNoSession(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			s, _, _ := newDialectSite(t, d, nil)
			writes := &sessionWrites{}
			s.db.Bun.AddQueryHook(writes)
			b := s.browser()
			expect(t, "anonymous home", b.get("/index"), http.StatusFound, "/auth/login?next=%2Findex")
			if c := sessionCookie(b); c == nil || !strings.HasPrefix(c.Value, "a.") {
				t.Fatalf("flash cookie after the redirect: %v", c)
			}
			p := b.get("/auth/login")
			expect(t, "login page", p, http.StatusOK, "", "Please log in to access this page.")
			if c := setCookie(p); !strings.Contains(c, "Max-Age=0") {
				t.Errorf("the shown flash's cookie is not cleared: %q", c)
			}
			if c := setCookie(b.get("/auth/login")); c != "" {
				t.Errorf("a request that puts nothing set a cookie: %q", c)
			}
			addUser(t, s.db, "john")
			expect(t, "wrong password", b.login("john", "not-the-password-at-all"), http.StatusFound, "/auth/login")
			expect(t, "after wrong password", b.get("/auth/login"), http.StatusOK, "", "Invalid username or password")
			for range 20 {
				s.browser().get("/explore")
			}
			if n := sessionRows(t, s.db); n != 0 || writes.count() != 0 {
				t.Fatalf("anonymous requests left %d session rows after %d writes, want none", n, writes.count())
			}

			// A tampered cookie is ignored, and a sealed cookie never signs anyone in.
			b.get("/index")
			c := sessionCookie(b)
			c.Value = c.Value[:len(c.Value)-2] + "AA"
			b.c.Jar.SetCookies(mustURL(s.srv.URL), []*http.Cookie{c})
			if p := b.get("/auth/login"); strings.Contains(p.body, "Please log in") {
				t.Error("a tampered anonymous cookie was believed")
			}

			signed := signedIn(t, s, "susan", false)
			before := writes.count()
			for range 5 {
				expect(t, "explore", signed.get("/explore"), http.StatusOK, "")
			}
			if got := writes.count() - before; got != 0 {
				t.Errorf("5 page views that change nothing wrote the session %d times", got)
			}
			if n := sessionRows(t, s.db); n != 1 {
				t.Errorf("%d session rows for one signed-in user", n)
			}
		})
	}
}

// expiryOf is the stored expiry of the browser's session.
func expiryOf(t *testing.T, b *browser) time.Time {
	t.Helper()
	var row models.WebSession
	c := sessionCookie(b)
	if c == nil {
		t.Fatal("no session cookie")
	}
	if err := b.s.db.Bun.NewSelect().Model(&row).Where("token = ?", c.Value).Scan(context.Background()); err != nil {
		t.Fatalf("session row: %v", err)
	}
	return row.Expiry
}

func setExpiry(t *testing.T, b *browser, expiry time.Time) {
	t.Helper()
	_, err := b.s.db.Bun.NewUpdate().Model((*models.WebSession)(nil)).Set("expiry = ?", expiry.UTC()).
		Where("token = ?", sessionCookie(b).Value).Exec(context.Background())
	if err != nil {
		t.Fatal(err)
	}
}

func near(got, want time.Time) bool { d := got.Sub(want); return d > -time.Minute && d < time.Minute }

// Without "Remember Me" the cookie ends with the browser and the row expires after
// SESSION_IDLE_TIMEOUT without a request; its expiry moves forward only once a quarter of
// that window has passed. With it, cookie and row last REMEMBER_COOKIE_DURATION.
func TestSessionLifetimes(t *testing.T) {
	const idle, remember = 2 * time.Hour, 72 * time.Hour
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			s, _, _ := newDialectSite(t, d, func(c *config.Config) {
				c.SessionIdleTimeout, c.RememberCookieDuration, c.SessionCookieSecure = idle, remember, true
			})
			addUser(t, s.db, "john")
			b := s.browser()
			p := b.login("john", sessionTestPassword)
			c := setCookie(p)
			if strings.Contains(c, "Max-Age") || strings.Contains(c, "Expires") || !strings.Contains(c, "Secure") {
				t.Errorf("session cookie without Remember Me: %q, want a Secure browser-session cookie", c)
			}
			now := time.Now()
			if e := expiryOf(t, b); !near(e, now.Add(idle)) {
				t.Errorf("expiry %v, want about %v", e, now.Add(idle))
			}
			fresh := now.Add(idle - 20*time.Minute) // less than a quarter of the window passed
			setExpiry(t, b, fresh)
			expect(t, "explore", b.get("/explore"), http.StatusOK, "")
			if e := expiryOf(t, b); !near(e, fresh) {
				t.Errorf("expiry rewritten to %v although only 20 minutes of %v had passed", e, idle)
			}
			setExpiry(t, b, now.Add(idle/2))
			expect(t, "explore", b.get("/explore"), http.StatusOK, "")
			if e := expiryOf(t, b); !near(e, time.Now().Add(idle)) {
				t.Errorf("expiry %v after half the idle window, want it pushed to about %v", e, time.Now().Add(idle))
			}
			setExpiry(t, b, time.Now().Add(-time.Second))
			expect(t, "home after the idle timeout", b.get("/index"), http.StatusFound, "/auth/login?next=%2Findex")

			r := s.browser()
			p = r.post("/auth/login", url.Values{"username": {"john"}, "password": {sessionTestPassword}, "remember_me": {"y"}})
			resp := &http.Response{Header: p.header}
			var got *http.Cookie
			for _, ck := range resp.Cookies() {
				if ck.Name == "microblog_session" {
					got = ck
				}
			}
			if got == nil || got.MaxAge < int(remember.Seconds())-60 || got.MaxAge > int(remember.Seconds())+60 {
				t.Errorf("remembered cookie %v, want Max-Age about %v", got, remember)
			}
			if e := expiryOf(t, r); !near(e, time.Now().Add(remember)) {
				t.Errorf("remembered expiry %v, want about %v", e, time.Now().Add(remember))
			}
		})
	}
}

// A token planted before sign-in (session fixation) is never the one signed in.
func TestPlantedSessionTokenIsReplacedAtLogin(t *testing.T) {
	s, _, _ := newDialectSite(t, testdb.Dialects[0], nil)
	addUser(t, s.db, "john")
	b := s.browser()
	planted := "plantedplantedplantedplantedplantedplanted1"
	b.c.Jar.SetCookies(mustURL(s.srv.URL), []*http.Cookie{{Name: "microblog_session", Value: planted, Path: "/"}})
	expect(t, "login", b.login("john", sessionTestPassword), http.StatusFound, "/index")
	if c := sessionCookie(b); c == nil || c.Value == planted {
		t.Fatalf("session cookie after login: %v", c)
	}
	expect(t, "home", b.get("/index"), http.StatusOK, "")
}

// The sweeper started by `microblog run` deletes expired rows and keeps live ones.
func TestSweepSessionsPurgesExpiredRows(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			s, app, _ := newDialectSite(t, d, nil)
			ctx := context.Background()
			now := time.Now().UTC()
			rows := []models.WebSession{
				{Token: "expired1", Data: []byte("x"), Expiry: now.Add(-time.Hour)},
				{Token: "expired2", Data: []byte("x"), Expiry: now.Add(-time.Second)},
				{Token: "live", Data: []byte("x"), Expiry: now.Add(time.Hour)},
			}
			if _, err := s.db.Bun.NewInsert().Model(&rows).Exec(ctx); err != nil {
				t.Fatal(err)
			}
			// Materialized timelines (of users that do not exist: timeline_state has no key
			// to user): one past its lifetime and the sweep's grace, one live.
			timelines := []models.TimelineState{
				{UserID: 900001, BuiltAt: now.Add(-store.TimelineLifetime - store.TimelineSweepGrace - time.Minute)},
				{UserID: 900002, BuiltAt: now.Add(-time.Hour)},
			}
			if _, err := s.db.Bun.NewInsert().Model(&timelines).Exec(ctx); err != nil {
				t.Fatal(err)
			}
			timelinesLeft := func() []int64 {
				var ids []int64
				if err := s.db.Bun.NewSelect().Model((*models.TimelineState)(nil)).Column("user_id").Scan(ctx, &ids); err != nil {
					t.Fatal(err)
				}
				return ids
			}
			sweepCtx, stop := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { app.SweepSessions(sweepCtx, 10*time.Millisecond); close(done) }()
			for deadline := time.Now().Add(10 * time.Second); (sessionRows(t, s.db) != 1 || len(timelinesLeft()) != 1) && time.Now().Before(deadline); {
				time.Sleep(10 * time.Millisecond)
			}
			stop()
			<-done
			var left []models.WebSession
			if err := s.db.Bun.NewSelect().Model(&left).Scan(ctx); err != nil || len(left) != 1 || left[0].Token != "live" {
				t.Fatalf("rows left: %v %v, want only the live one", left, err)
			}
			if left := timelinesLeft(); len(left) != 1 || left[0] != 900002 {
				t.Fatalf("timelines left: %v, want only the live one (900002)", left)
			}
		})
	}
}
