package web_test

import (
	"net/http"
	"os"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/microblog/microblog/internal/database"
)

// hashedStaticURL finds the content-hashed URL of the static file name (css/app.css) in a
// page: /static/css/app.<12 hex digits>.css.
func hashedStaticURL(t *testing.T, body, name string) string {
	t.Helper()
	ext := path.Ext(name)
	re := regexp.MustCompile(`"(/static/` + regexp.QuoteMeta(strings.TrimSuffix(name, ext)) + `\.[0-9a-f]{12}` + regexp.QuoteMeta(ext) + `)"`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("page links no hashed %s:\n%s", name, body)
	}
	return m[1]
}

// Pages link every static file by a name carrying its content's hash; that name serves
// the file's exact bytes with a year-long immutable cache, the plain name still serves it
// with an hour's cache, and a stale or made-up hash is 404 (never the wrong file, which
// would then be cached for a year).
func TestStaticFilesHashedAndImmutable(t *testing.T) {
	s, _, _ := newDialectSite(t, database.SQLite, nil)
	anon := s.browser()
	b := signedIn(t, s, "susan", false)
	login, home := anon.get("/auth/login").body, b.get("/index").body
	if strings.Contains(login+home, `"/static/css/app.css"`) || strings.Contains(home, `"/static/js/popup.js"`) {
		t.Errorf("a page links a plain static name")
	}
	for _, name := range []string{"bootstrap/bootstrap.min.css", "css/app.css", "bootstrap/bootstrap.bundle.min.js",
		"js/avatars.js", "js/dates.js", "js/notifications.js", "js/translate.js", "js/popup.js"} {
		want, err := os.ReadFile("static/" + name)
		if err != nil {
			t.Fatal(err)
		}
		u := hashedStaticURL(t, home, name)
		if name == "css/app.css" && hashedStaticURL(t, login, name) != u {
			t.Errorf("the sign-in and home pages link different %s", name)
		}
		p := anon.get(u)
		if p.status != http.StatusOK || p.body != string(want) {
			t.Errorf("%s: %d, %d bytes; want 200 and the %d bytes of static/%s", u, p.status, len(p.body), len(want), name)
		}
		if cc := p.header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("%s: Cache-Control %q, want a year, immutable", u, cc)
		}
		if ct, wantType := p.header.Get("Content-Type"), map[string]string{".css": "text/css", ".js": "text/javascript"}[path.Ext(name)]; !strings.HasPrefix(ct, wantType) {
			t.Errorf("%s: Content-Type %q, want %s", u, ct, wantType)
		}
		// A revalidation by ETag (a browser ignoring immutable) costs no body.
		req, _ := http.NewRequest("GET", s.srv.URL+u, nil)
		req.Header.Set("If-None-Match", p.header.Get("ETag"))
		if p.header.Get("ETag") == "" {
			t.Errorf("%s has no ETag", u)
		} else if nm := anon.do(req); nm.status != http.StatusNotModified || nm.body != "" {
			t.Errorf("%s with its ETag: %d, %d bytes; want 304", u, nm.status, len(nm.body))
		}
		plain := anon.get("/static/" + name)
		if plain.status != http.StatusOK || plain.body != string(want) || plain.header.Get("Cache-Control") != "public, max-age=3600" {
			t.Errorf("/static/%s: %d, %d bytes, Cache-Control %q; want 200, the file, an hour", name, plain.status, len(plain.body), plain.header.Get("Cache-Control"))
		}
	}
	app := hashedStaticURL(t, home, "css/app.css")
	for _, bad := range []string{
		app[:len(app)-len("0.css")] + "x.css",                                          // not hex
		regexp.MustCompile(`\.[0-9a-f]{12}\.`).ReplaceAllString(app, ".000000000000."), // another hash
		regexp.MustCompile(`\.([0-9a-f]{12})\.css`).ReplaceAllString(app, ".$1.js"),    // hash of another file's type
		"/static/css/app." + strings.Repeat("a", 64) + ".css",                          // a longer hash
		"/static/css/", "/static/", "/static/css/app.css%00",
	} {
		if p := anon.get(bad); p.status != http.StatusNotFound || strings.Contains(p.body, "--bs-") || strings.Contains(p.header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: %d, Cache-Control %q; want 404 without the file", bad, p.status, p.header.Get("Cache-Control"))
		}
	}
	// The hash follows the bytes: two files never share a hashed name.
	if hashedStaticURL(t, home, "js/dates.js")[len("/static/js/dates."):] == hashedStaticURL(t, home, "js/popup.js")[len("/static/js/popup."):] {
		t.Error("dates.js and popup.js carry the same hash")
	}
}
