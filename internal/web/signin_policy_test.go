package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/password"
	"github.com/microblog/microblog/internal/testdb"
	"github.com/microblog/microblog/internal/web"
)

// signinPassword is the password of the accounts these tests make.
const signinPassword = "signin-policy-horse-staple-7"

// The tests run the policy with smaller numbers than the defaults, so that they need few
// password checks (each costs a real argon2id run); TestSigninDefaults checks the
// defaults docs/security.md gives.
const (
	testPerAddress = 6
	testPerPair    = 3
	testSlowAfter  = 3
	testSlowStep   = time.Second
)

// signinSite is a real HTTP server over a database of the given dialect that believes
// X-Forwarded-For from the test's loopback client (so that one test can be many client
// addresses) when trustLoopback is set, with the given users, and records the sign-in
// delays it asks for instead of sleeping them.
func signinSite(t *testing.T, dialect string, trustLoopback bool, tune func(*config.Config), users ...string) (*site, *web.App, *web.Delays) {
	t.Helper()
	return signinSiteWith(t, dialect, trustLoopback, tune, nil, users...)
}

// signinSiteWith is signinSite with setup run on the App before its server starts.
func signinSiteWith(t *testing.T, dialect string, trustLoopback bool, tune func(*config.Config), setup func(*web.App), users ...string) (*site, *web.App, *web.Delays) {
	t.Helper()
	db := testdb.Migrated(t, dialect)
	cfg, err := config.Load(func(string) (string, bool) { return "", false }, "")
	if err != nil {
		t.Fatal(err)
	}
	if trustLoopback {
		cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	}
	if tune != nil {
		tune(cfg)
	}
	app, err := web.New(db, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), testdb.Queue(t, db))
	if err != nil {
		t.Fatal(err)
	}
	app.KeepPasswordPages() // see newSiteWithPageSize
	delays := app.RecordSigninDelays()
	app.SetSigninLimits(testPerAddress, testPerPair, testSlowAfter, testSlowStep)
	if setup != nil {
		setup(app)
	}
	s := db.NewSession()
	defer s.Close()
	for _, name := range users {
		u := &models.User{Username: name, Email: name + "@example.com"}
		if err := u.SetPassword(signinPassword); err != nil {
			t.Fatal(err)
		}
		s.Add(u)
	}
	if err := s.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &site{t: t, srv: newServer(t, app), db: db}, app, delays
}

// loginVia signs in as a client whose request says it comes from addr (X-Forwarded-For,
// believed only when the site trusts loopback) over proto (X-Forwarded-Proto, if set).
func (b *browser) loginVia(addr, proto, username, pw string) page {
	b.s.t.Helper()
	req, _ := http.NewRequest("POST", b.s.srv.URL+"/auth/login", strings.NewReader(url.Values{"username": {username}, "password": {pw}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if addr != "" {
		req.Header.Set("X-Forwarded-For", addr)
	}
	if proto != "" {
		req.Header.Set("X-Forwarded-Proto", proto)
	}
	return b.do(req)
}

func forEachSigninDialect(t *testing.T, f func(t *testing.T, dialect string)) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) { f(t, d) })
	}
}

func expectFailed(t *testing.T, what string, p page) {
	t.Helper()
	expect(t, what, p, http.StatusFound, "/auth/login")
}

func expectSignedIn(t *testing.T, what string, p page) {
	t.Helper()
	expect(t, what, p, http.StatusFound, "/index")
}

func expectRefused(t *testing.T, what string, p page) {
	t.Helper()
	expect(t, what, p, http.StatusTooManyRequests, "", "Too many attempts. Please try again in 15 minutes.")
	if ra := p.header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Fatalf("%s: Retry-After %q", what, ra)
	}
}

// The attacker's side: guesses from one address on one account are refused after the
// pair limit (even with the right password), and on any accounts after the address
// limit; the account's owner, from their own address, still gets in.
func TestSigninAttackerIsRefusedPerPairAndAddress(t *testing.T) {
	forEachSigninDialect(t, func(t *testing.T, dialect string) {
		s, _, _ := signinSite(t, dialect, true, nil, "john")
		attacker := s.browser()
		spellings := []string{"John", "JOHN", "ｊｏｈｎ"} // one account, so one count
		for i := 1; i <= testPerPair; i++ {
			expectFailed(t, fmt.Sprintf("guess %d", i), attacker.loginVia("203.0.113.5", "", spellings[i%len(spellings)], "wrong"))
		}
		expectRefused(t, "guess past the pair limit", attacker.loginVia("203.0.113.5", "", "john", signinPassword))
		expectSignedIn(t, "owner from their own address", s.browser().loginVia("198.51.100.7", "", "john", signinPassword))
		// The same address on other names: refused once the address limit is spent.
		for i := testPerPair + 2; i <= testPerAddress; i++ {
			expectFailed(t, fmt.Sprintf("guess %d on another name", i), attacker.loginVia("203.0.113.5", "", fmt.Sprintf("nobody%d", i), "wrong"))
		}
		expectRefused(t, "guess past the address limit", attacker.loginVia("203.0.113.5", "", "someone-new", "wrong"))
		expectFailed(t, "another address", s.browser().loginVia("203.0.113.6", "", "someone-new", "wrong"))
	})
}

// The victim's side: failures on an account from many addresses never refuse its owner;
// they slow every attempt on it by a growing delay that stops at the maximum, and the
// owner, slowed by at most that, gets in while the attacker keeps failing.
func TestSigninVictimGetsInWhileAttackerFailsElsewhere(t *testing.T) {
	forEachSigninDialect(t, func(t *testing.T, dialect string) {
		s, _, delays := signinSite(t, dialect, true, nil, "john")
		attack := func(from, n int) {
			for i := from; i < from+n; i++ {
				expectFailed(t, fmt.Sprintf("guess %d", i), s.browser().loginVia(fmt.Sprintf("203.0.113.%d", i), "", "john", "wrong"))
			}
		}
		attack(1, testSlowAfter+5)
		got := delays.Take()
		if len(got) != 5 { // the first testSlowAfter attempts are not delayed
			t.Fatalf("%d delays asked for, want 5: %v", len(got), got)
		}
		for i, d := range got {
			if d <= 0 || d > web.SigninMaxDelay || (i > 0 && d < got[i-1]) {
				t.Fatalf("delays %v: want growing, positive, at most %v", got, web.SigninMaxDelay)
			}
		}
		if got[len(got)-1] != web.SigninMaxDelay {
			t.Fatalf("delays %v never reach the bound %v", got, web.SigninMaxDelay)
		}
		expectSignedIn(t, "owner during the attack", s.browser().loginVia("198.51.100.7", "", "john", signinPassword))
		if got := delays.Take(); len(got) != 1 || got[0] != web.SigninMaxDelay {
			t.Fatalf("owner's delay %v, want one of %v", got, web.SigninMaxDelay)
		}
		attack(100, 3)
		expectSignedIn(t, "owner again", s.browser().loginVia("198.51.100.7", "", "john", signinPassword))
		expectSignedIn(t, "owner from elsewhere", s.browser().loginVia("192.0.2.44", "", "john", signinPassword))
	})
}

// Successful sign-ins are not counted: a user who signs in more often than any limit
// from one address is never refused nor slowed.
func TestSigninSuccessesAreNeverCounted(t *testing.T) {
	forEachSigninDialect(t, func(t *testing.T, dialect string) {
		s, _, delays := signinSite(t, dialect, false, nil, "john")
		for i := 1; i <= testPerAddress+1; i++ {
			expectSignedIn(t, fmt.Sprintf("sign-in %d", i), s.browser().login("john", signinPassword))
		}
		if got := delays.Take(); len(got) != 0 {
			t.Fatalf("successful sign-ins were slowed: %v", got)
		}
	})
}

// Parallel guesses cannot overrun the limit: each is counted before its password is
// checked, so exactly the pair limit's worth are checked.
func TestSigninParallelGuessesCannotOverrunTheLimit(t *testing.T) {
	forEachSigninDialect(t, func(t *testing.T, dialect string) {
		s, _, _ := signinSite(t, dialect, true, nil, "john")
		const n = testPerPair + 5
		var mu sync.Mutex
		status := map[int]int{}
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				p := s.browser().loginVia("203.0.113.9", "", "john", "wrong")
				mu.Lock()
				status[p.status]++
				mu.Unlock()
			})
		}
		wg.Wait()
		if status[http.StatusFound] != testPerPair || status[http.StatusTooManyRequests] != n-testPerPair {
			t.Fatalf("statuses %v, want %d checked (302) and %d refused (429)", status, testPerPair, n-testPerPair)
		}
	})
}

// When every password-check slot stays busy past the queue time, sign-in answers 503
// with Retry-After and the form's message (not a 500), and the attempt is not counted.
func TestSigninBusyAnswers503(t *testing.T) {
	forEachSigninDialect(t, func(t *testing.T, dialect string) {
		h := password.NewHasher(1, 20*time.Millisecond)
		s, _, _ := signinSiteWith(t, dialect, false, nil, func(a *web.App) { a.SetHasher(h) }, "john")
		release, err := h.Acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i <= testPerPair; i++ {
			p := s.browser().login("john", signinPassword)
			expect(t, "sign-in with no free slot", p, http.StatusServiceUnavailable, "", web.BusyMessage)
			if p.header.Get("Retry-After") == "" {
				t.Fatal("503 without Retry-After")
			}
		}
		release()
		expectSignedIn(t, "sign-in once a slot is free", s.browser().login("john", signinPassword))
	})
}

// Whom to believe: an untrusted client's X-Forwarded-For and X-Forwarded-Proto are
// ignored (its guesses are counted on its real address, and no HSTS), a trusted proxy's
// are believed.
func TestForwardedHeadersOnlyFromTrustedProxies(t *testing.T) {
	forEachSigninDialect(t, func(t *testing.T, dialect string) {
		for _, trusted := range []bool{false, true} {
			s, _, _ := signinSite(t, dialect, trusted, nil, "john")
			for i := 1; i <= testPerPair+1; i++ {
				p := s.browser().loginVia(fmt.Sprintf("203.0.113.%d", i), "https", "john", "wrong")
				if hsts := p.header.Get("Strict-Transport-Security"); (hsts != "") != trusted {
					t.Fatalf("trusted=%v: Strict-Transport-Security %q", trusted, hsts)
				}
				if cookie := strings.Join(p.header.Values("Set-Cookie"), "\n"); strings.Contains(cookie, "; Secure") {
					t.Fatalf("trusted=%v: X-Forwarded-Proto made the cookie Secure (%q); only SESSION_COOKIE_SECURE may", trusted, cookie)
				}
				if i > testPerPair && !trusted {
					expectRefused(t, "untrusted client, many X-Forwarded-For", p)
				} else {
					expectFailed(t, fmt.Sprintf("trusted=%v guess %d", trusted, i), p)
				}
			}
			if p := s.browser().loginVia("", "http", "john", "wrong"); p.header.Get("Strict-Transport-Security") != "" {
				t.Fatalf("trusted=%v: HSTS on plain HTTP", trusted)
			}
		}
	})
}

// HSTS is sent over TLS, and on every response when SESSION_COOKIE_SECURE declares the
// site HTTPS-only; never on plain HTTP otherwise.
func TestStrictTransportSecurity(t *testing.T) {
	s, app, _ := signinSite(t, "sqlite", false, nil)
	if h := s.browser().get("/auth/login").header.Get("Strict-Transport-Security"); h != "" {
		t.Errorf("plain HTTP: Strict-Transport-Security %q", h)
	}
	tls := httptest.NewTLSServer(app.Handler())
	defer tls.Close()
	resp, err := tls.Client().Get(tls.URL + "/auth/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if h := resp.Header.Get("Strict-Transport-Security"); h != "max-age=31536000" {
		t.Errorf("TLS: Strict-Transport-Security %q", h)
	}
	secure, _, _ := signinSite(t, "sqlite", false, func(c *config.Config) { c.SessionCookieSecure = true })
	if h := secure.browser().get("/static/bootstrap/bootstrap.min.css").header.Get("Strict-Transport-Security"); h != "max-age=31536000" {
		t.Errorf("SESSION_COOKIE_SECURE: Strict-Transport-Security %q", h)
	}
}

// The default policy is the one docs/security.md gives.
func TestSigninDefaults(t *testing.T) {
	if web.SigninPerAddress != 30 || web.SigninPerPair != 10 || web.SigninSlowAfter != 10 || web.SigninSlowStep != 500*time.Millisecond || web.SigninMaxDelay != 5*time.Second {
		t.Fatalf("defaults %d %d %d %v %v differ from docs/security.md", web.SigninPerAddress, web.SigninPerPair, web.SigninSlowAfter, web.SigninSlowStep, web.SigninMaxDelay)
	}
	for failures, want := range map[int]time.Duration{0: 0, 9: 0, 10: 500 * time.Millisecond, 11: time.Second, 19: 5 * time.Second, 1000: 5 * time.Second} {
		if got := web.SigninDelay(failures); got != want {
			t.Errorf("delay after %d failures: %v, want %v", failures, got, want)
		}
	}
}
