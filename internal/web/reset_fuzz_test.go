package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func FuzzResetRequestForm(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	b := fuzzBrowser(f, false)
	f.Fuzz(func(t *testing.T, email string) {
		b.s.t = t
		checkNo5xx(t, "reset request", b.post("/auth/reset_password_request", url.Values{"email": {email}}))
	})
}

func FuzzResetPasswordPaths(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, s)
	}
	f.Add("AQAAAAAAAAABAAAAAGsPXzrvqVNAXn4G3EuDcFknmm8UUy-UWQngpTD4w-ktHC5YxA", "paper lantern harbor")
	b := fuzzBrowser(f, false)
	f.Fuzz(func(t *testing.T, token, password string) {
		b.s.t = t
		target := b.s.srv.URL + "/auth/reset_password/" + url.PathEscape(token)
		for _, method := range []string{"GET", "POST"} {
			form := url.Values{"password": {password}, "password2": {password}}.Encode()
			req, err := http.NewRequest(method, target, strings.NewReader(form))
			if err != nil {
				continue
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			checkNo5xx(t, method+" reset "+token, b.do(req))
		}
	})
}
