package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/web"
)

// sessionTestPassword passes any reasonable password policy, so that these tests do not
// depend on it.
const sessionTestPassword = "session-test-horse-staple-9"

// syncBuffer is a log destination that several request goroutines may write at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines are the log lines containing s.
func (b *syncBuffer) lines(s string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for line := range strings.Lines(b.buf.String()) {
		if strings.Contains(line, s) {
			out = append(out, strings.TrimSpace(line))
		}
	}
	return out
}

// waitLines waits up to d for at least n lines containing s, and returns them all.
func (b *syncBuffer) waitLines(s string, n int, d time.Duration) []string {
	deadline := time.Now().Add(d)
	for {
		got := b.lines(s)
		if len(got) >= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newDialectSite is a real HTTP server over a migrated database of the given dialect,
// with cfg adjusted by tune (may be nil) and its log kept in the returned buffer.
// Its background jobs stay queued: see newWorkingSite for a site that runs them.
func newDialectSite(t *testing.T, dialect string, tune func(*config.Config)) (*site, *web.App, *syncBuffer) {
	t.Helper()
	return newWorkingSite(t, dialect, tune, 0)
}

// addUser stores an account directly (registration has its own tests and rules).
func addUser(t *testing.T, db *database.DB, name string) {
	t.Helper()
	u := &models.User{Username: name, Email: name + "@example.com"}
	if err := u.SetPassword(sessionTestPassword); err != nil {
		t.Fatal(err)
	}
	s := db.NewSession()
	defer s.Close()
	s.Add(u)
	if err := s.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// signedIn is a browser signed in as a new user called name.
func signedIn(t *testing.T, s *site, name string, remember bool) *browser {
	t.Helper()
	addUser(t, s.db, name)
	b := s.browser()
	form := url.Values{"username": {name}, "password": {sessionTestPassword}}
	if remember {
		form.Set("remember_me", "y")
	}
	expect(t, "login", b.post("/auth/login", form), http.StatusFound, "/index")
	return b
}

// sessionRows counts the rows of the sessions table.
func sessionRows(t *testing.T, db *database.DB) int {
	t.Helper()
	n, err := db.Bun.NewSelect().Model((*models.WebSession)(nil)).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// sessionCookie is the browser's session cookie for the site, or nil.
func sessionCookie(b *browser) *http.Cookie {
	for _, c := range b.c.Jar.Cookies(mustURL(b.s.srv.URL)) {
		if c.Name == "microblog_session" {
			return c
		}
	}
	return nil
}

// setCookie is the response's Set-Cookie header for the session cookie, or "".
func setCookie(p page) string {
	for _, v := range p.header.Values("Set-Cookie") {
		if len(v) > len("microblog_session=") && v[:len("microblog_session=")] == "microblog_session=" {
			return v
		}
	}
	return ""
}
