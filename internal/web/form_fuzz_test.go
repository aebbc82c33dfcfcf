package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/testdb"
	"github.com/microblog/microblog/internal/web"
)

// The fuzz targets below post arbitrary values to every form of the app through a real
// server over SQLite and fail on any 5xx (a panic is a 500 too). Each request seems to
// come from a new address behind a trusted proxy, so the per-address limits do not stop
// the fuzzer at the door. CI runs each for a few seconds (.ci/run); the seeds run in
// every go test.

var fuzzSeeds = []string{
	"", " ", "john", "John", "x\x00", "\xff\xfe", "\x1b[31m", "'; DROP TABLE \"user\"; --", "..", "../auth/logout",
	"a/b?c#d", "\u202esusan", "ｓｕｓａｎ", "ѕusan", "susan\u200b", strings.Repeat("x", 141), strings.Repeat("ü", 70),
	"%00", "%zz", "john@example.com", "not an address", "paper lantern harbor", "\r\n\t", "😀",
}

// fuzzBrowser is a browser on a new site over SQLite where john is registered, and
// signed in when signedIn. Each fuzz call sets b.s.t to its own *testing.T.
func fuzzBrowser(f *testing.F, signedIn bool) *browser {
	f.Helper()
	db := testdb.Migrated(f, database.SQLite)
	cfg, err := config.Load(func(string) (string, bool) { return "", false }, "")
	if err != nil {
		f.Fatal(err)
	}
	cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	app, err := web.New(db, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), testdb.Queue(f, db))
	if err != nil {
		f.Fatal(err)
	}
	app.KeepPasswordPages() // see newSiteWithPageSize
	// Sign-in delays are the policy's own tests' business: here they would only slow
	// the executions down (seconds each once a name has failed a few times).
	app.RecordSigninDelays()
	srv := httptest.NewServer(app.Handler())
	f.Cleanup(srv.Close)
	b := (&site{srv: srv, db: db}).browser()
	b.c.Transport = &manyAddresses{}
	const pw = "paper lantern harbor"
	forms := []url.Values{{"username": {"john"}, "email": {"john@example.com"}, "password": {pw}, "password2": {pw}}}
	if signedIn {
		forms = append(forms, url.Values{"username": {"john"}, "password": {pw}})
	}
	for i, path := range []string{"/auth/register", "/auth/login"}[:len(forms)] {
		resp, err := b.c.PostForm(srv.URL+path, forms[i])
		if err != nil {
			f.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound {
			f.Fatalf("%s: %d", path, resp.StatusCode)
		}
	}
	return b
}

func checkNo5xx(t *testing.T, what string, p page) {
	t.Helper()
	if p.status >= 500 {
		t.Fatalf("%s: %d\n%.1500s", what, p.status, p.body)
	}
}

func FuzzLoginForm(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, s, "y")
	}
	b := fuzzBrowser(f, false)
	f.Fuzz(func(t *testing.T, username, password, remember string) {
		b.s.t = t
		checkNo5xx(t, "login", b.post("/auth/login", url.Values{"username": {username}, "password": {password}, "remember_me": {remember}}))
		b.post("/auth/logout", nil)
	})
}

func FuzzRegisterForm(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, fuzzSeeds[(i+1)%len(fuzzSeeds)], s, s)
	}
	b := fuzzBrowser(f, false)
	f.Fuzz(func(t *testing.T, username, email, pw, pw2 string) {
		b.s.t = t
		checkNo5xx(t, "register", b.post("/auth/register", url.Values{"username": {username}, "email": {email}, "password": {pw}, "password2": {pw2}}))
	})
}

func FuzzEditProfileForm(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, fuzzSeeds[(i+3)%len(fuzzSeeds)])
	}
	b := fuzzBrowser(f, true)
	f.Fuzz(func(t *testing.T, username, about string) {
		b.s.t = t
		checkNo5xx(t, "edit profile", b.post("/edit_profile", url.Values{"username": {username}, "about_me": {about}}))
		// Put the name back, so the session's user keeps a known name.
		b.post("/edit_profile", url.Values{"username": {"john"}, "about_me": {""}})
	})
}

func FuzzPostForm(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, "1")
	}
	b := fuzzBrowser(f, true)
	f.Fuzz(func(t *testing.T, body, pageNumber string) {
		b.s.t = t
		checkNo5xx(t, "post", b.post("/index?page="+url.QueryEscape(pageNumber), url.Values{"post": {body}}))
	})
}

func FuzzUserPaths(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, s)
	}
	b := fuzzBrowser(f, true)
	f.Fuzz(func(t *testing.T, name, rawQuery string) {
		b.s.t = t
		for _, prefix := range []string{"/user/", "/follow/", "/unfollow/"} {
			target := b.s.srv.URL + prefix + url.PathEscape(name) + "?" + url.QueryEscape(rawQuery)
			method := "POST"
			if prefix == "/user/" {
				method = "GET"
			}
			req, err := http.NewRequest(method, target, nil)
			if err != nil {
				continue
			}
			checkNo5xx(t, method+" "+prefix+name, b.do(req))
		}
		checkNo5xx(t, "popup of "+name, b.get("/user/"+url.PathEscape(name)+"/popup"))
	})
}
