package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/web"
)

// newPassword passes the password policy and is not signinPassword.
const newPassword = "violet-kettle-harbour-42"

// passwordHash is the stored hash of name's password.
func passwordHash(t *testing.T, s *site, name string) string {
	t.Helper()
	var u models.User
	if err := s.db.Bun.NewSelect().Model(&u).Where("username = ?", name).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if u.PasswordHash == nil {
		t.Fatalf("%s has no password", name)
	}
	return *u.PasswordHash
}

func (b *browser) changePassword(current, pw, pw2 string) page {
	return b.post("/change_password", url.Values{"current_password": {current}, "password": {pw}, "password2": {pw2}})
}

// The form is reached from one's profile and from Edit Profile; it refuses, with the
// field's own error and nothing stored, a wrong current password, a new password the
// policy refuses or that is the current one, a repeat that differs, empty fields and
// hostile text.
func TestChangePasswordRefusals(t *testing.T) {
	forEachSigninDialect(t, func(t *testing.T, dialect string) {
		s, _, _ := signinSite(t, dialect, false, nil, "susan")
		susan := s.browser()
		expectSignedIn(t, "sign in", susan.login("susan", signinPassword))
		expect(t, "profile links the form", susan.get("/user/susan"), 200, "", `<a href="/change_password">Change your password</a>`)
		expect(t, "edit profile links the form", susan.get("/edit_profile"), 200, "", `<a href="/change_password">Change your password</a>`)
		form := susan.get("/change_password")
		expect(t, "form", form, 200, "", "<h1>Change Password</h1>", `name="current_password"`, `name="password"`, `name="password2"`,
			`autocomplete="current-password"`, `autocomplete="new-password"`)
		if cc := form.header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q", cc)
		}
		before := passwordHash(t, s, "susan")
		long := strings.Repeat("horse-", 22) // 132 characters
		for _, c := range []struct {
			what, current, pw, pw2 string
			want                   []string
		}{
			{"wrong current password", "not-my-password", newPassword, newPassword, []string{"Your current password is not correct."}},
			{"empty", "", "", "", []string{"This field is required."}},
			{"too short", signinPassword, "short", "short", []string{"Password must be at least 8 characters long."}},
			{"too common", signinPassword, "password123", "password123", []string{"Password is too common or too easy to guess."}},
			{"the username", signinPassword, "susan", "susan", []string{"Password must be"}},
			{"the current one", signinPassword, signinPassword, signinPassword, []string{"The new password must differ from the current one."}},
			{"mismatch", signinPassword, newPassword, newPassword + "x", []string{"Field must be equal to password."}},
			{"NUL", signinPassword, "violet\x00kettle-harbour", "violet\x00kettle-harbour", []string{"Password must not contain control characters."}},
			{"invalid UTF-8", signinPassword, "violet-\xff\xfe-harbour", "violet-\xff\xfe-harbour", []string{"Password must be valid text."}},
			{"huge", signinPassword, long, long, []string{"Password must be at most 128 characters long."}},
			{"NUL in the current password", "signin\x00policy", newPassword, newPassword, []string{"Your current password is not correct."}},
			{"invalid UTF-8 current password", "\xff\xfe", newPassword, newPassword, []string{"Your current password is not correct."}},
		} {
			p := susan.changePassword(c.current, c.pw, c.pw2)
			expect(t, c.what, p, http.StatusOK, "", c.want...)
			if strings.Contains(p.body, signinPassword) || strings.Contains(p.body, newPassword) {
				t.Errorf("%s: the page repeats a password", c.what)
			}
			if got := passwordHash(t, s, "susan"); got != before {
				t.Fatalf("%s: the password changed", c.what)
			}
		}
		expect(t, "still signed in", susan.get("/index"), 200, "")
		expect(t, "in Portuguese", susan.post("/language", url.Values{"language": {"pt_BR"}, "next": {"/change_password"}}), 303, "/change_password")
		expect(t, "form in Portuguese", susan.get("/change_password"), 200, "", "<h1>Alterar Senha</h1>", "Senha atual")
		// (Past the pair limit now: the three wrong current passwords above.)
		expect(t, "refusal in Portuguese", susan.changePassword(signinPassword, newPassword, "other"), 200, "", "O campo deve ser igual à senha.")
		expect(t, "limit in Portuguese", susan.changePassword("guess", newPassword, newPassword), 429, "", "Tentativas demais. Tente novamente em 15 minutos.")
	})
}

// Checking the current password counts as a sign-in attempt on the account, under the
// sign-in policy: refused from one address past the pair limit (even when right), and
// delayed after failures on the account from anywhere; a success is not counted.
func TestChangePasswordSigninLimits(t *testing.T) {
	forEachSigninDialect(t, func(t *testing.T, dialect string) {
		s, _, delays := signinSite(t, dialect, true, nil, "susan")
		susan := s.browser()
		expectSignedIn(t, "sign in", susan.loginVia("203.0.113.1", "", "susan", signinPassword))
		via := func(addr, current string) page {
			req, _ := http.NewRequest("POST", s.srv.URL+"/change_password", strings.NewReader(url.Values{
				"current_password": {current}, "password": {newPassword}, "password2": {newPassword}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", addr)
			return susan.do(req)
		}
		delays.Take()
		for i := range 3 { // testPerPair
			expect(t, "wrong "+string(rune('1'+i)), via("203.0.113.1", "guess"), 200, "", "Your current password is not correct.")
		}
		expectRefused(t, "past the pair limit, even right", via("203.0.113.1", signinPassword))
		if got := delays.Take(); len(got) != 0 {
			t.Errorf("delays before slowAfter failures: %v", got)
		}
		before := passwordHash(t, s, "susan")
		// From another address: not refused, but delayed for the account's 3 failures.
		expect(t, "from elsewhere", via("198.51.100.7", signinPassword), 302, "/user/susan")
		if got := delays.Take(); len(got) != 1 || got[0] != time.Second { // testSlowStep after testSlowAfter failures
			t.Errorf("delays asked for: %v, want one of %v", got, time.Second)
		}
		if passwordHash(t, s, "susan") == before {
			t.Fatal("the password did not change")
		}
	})
}

// A change keeps this session signed in (under a new session id) and signs every other
// session of the account out, its notification stream included, and revokes its API
// token; the new password signs in, the old one no longer does. Another account's
// session is untouched.
func TestChangePasswordSignsOtherSessionsOut(t *testing.T) {
	forEachSigninDialect(t, func(t *testing.T, dialect string) {
		s, app, _ := signinSite(t, dialect, false, nil, "susan", "john")
		web.SetStreamTimings(app, 200*time.Millisecond, time.Second)
		here, other, john := s.browser(), s.browser(), s.browser()
		expectSignedIn(t, "sign in here", here.login("susan", signinPassword))
		expectSignedIn(t, "sign in elsewhere", other.login("susan", signinPassword))
		expectSignedIn(t, "john signs in", john.login("john", signinPassword))
		expect(t, "a page fingerprints the other session", other.get("/index"), 200, "")
		stream := openStream(t, other, s.srv.URL, "")
		oldCookie := sessionCookie(here).Value
		token, expires := "0123456789abcdef0123456789abcdef", time.Now().UTC().Add(time.Hour)
		changeUser(t, s.db, "susan", func(u *models.User) { u.Token, u.TokenExpiration = &token, &expires })

		expect(t, "change", here.changePassword(signinPassword, newPassword, newPassword), 302, "/user/susan")
		expect(t, "flash", here.get("/user/susan"), 200, "", "Your password has been changed.")
		if c := sessionCookie(here); c == nil || c.Value == oldCookie {
			t.Error("the session id was not renewed")
		}
		expect(t, "this session stays", here.get("/index"), 200, "", "Hi, susan!")
		changeUser(t, s.db, "susan", func(u *models.User) {
			if u.Token != nil {
				t.Errorf("the API token %q outlived the password change", *u.Token)
			}
		})
		expect(t, "the other session is signed out", other.get("/index"), 302, "/auth/login?next=%2Findex")
		stream.waitEnd("the other session's stream", 3*time.Second)
		expect(t, "john stays", john.get("/index"), 200, "", "Hi, john!")
		expectFailed(t, "old password", s.browser().login("susan", signinPassword))
		expectSignedIn(t, "new password", s.browser().login("susan", newPassword))
		expect(t, "still here", here.get("/index"), 200, "", "Hi, susan!")
	})
}

// The form is refused when posted from another site, and asks anonymous visitors to
// sign in.
func TestChangePasswordCrossOriginAndAnonymous(t *testing.T) {
	forEachSigninDialect(t, func(t *testing.T, dialect string) {
		s, _, _ := signinSite(t, dialect, false, nil, "susan")
		susan := s.browser()
		expectSignedIn(t, "sign in", susan.login("susan", signinPassword))
		before := passwordHash(t, s, "susan")
		for _, h := range []map[string]string{
			{"Sec-Fetch-Site": "cross-site"},
			{"Origin": "https://evil.example"},
		} {
			req, _ := http.NewRequest("POST", s.srv.URL+"/change_password", strings.NewReader(url.Values{
				"current_password": {signinPassword}, "password": {newPassword}, "password2": {newPassword}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range h {
				req.Header.Set(k, v)
			}
			expect(t, "cross-origin", susan.do(req), http.StatusForbidden, "", "The form was sent from another site")
		}
		if passwordHash(t, s, "susan") != before {
			t.Fatal("a cross-origin post changed the password")
		}
		expect(t, "anonymous form", s.browser().get("/change_password"), 302, "/auth/login?next=%2Fchange_password")
		expect(t, "anonymous post", s.browser().changePassword(signinPassword, newPassword, newPassword), 302, "")
		if passwordHash(t, s, "susan") != before {
			t.Fatal("an anonymous post changed the password")
		}
	})
}
