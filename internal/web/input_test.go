package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
)

// Hostile input in every form field, path segment and query gets the form's own error or
// a 400/404/413 — never a 500, never an admin e-mail — and what is stored is exactly
// what was sent, the same on SQLite, PostgreSQL and MariaDB.
func TestHostileInputNeverFailsOrChangesText(t *testing.T) {
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			// Each request comes from another address behind a trusted proxy, so that the
			// registration limit per address does not end the test early.
			s, _, logs := newDialectSite(t, dialect, func(c *config.Config) {
				c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
			})
			b := s.browser()
			b.c.Transport = &manyAddresses{}
			const pw = "paper lantern harbor"
			expect(t, "register", b.register("john", "john@example.com", pw), 302, "/auth/login")
			users := countRows(t, s, "user")

			bad := []string{"x\x00", "x\xff", "x\x1b[31m", "x\u0085", "\x00"}
			for _, v := range bad {
				p := b.post("/auth/register", url.Values{"username": {"u" + v}, "email": {"u@example.com"}, "password": {pw}, "password2": {pw}})
				expectFormError(t, "register username "+v, p)
				p = b.post("/auth/register", url.Values{"username": {"mary"}, "email": {"m" + v + "@example.com"}, "password": {pw}, "password2": {pw}})
				expectFormError(t, "register email "+v, p)
				p = b.post("/auth/register", url.Values{"username": {"mary"}, "email": {"mary@example.com"}, "password": {pw + v}, "password2": {pw + v}})
				expectFormError(t, "register password "+v, p)
				expectFormError(t, "login as john"+v, b.login("john"+v, pw))
				if p := b.login("john", pw+v); p.status != http.StatusFound || p.location != "/auth/login" {
					t.Errorf("login with password+%q: %d %q, want a failed sign-in", v, p.status, p.location)
				}
			}
			if n := countRows(t, s, "user"); n != users {
				t.Fatalf("hostile registrations stored %d users", n-users)
			}

			expect(t, "login", b.login("john", pw), 302, "/index")
			for _, v := range bad {
				expectFormError(t, "post "+v, b.post("/index", url.Values{"post": {"a" + v + "b"}}))
				expectFormError(t, "post ending in "+v, b.post("/index", url.Values{"post": {"a" + v}}))
				expectFormError(t, "about me "+v, b.post("/edit_profile", url.Values{"username": {"john"}, "about_me": {"a" + v}}))
				expectFormError(t, "rename "+v, b.post("/edit_profile", url.Values{"username": {"john" + v}, "about_me": {""}}))
			}
			if n := countRows(t, s, "post"); n != 0 {
				t.Fatalf("hostile posts stored: %d", n)
			}
			// Text that is text is stored exactly as sent: tabs, line breaks, look-alikes,
			// invisible and right-to-left characters, quotes and backslashes.
			exact := "a\tb\r\nc ｓｕｓａｎ ѕ ſ \u200b \u202eevil\u202c 'q' \"d\" \\ `b` 😀"
			expect(t, "post exact text", b.post("/index", url.Values{"post": {exact}}), 302, "/index")
			var body string
			if err := s.db.Bun.NewSelect().Model((*models.Post)(nil)).Column("body").Scan(context.Background(), &body); err != nil || body != exact {
				t.Fatalf("stored %q (%v), sent %q", body, err, exact)
			}

			for _, path := range []string{"/user/x%00", "/user/%FF", "/user/a%1Bb", "/user/%C0%AF", "/x%00y"} {
				expect(t, "GET "+path, b.get(path), 404, "", "Not Found")
			}
			for _, path := range []string{"/follow/x%00", "/unfollow/%FF"} {
				req, _ := http.NewRequest("POST", s.srv.URL+path, nil)
				expect(t, "POST "+path, b.do(req), 404, "")
			}
			for _, path := range []string{"/explore?page=%00", "/index?page=%FF", "/auth/logout?next=%00", "/user/john?x=%1B"} {
				expect(t, "GET "+path, b.get(path), 400, "", "Bad Request")
			}
			expect(t, "huge form", b.post("/index", url.Values{"post": {strings.Repeat("x", 100<<10)}}), 413, "")
			expect(t, "still signed in", b.get("/index"), 200, "", "Hi, john!")
			if strings.Contains(logs.String(), "internal error") {
				t.Errorf("hostile input logged an internal error:\n%s", logs.String())
			}
		})
	}
}

// manyAddresses sends each request as if from a new client address, through a proxy
// that says so in X-Forwarded-For.
type manyAddresses struct {
	mu sync.Mutex
	n  int
}

func (m *manyAddresses) RoundTrip(r *http.Request) (*http.Response, error) {
	m.mu.Lock()
	m.n++
	n := m.n
	m.mu.Unlock()
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.%d.%d", n/250, n%250+1))
	return http.DefaultTransport.RoundTrip(r)
}

func expectFormError(t *testing.T, what string, p page) {
	t.Helper()
	if p.status != http.StatusOK || !strings.Contains(p.body, "invalid-feedback") {
		t.Errorf("%s: %d %q, want the form again with an error\n%.2000s", what, p.status, p.location, p.body)
	}
}

func countRows(t *testing.T, s *site, table string) int {
	t.Helper()
	var n int
	q := `SELECT count(*) FROM "` + table + `"`
	if s.db.Dialect == "mysql" {
		q = "SELECT count(*) FROM `" + table + "`"
	}
	if err := s.db.SQL.QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
