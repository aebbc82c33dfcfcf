package web_test

import (
	"net/url"
	"strings"
	"testing"
)

// Registration refuses what NIST SP 800-63B refuses: short, over-long, common and
// account-derived passwords, and says why on the form; nothing is stored.
func TestRegisterPasswordPolicy(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	for pw, want := range map[string]string{
		"a":                          "Password must be at least 8 characters long.",
		"password1":                  "Password is too common or too easy to guess.",
		"12345678":                   "Password is too common or too easy to guess.",
		"Susan":                      "Password must be at least 8 characters long.",
		"susan@example.com":          "Password must not be your username or e-mail address.",
		"susan1987":                  "Password is too close to your username or e-mail address.",
		strings.Repeat("k7#q", 33):   "Password must be at most 128 characters long.",
		"correct\x00horse battery":   "Password must not contain control characters.",
		"correct horse \xff battery": "Password must be valid text.",
	} {
		p := b.post("/auth/register", url.Values{"username": {"susan"}, "email": {"susan@example.com"}, "password": {pw}, "password2": {pw}})
		expect(t, "register with "+pw, p, 200, "", want)
	}
	var n int
	if err := s.db.SQL.QueryRow(`SELECT count(*) FROM "user"`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("users stored after refusals: %d (%v)", n, err)
	}
	expect(t, "register with a good password", b.register("susan", "susan@example.com", "paper lantern harbor"), 302, "/auth/login")
}
