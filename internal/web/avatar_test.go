package web_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/database"
)

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// The app draws avatars itself at /avatar/<md5 of e-mail>/<size>: an SVG that depends on
// the URL alone, cacheable, served without a session; anything but 32 lower-case hex
// digits and a plain size from 1 to 2048 is a 404.
func TestLocalAvatarRoute(t *testing.T) {
	s, _, _ := newDialectSite(t, database.SQLite, nil)
	b := s.browser()
	hash := md5Hex("susan@example.com")
	p := b.get("/avatar/" + hash + "/70")
	if p.status != http.StatusOK || p.header.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("avatar: %d %q\n%s", p.status, p.header.Get("Content-Type"), p.body)
	}
	if !strings.HasPrefix(p.body, "<svg ") || !strings.Contains(p.body, `width="70" height="70"`) || !strings.Contains(p.body, `<path fill="hsl(`) {
		t.Fatalf("avatar is not a 70 px identicon:\n%s", p.body)
	}
	if cc := p.header.Get("Cache-Control"); !strings.Contains(cc, "public") || !strings.Contains(cc, "max-age=604800") {
		t.Errorf("Cache-Control = %q, want public with a week's max-age", cc)
	}
	if c := p.header.Get("Set-Cookie"); c != "" {
		t.Errorf("an avatar sets a cookie: %q", c)
	}
	if again := b.get("/avatar/" + hash + "/70"); again.body != p.body {
		t.Error("the same avatar URL gave two different pictures")
	}
	if other := b.get("/avatar/" + md5Hex("john@example.com") + "/70"); other.status != http.StatusOK || other.body == p.body {
		t.Errorf("two users got the same picture (status %d)", other.status)
	}
	etag := p.header.Get("ETag")
	req, _ := http.NewRequest("GET", s.srv.URL+"/avatar/"+hash+"/70", nil)
	req.Header.Set("If-None-Match", etag)
	if p := b.do(req); etag == "" || p.status != http.StatusNotModified {
		t.Errorf("revalidation with ETag %q: %d, want 304", etag, p.status)
	}
	for _, bad := range []string{
		"/avatar/" + hash[:31] + "/70",
		"/avatar/" + strings.ToUpper(hash) + "/70",
		"/avatar/" + hash[:31] + "g/70",
		"/avatar/" + hash + "/0",
		"/avatar/" + hash + "/2049",
		"/avatar/" + hash + "/070",
		"/avatar/" + hash + "/-1",
		"/avatar/" + hash + "/x",
	} {
		if p := b.get(bad); p.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", bad, p.status)
		}
	}
}

// /favicon.ico, which every browser asks for, is an icon rather than a 404.
func TestFavicon(t *testing.T) {
	s, _, _ := newDialectSite(t, database.SQLite, nil)
	p := s.browser().get("/favicon.ico")
	if p.status != http.StatusOK || p.header.Get("Content-Type") != "image/x-icon" || !bytes.HasPrefix([]byte(p.body), []byte{0, 0, 1, 0}) {
		t.Fatalf("favicon: %d %q, %d bytes", p.status, p.header.Get("Content-Type"), len(p.body))
	}
}

var postAvatarLink = regexp.MustCompile(`<a href="/user/([^"]+)"><img class="avatar" src="([^"]+)" data-fallback="([^"]+)" alt="([^"]*)"`)

// AVATARS=gravatar (the default) shows Gravatar's images with the app's own as the
// fallback a script swaps in when Gravatar cannot be reached; AVATARS=local never names
// Gravatar. Either way the avatar link of a post row is named after its author.
func TestAvatarSetting(t *testing.T) {
	for _, source := range []string{"gravatar", "local"} {
		t.Run(source, func(t *testing.T) {
			s, _, _ := newDialectSite(t, database.SQLite, func(c *config.Config) { c.Avatars = source })
			b := signedIn(t, s, "susan", false)
			expect(t, "post", b.post("/index", map[string][]string{"post": {"hello"}}), http.StatusFound, "/index")
			local := "/avatar/" + md5Hex("susan@example.com") + "/"
			want := local + "70"
			if source == "gravatar" {
				want = "https://www.gravatar.com/avatar/" + md5Hex("susan@example.com") + "?d=identicon&amp;s=70"
			}
			for _, path := range []string{"/index", "/explore", "/user/susan"} {
				p := b.get(path)
				m := postAvatarLink.FindStringSubmatch(p.body)
				if m == nil {
					t.Fatalf("%s: no post row avatar link\n%s", path, p.body)
				}
				if m[1] != "susan" || m[2] != want || m[3] != local+"70" || m[4] != "susan" {
					t.Errorf("%s: post avatar link to %q, src %q, fallback %q, alt %q; want susan, %q, %q, susan", path, m[1], m[2], m[3], m[4], want, local+"70")
				}
				if source == "local" && strings.Contains(p.body, "gravatar") {
					t.Errorf("%s names Gravatar with AVATARS=local", path)
				}
				if csp := p.header.Get("Content-Security-Policy"); strings.Contains(csp, "gravatar") != (source == "gravatar") {
					t.Errorf("%s: CSP %q with AVATARS=%s", path, csp, source)
				}
			}
			profile := b.get("/user/susan").body
			if !strings.Contains(profile, `data-fallback="`+local+`256" alt="Avatar of susan"`) {
				t.Errorf("profile avatar lacks its fallback or alt text:\n%s", profile)
			}
		})
	}
}

// Every page names a description, links the icon and the app's own style sheet and the
// avatar script; the CSP lets Bootstrap's data: icons through while scripts and styles
// stay on this site (no 'unsafe-inline').
func TestPageHeadAndCSP(t *testing.T) {
	s, _, _ := newDialectSite(t, database.SQLite, nil)
	anon := s.browser()
	b := signedIn(t, s, "susan", false)
	pages := map[string]page{
		"login":        anon.get("/auth/login"),
		"register":     anon.get("/auth/register"),
		"index":        b.get("/index"),
		"explore":      b.get("/explore"),
		"profile":      b.get("/user/susan"),
		"edit profile": b.get("/edit_profile"),
		"not found":    b.get("/no/such/page"),
	}
	for name, p := range pages {
		for _, want := range []string{
			`<meta name="description" content="Microblog: `,
			`<link rel="icon" href="/favicon.ico"`,
			`<link rel="stylesheet" href="/static/css/app.`,
			`<script src="/static/js/avatars.`,
			`<main class="container`,
		} {
			if !strings.Contains(p.body, want) {
				t.Errorf("%s page lacks %s", name, want)
			}
		}
		csp := p.header.Get("Content-Security-Policy")
		directives := map[string]string{}
		for _, d := range strings.Split(csp, ";") {
			name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
			directives[name] = value
		}
		if !strings.Contains(" "+directives["img-src"]+" ", " data: ") {
			t.Errorf("%s: CSP img-src %q blocks Bootstrap's data: icons", name, directives["img-src"])
		}
		if directives["script-src"] != "'self'" || directives["style-src"] != "'self'" || directives["default-src"] != "'self'" {
			t.Errorf("%s: CSP scripts/styles not limited to this site: %q", name, csp)
		}
	}
	for _, asset := range []string{"/static/css/app.css", "/static/js/avatars.js"} {
		if p := anon.get(asset); p.status != http.StatusOK || len(p.body) < 100 {
			t.Errorf("%s: %d, %d bytes", asset, p.status, len(p.body))
		}
	}
}
