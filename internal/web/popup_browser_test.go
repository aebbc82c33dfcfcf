package web_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
)

// TestBrowserUserPopup drives the user popup (static/js/popup.js) in headless Chromium
// on /explore: resting the pointer on an author's name shows the card after the delay,
// not before, and moving away hides it; Tab onto a name shows it at once and Tab goes on
// into the card; Escape dismisses it and returns the focus to the name; Follow pressed
// with the keyboard follows in place, announcing it, with the focus on the new Unfollow
// button; a name holding "?", "#", "&" and markup gets its own card. No CSP violation.
// Screenshot: artifacts/popup.png.
func TestBrowserUserPopup(t *testing.T) {
	ctx := newChrome(t, 1200, 900)
	s, _, logs := newDialectSite(t, database.SQLite, nil)
	const odd = `x?y#z & <b>`
	storeUser(t, s, 0, odd, "")
	susan := signedIn(t, s, "susan", false)
	expect(t, "about me", susan.post("/edit_profile", url.Values{"username": {"susan"}, "about_me": {"I write about kettles."}}), 302, "/edit_profile")
	db := s.db.NewSession()
	var oddUser models.User
	if err := db.NewSelect().Model(&oddUser).Where("username = ?", odd).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	db.Add(&models.Post{Body: "a post by an odd name", UserID: oddUser.ID, Timestamp: time.Now().UTC().Add(-time.Hour)})
	if err := db.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	expect(t, "susan posts", susan.post("/index", url.Values{"post": {"Hello from susan"}}), 302, "/index")
	addUser(t, s.db, "john")

	base := s.srv.URL
	run := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v\nlog:\n%s", what, err, logs.String())
		}
	}
	const link = `document.querySelector('a.user_popup[data-username="susan"]')`
	const card = `document.querySelector(".popover .user-popup-card")`
	shown := until(card + ` !== null`)
	gone := until(`document.querySelector(".popover") === null`)
	center := func(sel string) (float64, float64) {
		t.Helper()
		xy := evalJS[[]float64](ctx, t, "where is "+sel, `(r => [r.x + r.width / 2, r.y + r.height / 2])(`+sel+`.getBoundingClientRect())`)
		return xy[0], xy[1]
	}
	run("sign in",
		chromedp.Navigate(base+"/auth/login"),
		chromedp.SendKeys(chromedp.CSS("#username"), "john"),
		chromedp.SendKeys(chromedp.CSS("#password"), sessionTestPassword),
		chromedp.Click(chromedp.CSS("#page-form button[type=submit]")),
		until(`location.pathname === "/index" && document.readyState === "complete"`),
		chromedp.Navigate(base+"/explore"),
		until(`location.pathname === "/explore" && document.readyState === "complete"`),
	)

	// Hover: nothing for the first part of the delay, then the card.
	x, y := center(link)
	run("hover", chromedp.MouseEvent(chromedp.MouseMoved, x, y))
	time.Sleep(250 * time.Millisecond)
	if evalJS[bool](ctx, t, "early", `document.querySelector(".popover") !== null`) {
		t.Fatal("the card shows before the hover delay")
	}
	run("card after the delay", shown, until(card+`.innerText.includes("I write about kettles.")`))
	text := evalJS[string](ctx, t, "card text", card+`.innerText`)
	for _, want := range []string{"susan", "I write about kettles.", "Last seen on:", "0 followers, 0 following.", "Follow"} {
		if !strings.Contains(text, want) {
			t.Errorf("card lacks %q:\n%s", want, text)
		}
	}
	if when := evalJS[string](ctx, t, "last seen", card+`.querySelector("time").textContent`); strings.Contains(when, "UTC") || when == "" {
		t.Errorf("last seen not written by dates.js: %q", when)
	}
	if ok := evalJS[bool](ctx, t, "aria", `(tip => tip.getAttribute("role") === "dialog" && tip.getAttribute("aria-label") === "susan" && `+
		link+`.getAttribute("aria-describedby") === tip.id && `+link+`.getAttribute("aria-expanded") === "true")(document.querySelector(".popover"))`); !ok {
		t.Errorf("popover roles and names: %s", evalJS[string](ctx, t, "popover html", `document.querySelector(".user-popup").outerHTML`))
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(artifacts(t), "popup.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	// The pointer may move onto the card; leaving both hides it.
	cx, cy := center(card)
	run("onto the card", chromedp.MouseEvent(chromedp.MouseMoved, (x+cx)/2, y), chromedp.MouseEvent(chromedp.MouseMoved, cx, cy))
	time.Sleep(400 * time.Millisecond)
	if !evalJS[bool](ctx, t, "card kept", card+` !== null`) {
		t.Fatal("the card closed when the pointer moved onto it")
	}
	run("away", chromedp.MouseEvent(chromedp.MouseMoved, 5, 880), gone)

	// Keyboard: the avatar link comes before the name; Tab reaches the name and shows
	// the card at once, then goes on into it.
	evalJS[bool](ctx, t, "focus the avatar", link+`.closest("tr").querySelector(".post-avatar a").focus(); true`)
	run("tab to the name", chromedp.KeyEvent(kb.Tab), until(`document.activeElement === `+link), shown)
	run("tab into the card", chromedp.KeyEvent(kb.Tab), until(`document.activeElement === `+card+`.querySelector("a")`))
	run("tab to Follow", chromedp.KeyEvent(kb.Tab), until(`document.activeElement === `+card+`.querySelector("button")`))
	run("escape", chromedp.KeyEvent(kb.Escape), gone, until(`document.activeElement === `+link))
	time.Sleep(700 * time.Millisecond)
	if evalJS[bool](ctx, t, "dismissed", `document.querySelector(".popover") !== null`) {
		t.Fatal("the card came back after Escape")
	}

	// Follow with the keyboard: leave and come back to the name, Tab twice, Enter.
	run("follow from the card",
		chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift)),
		until(`document.activeElement === `+link), shown,
		chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Tab),
		until(`document.activeElement === `+card+`.querySelector("button") && document.activeElement.textContent === "Follow"`),
		chromedp.KeyEvent(kb.Enter),
		until(card+` !== null && `+card+`.querySelector('[role="status"]') !== null`),
	)
	status := evalJS[string](ctx, t, "status", card+`.querySelector('[role="status"]').textContent`)
	if status != "You are following susan!" {
		t.Errorf("status %q", status)
	}
	if ok := evalJS[bool](ctx, t, "focus after follow", `document.activeElement.textContent === "Unfollow" && `+card+`.contains(document.activeElement)`); !ok {
		t.Errorf("focus after follow on %q", evalJS[string](ctx, t, "active", `document.activeElement.outerHTML`))
	}
	if !strings.Contains(evalJS[string](ctx, t, "counts", card+`.innerText`), "1 follower, 0 following.") {
		t.Error("the card's counts were not updated")
	}
	if p := evalJS[string](ctx, t, "where", `location.pathname`); p != "/explore" {
		t.Errorf("following navigated to %s", p)
	}
	var john, susanUser models.User
	sess := s.db.NewSession()
	if err := sess.NewSelect().Model(&john).Where("username = 'john'").Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := sess.NewSelect().Model(&susanUser).Where("username = 'susan'").Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if following, err := store.IsFollowing(context.Background(), sess, &john, &susanUser); err != nil || !following {
		t.Fatalf("john follows susan: %v, %v", following, err)
	}
	run("escape again", chromedp.KeyEvent(kb.Escape), gone)
	x, y = center(link)
	run("hover again", chromedp.MouseEvent(chromedp.MouseMoved, x, y), shown)
	if text := evalJS[string](ctx, t, "card again", card+`.innerText`); strings.Contains(text, "You are following") || !strings.Contains(text, "Unfollow") {
		t.Errorf("the card shown again:\n%s", text)
	}
	// The name keeps the keyboard focus: the card stays when the pointer leaves, until
	// Escape.
	run("away again", chromedp.MouseEvent(chromedp.MouseMoved, 5, 880))
	time.Sleep(400 * time.Millisecond)
	if !evalJS[bool](ctx, t, "kept by focus", card+` !== null`) {
		t.Error("the card closed while its name has the focus")
	}
	run("escape once more", chromedp.KeyEvent(kb.Escape), gone)

	// A name that is no path segment as it is.
	oddLink := `document.querySelector('a.user_popup[data-username=` + strconv.Quote(odd) + `]')`
	ox, oy := center(oddLink)
	run("hover the odd name", chromedp.MouseEvent(chromedp.MouseMoved, ox, oy), shown)
	if got := evalJS[string](ctx, t, "odd card", card+`.querySelector("a").textContent`); got != odd {
		t.Errorf("card of %q shows %q", odd, got)
	}
	if v := evalJS[[]string](ctx, t, "CSP reports", cspReports); len(v) > 0 {
		t.Errorf("CSP violations: %q", v)
	}
	if n := len(logs.lines("status=500")); n > 0 {
		t.Errorf("%d server errors:\n%s", n, logs.String())
	}
}
