package web_test

import (
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/microblog/microblog/internal/database"
)

// TestBrowserSearch types words (with query-syntax characters) into the navbar's search
// box and presses Enter, as a user does, and gets the results page with the words still
// in the box and the one post that holds them.
func TestBrowserSearch(t *testing.T) {
	ctx := newChrome(t, 1200, 800)
	s, _, _ := newDialectSite(t, database.SQLite, nil)
	addUser(t, s.db, "ana")
	base := s.srv.URL
	run := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	run("sign in",
		chromedp.Navigate(base+"/auth/login"),
		chromedp.SendKeys(chromedp.CSS("#username"), "ana"),
		chromedp.SendKeys(chromedp.CSS("#password"), sessionTestPassword),
		chromedp.Click(chromedp.CSS("#page-form button[type=submit]")),
		until(`location.pathname === "/index" && document.readyState === "complete"`),
	)
	for _, post := range []string{"Watching the lighthouse at night", "A quiet morning at home"} {
		run("post",
			chromedp.SendKeys(chromedp.CSS("#post"), post),
			chromedp.Click(chromedp.CSS("#post-form button[type=submit]")),
			until(`document.readyState === "complete" && document.body.innerText.includes(`+strconv.Quote(post)+`)`),
		)
	}
	run("search from the navbar",
		chromedp.SendKeys(chromedp.CSS(`nav form[role=search] input[name=q]`), `"lighthouse*`+"\n"),
		until(`location.pathname === "/search" && document.readyState === "complete"`),
	)
	if h := evalJS[string](ctx, t, "heading", `document.querySelector("main h1").textContent`); h != "Search Results" {
		t.Errorf("heading %q", h)
	}
	if q := evalJS[string](ctx, t, "box", `document.querySelector("nav input[name=q]").value`); q != `"lighthouse*` {
		t.Errorf("the search box holds %q after the search", q)
	}
	found := evalJS[[]string](ctx, t, "results", `[...document.querySelectorAll("main span[id^=post]")].map(e => e.textContent)`)
	if len(found) != 1 || found[0] != "Watching the lighthouse at night" {
		t.Errorf("results %q, want the lighthouse post only", found)
	}
}
