package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/cork"
	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
	"github.com/microblog/microblog/internal/web"
)

// site is a real HTTP server over a migrated SQLite database.
type site struct {
	t   *testing.T
	srv *httptest.Server
	db  *database.DB
}

func newSite(t *testing.T) *site { return newSiteWithPageSize(t, 3) }

func newSiteWithPageSize(t *testing.T, perPage int) *site {
	t.Helper()
	db := testdb.Migrated(t, database.SQLite)
	cfg, err := config.Load(func(string) (string, bool) { return "", false }, "")
	if err != nil {
		t.Fatal(err)
	}
	cfg.PostsPerPage = perPage
	app, err := web.New(db, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), testdb.Queue(t, db))
	if err != nil {
		t.Fatal(err)
	}
	// Hashes keep their pages here: returning 64 MiB to the kernel after each one made
	// every next hash fault it in again: nearly twice the package's CPU time (KeepPasswordPages).
	app.KeepPasswordPages()
	return &site{t: t, srv: newServer(t, app), db: db}
}

func newServer(t *testing.T, app *web.App) *httptest.Server {
	srv := httptest.NewUnstartedServer(cork.Handler(app.Handler()))
	// As internal/server serves: connections on which cork.Send writes a remembered page
	// in one write, once the request is over.
	srv.Listener = cork.Listen(srv.Listener)
	srv.Config.ConnContext = cork.ConnContext
	srv.Start()
	t.Cleanup(srv.Close)
	t.Cleanup(app.CloseStreams) // before srv.Close, which waits for open streams
	return srv
}

// browser is a client with its own cookies that does not follow redirects.
type browser struct {
	s *site
	c *http.Client
}

func (s *site) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{s: s, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	status   int
	location string
	body     string
	header   http.Header
}

func (b *browser) do(req *http.Request) page {
	b.s.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{resp.StatusCode, resp.Header.Get("Location"), string(body), resp.Header}
}

func (b *browser) get(path string) page {
	req, _ := http.NewRequest("GET", b.s.srv.URL+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) page {
	req, _ := http.NewRequest("POST", b.s.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) register(username, email, password string) page {
	return b.post("/auth/register", url.Values{"username": {username}, "email": {email}, "password": {password}, "password2": {password}})
}

func (b *browser) login(username, password string) page {
	return b.post("/auth/login", url.Values{"username": {username}, "password": {password}})
}

func expect(t *testing.T, what string, p page, status int, location string, contains ...string) {
	t.Helper()
	if p.status != status || (location != "" && p.location != location) {
		t.Fatalf("%s: %d %q, want %d %q\n%s", what, p.status, p.location, status, location, p.body)
	}
	for _, c := range contains {
		if !strings.Contains(p.body, c) {
			t.Fatalf("%s: page lacks %q\n%s", what, c, p.body)
		}
	}
}

func TestRegisterLoginPostFollowLogout(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	expect(t, "home, anonymous", b.get("/index"), 302, "/auth/login?next=%2Findex")
	expect(t, "login page", b.get("/auth/login"), 200, "", "Please log in to access this page.", "Sign In", "Click to Register!")

	expect(t, "register", b.register("john", "john@example.com", "correct-cat-battery"), 302, "/auth/login")
	expect(t, "login page after register", b.get("/auth/login"), 200, "", "Congratulations, you are now a registered user!")
	expect(t, "register same name, other case", b.register("John", "john2@example.com", "correct-cat-battery"), 200, "", "Please use a different username.")
	expect(t, "register same e-mail, other case", b.register("johnny", "JOHN@example.com", "correct-cat-battery"), 200, "", "Please use a different email address.")
	expect(t, "register bad e-mail", b.register("johnny", "not-an-address", "correct-cat-battery"), 200, "", "Invalid email address.")
	p := b.post("/auth/register", url.Values{"username": {"x"}, "email": {"x@example.com"}, "password": {"a"}, "password2": {"b"}})
	expect(t, "register mismatched passwords", p, 200, "", "Field must be equal to password.")

	expect(t, "wrong password", b.login("john", "dog-stapler-horse"), 302, "/auth/login")
	expect(t, "login page after failure", b.get("/auth/login"), 200, "", "Invalid username or password")
	expect(t, "login", b.login("john", "correct-cat-battery"), 302, "/index")
	expect(t, "home", b.get("/index"), 200, "", "Hi, john!", "Say something")
	expect(t, "login page when logged in", b.get("/auth/login"), 302, "/index")

	expect(t, "empty post", b.post("/index", url.Values{"post": {"   "}}), 200, "", "This field is required.")
	expect(t, "long post", b.post("/index", url.Values{"post": {strings.Repeat("x", 141)}}), 200, "", "between 1 and 140")
	expect(t, "post", b.post("/index", url.Values{"post": {"  my first post!  "}}), 302, "/index")
	expect(t, "home with post", b.get("/index"), 200, "", "Your post is now live!", "my first post!", "<time datetime=")

	other := s.browser()
	other.register("susan", "susan@example.com", "dog-stapler-horse")
	other.login("susan", "dog-stapler-horse")
	other.post("/index", url.Values{"post": {"susan's post"}})
	if strings.Contains(b.get("/index").body, "susan&#39;s post") {
		t.Fatal("susan's post on john's feed before he follows her")
	}
	expect(t, "explore", b.get("/explore"), 200, "", "susan&#39;s post", "my first post!")
	expect(t, "susan's profile", b.get("/user/susan"), 200, "", "User: susan", "0 followers, 0 following.", `action="/follow/susan"`, "gravatar.com/avatar/")
	expect(t, "follow", b.post("/follow/susan", nil), 302, "/user/susan")
	expect(t, "profile after follow", b.get("/user/susan"), 200, "", "You are following susan!", "1 follower, 0 following.", `action="/unfollow/susan"`)
	expect(t, "feed after follow", b.get("/index"), 200, "", "susan&#39;s post", "my first post!")
	expect(t, "follow self", b.post("/follow/john", nil), 302, "/user/john")
	expect(t, "own profile", b.get("/user/john"), 200, "", "You cannot follow yourself!", "Edit your profile", "0 followers, 1 following.")
	expect(t, "follow nobody", b.post("/follow/nobody", nil), 302, "/index")
	expect(t, "unfollow", b.post("/unfollow/susan", nil), 302, "/user/susan")
	expect(t, "profile after unfollow", b.get("/user/susan"), 200, "", "You are not following susan.", "0 followers, 0 following.")
	expect(t, "unknown profile", b.get("/user/nobody"), 404, "", "Not Found")

	expect(t, "edit profile form", b.get("/edit_profile"), 200, "", `value="john"`)
	expect(t, "edit profile taken name", b.post("/edit_profile", url.Values{"username": {"Susan"}, "about_me": {"hi"}}), 200, "", "Please use a different username.")
	expect(t, "edit profile too long", b.post("/edit_profile", url.Values{"username": {"john"}, "about_me": {strings.Repeat("a", 141)}}), 200, "", "between 0 and 140")
	expect(t, "edit profile", b.post("/edit_profile", url.Values{"username": {"johnny"}, "about_me": {"I like Go"}}), 302, "/edit_profile")
	expect(t, "edit profile saved", b.get("/edit_profile"), 200, "", "Your changes have been saved.", `value="johnny"`, "I like Go")
	expect(t, "renamed profile", b.get("/user/johnny"), 200, "", "I like Go", "Last seen on:")

	expect(t, "logout", b.post("/auth/logout", nil), 302, "/index")
	expect(t, "home after logout", b.get("/index"), 302, "/auth/login?next=%2Findex")
}

func TestPaginationPastTheEndIsEmpty(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.register("john", "john@example.com", "correct-cat-battery")
	b.login("john", "correct-cat-battery")
	for i := range 7 {
		b.post("/index", url.Values{"post": {"post " + string(rune('a'+i))}})
	}
	p1 := b.get("/index")
	expect(t, "page 1", p1, 200, "", "post g", "post e", `href="/index?page=2"`)
	if strings.Contains(p1.body, "post d") {
		t.Fatal("page 1 shows a fourth post with 3 per page")
	}
	expect(t, "page 3", b.get("/index?page=3"), 200, "", "post a", `href="/index?page=2"`)
	p9 := b.get("/index?page=9")
	expect(t, "page past the end", p9, 200, "", "Hi, john!")
	if strings.Contains(p9.body, "post ") && strings.Contains(p9.body, "said") {
		t.Fatal("a page past the end shows posts")
	}
	expect(t, "bad page number", b.get("/explore?page=abc"), 200, "", "post g")
}

func TestNextOnlyAcceptsLocalPaths(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.register("john", "john@example.com", "correct-cat-battery")
	for next, want := range map[string]string{
		"/user/john?page=2":     "/user/john?page=2",
		"//evil.example/":       "/index",
		"/\\evil.example":       "/index",
		"https://evil.example/": "/index",
		"javascript:alert(1)":   "/index",
	} {
		c := s.browser()
		p := c.post("/auth/login?next="+url.QueryEscape(next), url.Values{"username": {"john"}, "password": {"correct-cat-battery"}})
		if p.status != 302 || p.location != want {
			t.Errorf("next=%q: redirected to %q, want %q", next, p.location, want)
		}
	}
}

func TestSecurity(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.register("john", "john@example.com", "correct-cat-battery")
	first := b.get("/auth/login")
	var before string
	for _, c := range b.c.Jar.Cookies(mustURL(s.srv.URL)) {
		before = c.Value
	}
	p := b.login("john", "correct-cat-battery")
	cookie := strings.Join(p.header.Values("Set-Cookie"), "\n")
	if !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Lax") {
		t.Errorf("session cookie %q lacks HttpOnly or SameSite=Lax", cookie)
	}
	var after string
	for _, c := range b.c.Jar.Cookies(mustURL(s.srv.URL)) {
		after = c.Value
	}
	if after == "" || before == after { // no id before login is fine: anonymous sessions have none
		t.Errorf("session id not renewed at login (%q -> %q)", before, after)
	}
	if csp := first.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP = %q", csp)
	}
	// A cross-origin form post, as a browser would send it from another site.
	req, _ := http.NewRequest("POST", s.srv.URL+"/index", strings.NewReader("post=pwned"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	if p := b.do(req); p.status != http.StatusForbidden {
		t.Errorf("cross-origin post: %d, want 403", p.status)
	}
	n, _ := s.db.Bun.NewSelect().Model((*models.Post)(nil)).Count(context.Background())
	if n != 0 {
		t.Errorf("%d posts written by a cross-origin request", n)
	}
	expect(t, "unknown page", b.get("/no/such/page"), 404, "", "Not Found", "Back")
	expect(t, "static file", b.get("/static/bootstrap/bootstrap.min.css"), 200, "")
}

func TestWerkzeugUserLogsIn(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	hash := "pbkdf2:sha256:260000$a1b2c3d4e5f6g7h8$c6f736fd9b4753dc4d4bf5aff487029abd59b2193ff28d5a10f2505da4ce7c30"
	sess := s.db.NewSession()
	sess.Add(&models.User{Username: "flask", Email: "flask@example.com", PasswordHash: &hash})
	if err := sess.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	expect(t, "login with a Werkzeug hash", b.login("flask", "dog"), 302, "/index") // an old password: sign-in never applies the policy
	var u models.User
	s.db.Bun.NewSelect().Model(&u).Where("username = 'flask'").Scan(ctx)
	if !strings.HasPrefix(*u.PasswordHash, "$argon2id$") {
		t.Errorf("hash not upgraded at login: %s", *u.PasswordHash)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func TestSignInAttemptsAreLimitedPerAccount(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.register("john", "john@example.com", "correct-cat-battery")
	for i := 1; i <= 10; i++ {
		if p := s.browser().login("John", "wrong"); p.status != 302 {
			t.Fatalf("attempt %d: %d", i, p.status)
		}
	}
	p := b.login("john", "correct-cat-battery") // the right password, but the account is locked for now
	expect(t, "11th attempt", p, 429, "", "Too many attempts. Please try again in 15 minutes.")
	if p.header.Get("Retry-After") == "" {
		t.Error("no Retry-After header")
	}
	expect(t, "another account", s.browser().register("susan", "susan@example.com", "dog-stapler-horse"), 302, "/auth/login")
}

func TestEveryPageButAuthNeedsLogin(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	for _, r := range []struct{ method, path string }{
		{"GET", "/"}, {"GET", "/index"}, {"POST", "/index"}, {"GET", "/explore"}, {"GET", "/user/john"},
		{"GET", "/edit_profile"}, {"POST", "/edit_profile"}, {"POST", "/follow/john"}, {"POST", "/unfollow/john"},
	} {
		req, _ := http.NewRequest(r.method, s.srv.URL+r.path, nil)
		p := b.do(req)
		if p.status != 302 || !strings.HasPrefix(p.location, "/auth/login?next=") {
			t.Errorf("%s %s anonymous: %d %q", r.method, r.path, p.status, p.location)
		}
	}
	expect(t, "register page", b.get("/auth/register"), 200, "", "Register")
}

func TestServerErrorPage(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.register("john", "john@example.com", "correct-cat-battery")
	b.login("john", "correct-cat-battery")
	s.db.SQL.Close() // the database goes away under the running app
	p := b.get("/explore")
	expect(t, "database gone", p, 500, "", "An unexpected error has occurred", "The administrator has been notified.")
}
