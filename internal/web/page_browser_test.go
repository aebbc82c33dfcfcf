package web_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/microblog/microblog/internal/database"
)

// cspReports is a script that resolves to the CSP violations the page has seen since it
// loaded ("directive blocked-URL" each): the Reporting API keeps them (buffered) for an
// observer created later.
const cspReports = `new Promise(resolve => {
  const seen = [];
  const take = rs => rs.forEach(r => seen.push(r.body.effectiveDirective + " " + String(r.body.blockedURL).slice(0, 60)));
  const o = new ReportingObserver(take, {types: ["csp-violation"], buffered: true});
  o.observe();
  setTimeout(() => { take(o.takeRecords()); o.disconnect(); resolve(seen); }, 200);
})`

// brokenImages is a script that waits (up to 5 s) until every image has loaded or
// failed, then resolves to the src of those that failed.
const brokenImages = `new Promise(resolve => {
  const start = Date.now();
  (function check() {
    const imgs = Array.from(document.images);
    if (imgs.some(i => !i.complete) && Date.now() - start < 5000) { setTimeout(check, 50); return; }
    resolve(imgs.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.getAttribute("src")));
  })();
})`

// overflow is a script giving how many CSS pixels the page is wider than the window.
const overflow = `document.documentElement.scrollWidth - document.documentElement.clientWidth`

// TestBrowserPageAtPhoneAndDesktopWidths loads every page at 390 px (a phone) and 1200 px
// with Gravatar unreachable and checks what a person would see: nothing wider than the
// window even with 140-character words, the profile text beside or under the avatar at
// a readable width, no CSP violation (Bootstrap's data: icons: menu button, ticked
// checkbox, invalid-field marks), and no broken image (the app's own avatar replaces
// Gravatar's). Screenshots go to artifacts/page-<name>-<width>.png.
func TestBrowserPageAtPhoneAndDesktopWidths(t *testing.T) {
	ctx := newChrome(t, 1200, 900)
	s, _, _ := newDialectSite(t, database.SQLite, nil)
	long := strings.Repeat("w", 140) // one word, as wide as a post or "about me" may be
	susan := signedIn(t, s, "susan", false)
	expect(t, "about me", susan.post("/edit_profile", url.Values{"username": {"susan"}, "about_me": {long}}), http.StatusFound, "/edit_profile")
	expect(t, "long post", susan.post("/index", url.Values{"post": {long}}), http.StatusFound, "/index")
	expect(t, "short post", susan.post("/index", url.Values{"post": {"a post with words that wrap as words do"}}), http.StatusFound, "/index")
	addUser(t, s.db, "john")

	base := s.srv.URL
	dir := artifacts(t)
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	// check looks at the page in the window as it is now.
	check := func(name string, width int) {
		t.Helper()
		violations := evalJS[[]string](ctx, t, name+": CSP reports", cspReports)
		broken := evalJS[[]string](ctx, t, name+": images", brokenImages)
		wider := evalJS[int](ctx, t, name+": width", overflow)
		if len(violations) > 0 {
			t.Errorf("%s at %d px: CSP violations %q", name, width, violations)
		}
		if len(broken) > 0 {
			t.Errorf("%s at %d px: broken images %q", name, width, broken)
		}
		if wider > 0 {
			t.Errorf("%s at %d px: the page is %d px wider than the window", name, width, wider)
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		if err := os.WriteFile(filepath.Join(dir, "page-"+name+"-"+strconv.Itoa(width)+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	for _, width := range []int{390, 1200} {
		do("window width", chromedp.EmulateViewport(int64(width), 844))
		// The sign-in form refused with empty fields shows the invalid-field icons.
		do("login refused",
			chromedp.Navigate(base+"/auth/login"),
			chromedp.Click(chromedp.CSS("#remember_me")),
			chromedp.Click(chromedp.CSS("#page-form button[type=submit]")),
			until(`document.readyState === "complete" && document.querySelector(".is-invalid") !== null`),
			chromedp.Click(chromedp.CSS("#remember_me")),
		)
		if width < 992 { // below Bootstrap's "lg" the menu is behind the toggler
			icon := evalJS[string](ctx, t, "toggler icon", `getComputedStyle(document.querySelector(".navbar-toggler-icon")).backgroundImage`)
			if !strings.HasPrefix(icon, `url("data:image/svg+xml`) {
				t.Errorf("navbar toggler icon at %d px: background %q", width, icon)
			}
		}
		check("login-invalid", width)
		do("login",
			chromedp.SendKeys(chromedp.CSS("#username"), "john"),
			chromedp.SendKeys(chromedp.CSS("#password"), sessionTestPassword),
			chromedp.Click(chromedp.CSS("#page-form button[type=submit]")),
			until(`location.pathname === "/index" && document.readyState === "complete"`),
		)
		for _, p := range []struct{ name, path string }{
			{"index", "/index"}, {"explore", "/explore"}, {"profile", "/user/susan"}, {"edit-profile", "/edit_profile"}, {"change-password", "/change_password"},
		} {
			do(p.name, chromedp.Navigate(base+p.path), chromedp.WaitVisible(chromedp.CSS("h1")))
			check(p.name, width)
		}
		// The profile text keeps most of the width: beside a 256 px avatar on a wide
		// window, under a smaller one on a phone.
		do("profile", chromedp.Navigate(base+"/user/susan"), chromedp.WaitVisible(chromedp.CSS("h1")))
		textWidth := evalJS[float64](ctx, t, "profile text width", `document.querySelector(".profile-text").getBoundingClientRect().width`)
		avatarWidth := evalJS[float64](ctx, t, "profile avatar width", `document.querySelector(".profile-header img").getBoundingClientRect().width`)
		if min := float64(width) * 0.6; textWidth < min {
			t.Errorf("profile text at %d px is %.0f px wide, want at least %.0f", width, textWidth, min)
		}
		if want := map[int]float64{390: 128, 1200: 256}[width]; avatarWidth != want {
			t.Errorf("profile avatar at %d px is %.0f px wide, want %.0f", width, avatarWidth, want)
		}
		src := evalJS[string](ctx, t, "avatar source", `document.querySelector(".profile-header img").getAttribute("src")`)
		if !strings.HasPrefix(src, "/avatar/") {
			t.Errorf("profile avatar with Gravatar unreachable: src %q, want the app's own /avatar/…", src)
		}
		if width < 992 {
			// The menu opens (its animation over) and shows Logout.
			do("open the menu", chromedp.Click(chromedp.CSS(".navbar-toggler")), until(`document.querySelector(".navbar-collapse.show") !== null`))
		}
		do("logout", chromedp.Click(chromedp.CSS("form[action='/auth/logout'] button")),
			until(`location.pathname === "/auth/login" && document.readyState === "complete"`))
	}
	t.Logf("screenshots in %s", dir)
}

// evalJS runs script in the page (awaiting it when it is a promise) and returns its value.
func evalJS[T any](ctx context.Context, t *testing.T, what, script string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](script, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}
