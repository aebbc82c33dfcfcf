package web_test

import (
	"net/url"
	"testing"
)

// FuzzChangePasswordForm posts arbitrary values to the change-password form as a
// signed-in user (see form_fuzz_test.go): any 5xx fails. An input that happens to
// change the password leaves the session signed in, so later calls still reach the form.
func FuzzChangePasswordForm(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, fuzzSeeds[(i+5)%len(fuzzSeeds)], s)
	}
	f.Add("paper lantern harbor", "violet kettle harbour 42", "violet kettle harbour 42")
	b := fuzzBrowser(f, true)
	f.Fuzz(func(t *testing.T, current, pw, pw2 string) {
		b.s.t = t
		checkNo5xx(t, "change password", b.post("/change_password", url.Values{"current_password": {current}, "password": {pw}, "password2": {pw2}}))
	})
}
