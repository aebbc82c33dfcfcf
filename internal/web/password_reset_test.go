package web_test

import (
	"context"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
	"github.com/microblog/microblog/internal/web"
)

const resetNewPassword = "violet anchor meadow lantern"

// The whole flow, through a real server, the job queue, its workers and a real SMTP
// server, with the link read from the e-mail that arrived: the request page, the e-mail
// (both parts), the reset form and its checks, the new password, the old sessions
// ended, and the link refused once used.
func TestPasswordResetEndToEnd(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			s := newMailSite(t, d, nil)
			earlier := signedIn(t, s.site, "john", true) // a session from before the reset
			b := s.browser()
			expect(t, "login page", b.get("/auth/login"), 200, "",
				`Forgot Your Password? <a href="/auth/reset_password_request">Click to Reset It</a>`)
			expect(t, "request page", b.get("/auth/reset_password_request"), 200, "",
				"<title>Reset Password - Microblog</title>", "<h1>Reset Password</h1>", `name="email"`, "Request Password Reset")

			// The address in other case, and a Host header that must not make the link (the
			// client keeps the cookie under that host).
			req, _ := http.NewRequest("POST", s.srv.URL+"/auth/reset_password_request", strings.NewReader("email=JOHN%40Example.com"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Host = "evil.example"
			expect(t, "request", b.do(req), 302, "/auth/login")
			req, _ = http.NewRequest("GET", s.srv.URL+"/auth/login", nil)
			req.Host = "evil.example"
			expect(t, "flash", b.do(req), 200, "", "Check your email for the instructions to reset your password")

			mails := s.resetMails(t, 1)
			path := resetLink(t, mails[0], "john", "john@example.com")
			if strings.Contains(mails[0].raw, "evil.example") {
				t.Fatalf("the Host header reached the e-mail:\n%s", mails[0].raw)
			}

			form := b.get(path)
			expect(t, "reset form", form, 200, "", "<title>Reset Password - Microblog</title>", "<h1>Reset Your Password</h1>",
				`name="password"`, `name="password2"`, "Repeat Password", "Request Password Reset")
			if form.header.Get("Cache-Control") != "no-store" || form.header.Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("reset form headers: %v", form.header)
			}
			expect(t, "mismatch", b.post(path, url.Values{"password": {resetNewPassword}, "password2": {"violet anchor"}}), 200, "",
				"Field must be equal to password.")
			expect(t, "empty", b.post(path, url.Values{}), 200, "", "This field is required.")
			expect(t, "policy", b.resetTo(path, "password1"), 200, "", "Password is too common or too easy to guess.")
			expect(t, "policy, account details", b.resetTo(path, "john@example.com"), 200, "", "Password must not be your username or e-mail address.")

			expect(t, "reset", b.resetTo(path, resetNewPassword), 302, "/auth/login")
			expect(t, "reset flash", b.get("/auth/login"), 200, "", "Your password has been reset.")
			expect(t, "the session from before", earlier.get("/index"), 302, "/auth/login?next=%2Findex")
			expect(t, "old password", s.browser().login("john", sessionTestPassword), 302, "/auth/login")
			expect(t, "new password", s.browser().login("john", resetNewPassword), 302, "/index")

			again := s.browser()
			expect(t, "used link", again.get(path), 302, "/index")
			expect(t, "used link, post", again.resetTo(path, "another fine password 7"), 302, "/index")
			expect(t, "then", again.get("/index"), 302, "/auth/login?next=%2Findex")
			expect(t, "new password still", s.browser().login("john", resetNewPassword), 302, "/index")
		})
	}
}

// A link works for ten minutes, then sends the visitor to /index like any bad link.
func TestResetTokenExpires(t *testing.T) {
	s := newMailSite(t, database.SQLite, nil)
	var offset atomic.Int64
	web.SetResetClock(s.app, func() time.Time { return time.Now().Add(time.Duration(offset.Load())) })
	addUser(t, s.db, "john")
	b := s.browser()
	expect(t, "request", b.requestReset("john@example.com"), 302, "/auth/login")
	path := resetLink(t, s.resetMails(t, 1)[0], "john", "john@example.com")

	offset.Store(int64(9*time.Minute + 55*time.Second))
	expect(t, "after 9 min 55 s", b.get(path), 200, "", "Reset Your Password")
	offset.Store(int64(10*time.Minute + time.Second))
	expect(t, "after 10 min", b.get(path), 302, "/index")
	expect(t, "after 10 min, post", b.resetTo(path, resetNewPassword), 302, "/index")
	offset.Store(0)
	expect(t, "back in time", b.get(path), 200, "") // the token itself was not spoiled
}

// A link is bound to the account as it was when sent: a password changed another way
// (another link, or directly) or a new e-mail address voids it.
func TestResetTokenRefusedAfterPasswordChange(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			s := newMailSite(t, d, nil)
			addUser(t, s.db, "john")
			b := s.browser()
			expect(t, "first request", b.requestReset("john@example.com"), 302, "/auth/login")
			expect(t, "second request", b.requestReset("john@example.com"), 302, "/auth/login")
			mails := s.resetMails(t, 2)
			first, second := resetLink(t, mails[0], "john", "john@example.com"), resetLink(t, mails[1], "john", "john@example.com")
			expect(t, "reset with the second link", b.resetTo(second, resetNewPassword), 302, "/auth/login")
			expect(t, "the first link", b.get(first), 302, "/index")

			expect(t, "third request", b.requestReset("john@example.com"), 302, "/auth/login")
			third := resetLink(t, s.resetMails(t, 3)[2], "john", "john@example.com")
			expect(t, "third link, before", b.get(third), 200, "")
			changeUser(t, s.db, "john", func(u *models.User) {
				if err := u.SetPassword("changed elsewhere entirely"); err != nil {
					t.Fatal(err)
				}
			})
			expect(t, "third link, after the password changed", b.get(third), 302, "/index")

			expect(t, "fourth request", b.requestReset("john@example.com"), 302, "/auth/login")
			fourth := resetLink(t, s.resetMails(t, 4)[3], "john", "john@example.com")
			changeUser(t, s.db, "john", func(u *models.User) { u.Email = "john@elsewhere.example" })
			expect(t, "fourth link, after the address changed", b.get(fourth), 302, "/index")
		})
	}
}

// changeUser changes a stored user.
func changeUser(t *testing.T, db *database.DB, name string, change func(*models.User)) {
	t.Helper()
	ctx := context.Background()
	s := db.NewSession()
	defer s.Close()
	var u models.User
	if err := s.NewSelect().Model(&u).Where("username = ?", name).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	change(&u)
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

// An address without an account gets the same answer, in about the same time, and no
// e-mail goes anywhere.
func TestResetRequestForUnknownAddressLooksTheSame(t *testing.T) {
	s := newMailSite(t, database.SQLite, nil)
	addUser(t, s.db, "john")
	const rounds = 3
	var known, unknown []time.Duration
	var pages []page
	for range rounds {
		for _, address := range []string{"nobody@example.com", "john@example.com"} {
			b := s.browser()
			start := time.Now()
			p := b.requestReset(address)
			took := time.Since(start)
			expect(t, "request for "+address, p, 302, "/auth/login")
			expect(t, "flash for "+address, b.get("/auth/login"), 200, "", "Check your email for the instructions to reset your password")
			pages = append(pages, p)
			if address == "john@example.com" {
				known = append(known, took)
			} else {
				unknown = append(unknown, took)
			}
		}
	}
	for _, p := range pages[1:] {
		if p.body != pages[0].body || len(p.header.Values("Set-Cookie")) != len(pages[0].header.Values("Set-Cookie")) {
			t.Errorf("answers differ:\n%q %v\n%q %v", pages[0].body, pages[0].header, p.body, p.header)
		}
	}
	slices.Sort(known)
	slices.Sort(unknown)
	const floor = 250 * time.Millisecond
	if known[0] < floor || unknown[0] < floor {
		t.Errorf("answered faster than the floor of %v: known %v, unknown %v", floor, known, unknown)
	}
	if diff := (known[rounds/2] - unknown[rounds/2]).Abs(); diff > 100*time.Millisecond {
		t.Errorf("median times differ by %v: known %v, unknown %v", diff, known, unknown)
	}
	s.resetMails(t, rounds)
	time.Sleep(time.Second) // time for a stray e-mail to show up
	for _, m := range s.smtp.Messages() {
		if e := readEmail(t, m); strings.Join(e.to, ",") != "john@example.com" {
			t.Errorf("an e-mail went to %v", e.to)
		}
	}
	if n := len(s.smtp.Messages()); n != rounds {
		t.Errorf("%d e-mails, want %d (one per request for john)", n, rounds)
	}
}

// Requests are limited per address (any spelling) and per client address; refusals are
// 429 with Retry-After, like sign-in's.
func TestResetRequestRateLimits(t *testing.T) {
	s := newMailSite(t, database.SQLite, func(c *config.Config) {
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	})
	addUser(t, s.db, "john")
	b := s.browser()
	for i := 1; i <= 5; i++ {
		expect(t, "request "+string(rune('0'+i)), b.requestReset("john@example.com"), 302, "/auth/login")
	}
	p := b.requestReset("john@example.com")
	expect(t, "6th request for one address", p, 429, "", "Too many attempts. Please try again in 60 minutes.", `value="john@example.com"`)
	if p.header.Get("Retry-After") == "" {
		t.Error("no Retry-After header")
	}
	expect(t, "same address, other case", b.requestReset("John@EXAMPLE.com"), 429, "")
	expect(t, "an unknown address: its own count", b.requestReset("nobody@example.com"), 302, "/auth/login")
	// 8 requests from this client so far; invalid forms count too.
	for i := 9; i <= 20; i++ {
		expect(t, "invalid form", b.requestReset("not an address"), 200, "", "Invalid email address.")
	}
	p = b.requestReset("susan@example.com")
	expect(t, "21st request from one client", p, 429, "", "Too many attempts.")
	if p.header.Get("Retry-After") == "" {
		t.Error("no Retry-After header")
	}
	req, _ := http.NewRequest("POST", s.srv.URL+"/auth/reset_password_request", strings.NewReader("email=susan%40example.com"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	expect(t, "another client", s.browser().do(req), 302, "/auth/login")
	if n := len(s.resetMails(t, 5)); n != 5 {
		t.Errorf("%d e-mails, want 5", n)
	}
}

// Both reset pages are for visitors who are not signed in; a bad link of any kind sends
// the visitor to /index without a word (and /index then to the login page).
func TestResetPagesAreForAnonymousVisitors(t *testing.T) {
	s := newMailSite(t, database.SQLite, nil)
	addUser(t, s.db, "susan")
	b := s.browser()
	expect(t, "request", b.requestReset("susan@example.com"), 302, "/auth/login")
	path := resetLink(t, s.resetMails(t, 1)[0], "susan", "susan@example.com")
	token := strings.TrimPrefix(path, "/auth/reset_password/")

	john := signedIn(t, s.site, "john", false)
	expect(t, "request page, signed in", john.get("/auth/reset_password_request"), 302, "/index")
	expect(t, "request, signed in", john.requestReset("john@example.com"), 302, "/index")
	expect(t, "reset page, signed in", john.get(path), 302, "/index")
	expect(t, "reset, signed in", john.resetTo(path, resetNewPassword), 302, "/index")

	flip := []byte(token)
	flip[len(flip)-2] ^= 1
	for name, bad := range map[string]string{
		"garbled":        "not-a-token",
		"empty-ish":      "x",
		"forged MAC":     string(flip),
		"truncated":      token[:len(token)-1],
		"extended":       token + "A",
		"padded":         token + "==",
		"other encoding": strings.NewReplacer("-", "+", "_", "/").Replace(token) + "+",
		"JWT-shaped":     "eyJhbGciOiJIUzI1NiJ9.eyJyZXNldF9wYXNzd29yZCI6MX0.c2lnbmF0dXJl",
	} {
		expect(t, name+" token", b.get("/auth/reset_password/"+url.PathEscape(bad)), 302, "/index")
		expect(t, name+" token, post", b.resetTo("/auth/reset_password/"+url.PathEscape(bad), resetNewPassword), 302, "/index")
	}
	expect(t, "then", b.get("/index"), 302, "/auth/login?next=%2Findex")
	expect(t, "the real link still works", b.get(path), 200, "", "Reset Your Password")
}

// Hostile values on both forms and in the link get the form's error, or a 4xx from the
// input checks (404 for a path with NUL, 413 for a body over 64 KiB), never a 5xx; a
// look-alike address is simply an address without an account.
func TestResetFormsRefuseHostileInput(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			s := newMailSite(t, d, nil)
			addUser(t, s.db, "john")
			b := s.browser()
			huge := strings.Repeat("a", 1<<20)
			for _, c := range []struct {
				value  string
				status int
				want   string
			}{
				{"\x00", 200, "This field contains a character that is not allowed (U&#43;0000)."},
				{"john@example.com\x00", 200, "(U&#43;0000)"},
				{"john@example.com\r\nBcc: evil@example.com", 200, "(U&#43;000D)"},
				{"\xff\xfe@example.com", 200, "This field must be valid UTF-8 text."},
				{"john@exa\u202emple.com", 302, ""}, // a format character, not a control: an address, of no account
				{"john@@example.com", 200, "Invalid email address."},
				{"jоhn@example.com", 302, ""}, // Cyrillic о
				{"ｊｏｈｎ@example.com", 302, ""}, // fullwidth
				{strings.Repeat("a", 130) + "@example.com", 200, "Field must be at most 120 characters long."},
				{huge + "@example.com", 413, ""},
			} {
				p := b.requestReset(c.value)
				if p.status != c.status || !strings.Contains(p.body, c.want) {
					t.Errorf("request with %.40q: %d, want %d with %q\n%.2000s", c.value, p.status, c.status, c.want, p.body)
				}
			}

			expect(t, "request", b.requestReset("john@example.com"), 302, "/auth/login")
			mails := s.resetMails(t, 1)
			path := resetLink(t, mails[0], "john", "john@example.com")
			for _, c := range []struct {
				pw, pw2 string
				status  int
				want    string
			}{
				{"correct horse\x00battery", "correct horse\x00battery", 200, "Password must not contain control characters."},
				{"correct horse \xff battery", "correct horse \xff battery", 200, "Password must be valid text."},
				{resetNewPassword, resetNewPassword + "\x00", 200, "Field must be equal to password."},
				{resetNewPassword, "viоlet anchor meadow lantern", 200, "Field must be equal to password."}, // Cyrillic о
				{strings.Repeat("k7#q", 40), strings.Repeat("k7#q", 40), 200, "Password must be at most 128 characters long."},
				{huge, huge, 413, ""},
			} {
				p := b.post(path, url.Values{"password": {c.pw}, "password2": {c.pw2}})
				if p.status != c.status || !strings.Contains(p.body, c.want) {
					t.Errorf("reset with %.40q / %.40q: %d, want %d with %q\n%.2000s", c.pw, c.pw2, p.status, c.status, c.want, p.body)
				}
			}
			for _, bad := range []string{"%00", "%FF", "a%00b", "%E2%80%AE" + strings.Repeat("A", 60), strings.Repeat("A", 100_000), strings.Repeat("%C3%A9", 1000)} {
				if p := b.get("/auth/reset_password/" + bad); p.status >= 500 || p.status == 200 {
					t.Errorf("reset page %.40s: %d", bad, p.status)
				}
			}
			expect(t, "the link still works", b.resetTo(path, resetNewPassword), 302, "/auth/login")
			time.Sleep(500 * time.Millisecond)
			for _, m := range s.smtp.Messages() {
				if e := readEmail(t, m); strings.Join(e.to, ",") != "john@example.com" {
					t.Errorf("an e-mail went to %v", e.to)
				}
			}
			if n := len(s.smtp.Messages()); n != 1 {
				t.Errorf("%d e-mails, want only the one asked for by john's real address", n)
			}
		})
	}
}

// A mail server that refuses at first (451, as a greylisting one does) gets the e-mail
// on the queue's next attempt.
func TestPasswordResetMailIsRetried(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			s := newMailSite(t, d, nil)
			addUser(t, s.db, "john")
			s.smtp.RefuseNext(1)
			start := time.Now()
			expect(t, "request", s.browser().requestReset("john@example.com"), 302, "/auth/login")
			path := resetLink(t, s.resetMails(t, 1)[0], "john", "john@example.com")
			if s.smtp.Refused() != 1 {
				t.Errorf("refused %d deliveries, want 1", s.smtp.Refused())
			}
			if len(s.logs.lines("will retry")) != 1 {
				t.Errorf("no retry logged:\n%s", s.logs)
			}
			t.Logf("delivered %v after the request, on the second attempt", time.Since(start).Round(time.Millisecond))
			expect(t, "the link", s.browser().get(path), 200, "", "Reset Your Password")
		})
	}
}
