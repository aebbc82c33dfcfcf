package web_test

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
)

// popupPath is the card's path as static/js/popup.js builds it: encodeURIComponent of
// the name, dots of an all-dots name encoded too.
func popupPath(name string) string {
	var b strings.Builder
	for _, c := range []byte(name) {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_.!~*'()", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	seg := b.String()
	if strings.Trim(name, ".") == "" {
		seg = strings.ReplaceAll(seg, ".", "%2E")
	}
	return "/user/" + seg + "/popup"
}

// storeUser writes an account straight to the database, as another program (the Flask
// app) may have: any name, no rule applied.
func storeUser(t *testing.T, s *site, i int, name, about string) {
	t.Helper()
	db := s.db.NewSession()
	defer db.Close()
	key := "stored-" + strconv.Itoa(i) // a look-alike's key would be another user's
	u := &models.User{Username: name, UsernameKey: &key, Email: "stored" + strconv.Itoa(i) + "@example.com"}
	if about != "" {
		u.AboutMe = &about
	}
	db.Add(u)
	if err := db.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
}

var popupForm = regexp.MustCompile(`<form action="(/(?:un)?follow/[^"]*)" method="post">`)

// The popup is an HTML fragment with the tutorial's contents — avatar, name linking to
// the profile, about me, last seen, counts, and Follow, Unfollow or Edit — for signed-in
// users only; an unknown user is a 404.
func TestUserPopup(t *testing.T) {
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			s, _, _ := newDialectSite(t, dialect, nil)
			susan := signedIn(t, s, "susan", false)
			john := signedIn(t, s, "john", false)
			expect(t, "about me", john.post("/edit_profile", url.Values{"username": {"john"}, "about_me": {"I <b>like</b> tea & cake"}}), 302, "/edit_profile")

			p := susan.get("/user/john/popup")
			expect(t, "john's popup", p, 200, "",
				`<a href="/user/john">john</a>`, "I &lt;b&gt;like&lt;/b&gt; tea &amp; cake", "Last seen on:", `<time datetime="`,
				"0 followers, 0 following.", `<form action="/follow/john" method="post">`, `width="64" height="64"`)
			if ct := p.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if cc := p.header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q", cc)
			}
			if strings.Contains(p.body, "<html") || strings.Contains(p.body, "<nav") || strings.Contains(p.body, "<script") {
				t.Errorf("the popup is not a fragment:\n%s", p.body)
			}
			own := susan.get("/user/susan/popup")
			expect(t, "own popup", own, 200, "", `href="/edit_profile"`, "Edit your profile")
			if popupForm.MatchString(own.body) {
				t.Errorf("own popup has a follow form:\n%s", own.body)
			}

			expect(t, "unknown user", susan.get("/user/nobody/popup"), 404, "")
			expect(t, "anonymous", s.browser().get("/user/john/popup"), 302, "/auth/login?next=%2Fuser%2Fjohn%2Fpopup")
			for _, path := range []string{"/user/%00/popup", "/user/%FF%FE/popup", "/user/" + strings.Repeat("x", 5000) + "/popup", "/user/john%0A/popup"} {
				if p := susan.get(path); p.status != 404 {
					t.Errorf("%.40s: %d, want 404", path, p.status)
				}
			}
			// In another language.
			expect(t, "language", susan.post("/language", url.Values{"language": {"es"}, "next": {"/index"}}), 303, "/index")
			expect(t, "popup in Spanish", susan.get("/user/john/popup"), 200, "", "0 seguidores", "Seguir")
		})
	}
}

// Following from the popup: the card's form asks to come back to the card (next), which
// then shows the outcome as a status message and the other button; next is a local path
// or ignored. Unfollowing works the same way.
func TestFollowFromPopup(t *testing.T) {
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			s, _, _ := newDialectSite(t, dialect, nil)
			addUser(t, s.db, "john")
			susan := signedIn(t, s, "susan", false)
			back := popupPath("john")
			expect(t, "follow", susan.post("/follow/john", url.Values{"next": {back}}), 302, back)
			p := susan.get(back)
			expect(t, "popup after follow", p, 200, "", `role="status">You are following john!</div>`, "1 follower, 0 following.", `<form action="/unfollow/john" method="post">`)
			expect(t, "flash shown once", susan.get(back), 200, "")
			if strings.Contains(susan.get(back).body, "You are following") {
				t.Error("the flash is shown again")
			}
			expect(t, "unfollow", susan.post("/unfollow/john", url.Values{"next": {back}}), 302, back)
			expect(t, "popup after unfollow", susan.get(back), 200, "", "You are not following john.", "0 followers, 0 following.", `<form action="/follow/john" method="post">`)
			for _, next := range []string{"//evil.example/x", "https://evil.example/", `/\evil.example`, "popup"} {
				expect(t, "follow with next "+next, susan.post("/follow/john", url.Values{"next": {next}}), 302, "/user/john")
			}
			expect(t, "self", susan.post("/follow/susan", url.Values{"next": {popupPath("susan")}}), 302, popupPath("susan"))
			expect(t, "self refused in the popup", susan.get(popupPath("susan")), 200, "", "You cannot follow yourself!")
		})
	}
}

// Names stored before the username rule, and names holding markup, get a card at the
// address popup.js builds for them, with the name escaped, and a Follow form that
// follows them.
func TestUserPopupHostileNames(t *testing.T) {
	names := []string{"a/b", "x?y#z", "..", "../auth/logout", "Ѕusan", `<img src=x onerror=alert(1)>`, `"quoted" & 'single'`, "50%off", "spa ce"}
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			s, _, _ := newDialectSite(t, dialect, nil)
			for i, name := range names {
				storeUser(t, s, i, name, "about "+name)
			}
			susan := signedIn(t, s, "susan", false)
			base, _ := url.Parse(s.srv.URL)
			for _, name := range names {
				p := susan.get(popupPath(name))
				expect(t, "popup of "+name, p, 200, "", ">"+html.EscapeString(name)+"</a>", "about "+html.EscapeString(name))
				if strings.Contains(p.body, "<img src=x") {
					t.Fatalf("popup of %q holds the name unescaped:\n%s", name, p.body)
				}
				m := popupForm.FindStringSubmatch(p.body)
				if m == nil {
					t.Fatalf("popup of %q has no follow form:\n%s", name, p.body)
				}
				action, _ := url.Parse(html.UnescapeString(m[1]))
				target := base.ResolveReference(action).EscapedPath()
				expect(t, "follow "+name, susan.post(target, url.Values{"next": {popupPath(name)}}), 302, popupPath(name))
				expect(t, "card after following "+name, susan.get(popupPath(name)), 200, "", "1 follower", "/unfollow/")
			}
		})
	}
}
