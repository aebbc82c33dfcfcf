package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/microblog/microblog/internal/database"
)

// TestBrowserDeletePostAndAccount drives Chromium through the two deletions as a person
// would: the post's Delete button opens its confirmation in place (a <details>, no
// script), which deletes the post; then Edit Profile leads to the account's page, which
// deletes the account after the password. No CSP violation on the way.
func TestBrowserDeletePostAndAccount(t *testing.T) {
	ctx := newChrome(t, 1200, 900)
	s, _, _ := newDialectSite(t, database.SQLite, nil)
	bob := signedIn(t, s, "bob", false)
	expect(t, "bob's post", bob.post("/index", url.Values{"post": {"bob stays"}}), http.StatusFound, "/index")
	addUser(t, s.db, "susan")
	base := s.srv.URL
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	flashed := func(want string) chromedp.Action[chromedp.Void] {
		return until(`document.readyState === "complete" && [...document.querySelectorAll(".alert")].some(a => a.innerText.includes(` + strconv.Quote(want) + `))`)
	}
	visible := func(sel string) bool {
		return evalJS[bool](ctx, t, "visible "+sel, `(e => !!e && e.checkVisibility({contentVisibilityAuto: true}))(document.querySelector(`+strconv.Quote(sel)+`))`)
	}
	do("sign in",
		chromedp.Navigate(base+"/auth/login"),
		chromedp.SendKeys(chromedp.CSS("#username"), "susan"),
		chromedp.SendKeys(chromedp.CSS("#password"), sessionTestPassword),
		chromedp.Click(chromedp.CSS("#page-form button[type=submit]")),
		until(`location.pathname === "/index" && document.readyState === "complete"`))
	do("post",
		chromedp.SendKeys(chromedp.CSS("#post"), "a post to delete"),
		chromedp.Click(chromedp.CSS("#post-form button[type=submit]")),
		flashed("Your post is now live!"),
		chromedp.Navigate(base+"/explore"), chromedp.WaitVisible(chromedp.CSS("h1")))
	if n := evalJS[int](ctx, t, "buttons", `document.querySelectorAll("details.post-delete").length`); n != 1 {
		t.Fatalf("explore shows %d Delete buttons to susan, want 1 (her post only)", n)
	}
	if visible("details.post-delete button[type=submit]") {
		t.Fatal("the confirmation shows before Delete is clicked")
	}
	do("open the confirmation", chromedp.Click(chromedp.CSS("details.post-delete summary")),
		until(`document.querySelector("details.post-delete").open`))
	if !visible("details.post-delete button[type=submit]") {
		t.Fatal("the confirmation's button is not visible after Delete was clicked")
	}
	do("confirm", chromedp.Click(chromedp.CSS("details.post-delete button[type=submit]")),
		flashed("Your post has been deleted."))
	body := evalJS[string](ctx, t, "body", `document.body.innerText`)
	if strings.Contains(body, "a post to delete") || !strings.Contains(body, "bob stays") ||
		evalJS[string](ctx, t, "path", `location.pathname`) != "/explore" {
		t.Fatalf("after the deletion, at %s:\n%s", evalJS[string](ctx, t, "path", `location.pathname`), body)
	}
	if v := evalJS[[]string](ctx, t, "CSP", cspReports); len(v) > 0 {
		t.Errorf("CSP violations: %q", v)
	}

	do("the account page",
		chromedp.Navigate(base+"/edit_profile"), chromedp.WaitVisible(chromedp.CSS("h1")),
		chromedp.Click(chromedp.CSS(`a[href="/delete_account"]`)),
		until(`location.pathname === "/delete_account" && document.readyState === "complete"`))
	if b := evalJS[string](ctx, t, "page", `document.body.innerText`); !strings.Contains(b, "disappear from their recipients' inboxes") {
		t.Fatalf("the account page does not say what happens to sent messages:\n%s", b)
	}
	if v := evalJS[[]string](ctx, t, "CSP", cspReports); len(v) > 0 {
		t.Errorf("CSP violations: %q", v)
	}
	do("delete the account",
		chromedp.SendKeys(chromedp.CSS("#password"), sessionTestPassword),
		chromedp.Click(chromedp.CSS("#page-form button.btn-danger")),
		flashed("Your account has been deleted."))
	if p := evalJS[string](ctx, t, "path", `location.pathname`); p != "/auth/login" {
		t.Errorf("after deleting the account the browser is at %s", p)
	}
	do("signed out", chromedp.Navigate(base+"/index"),
		until(`location.pathname === "/auth/login" && document.readyState === "complete"`))
}
