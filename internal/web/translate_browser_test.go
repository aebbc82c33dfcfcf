package web_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/database"
)

// TestBrowserTranslate: in Chromium, a post written in Portuguese shows a Translate
// link to an English reader; clicking it shows a spinner, then the translation from a
// loopback LibreTranslate in place of the link, as text. The page's strict CSP holds
// (the script is a file, the handlers are attached by it).
func TestBrowserTranslate(t *testing.T) {
	ctx := newChrome(t, 1000, 700)
	lt := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Q, Source, Target string }
		json.NewDecoder(r.Body).Decode(&req)
		time.Sleep(400 * time.Millisecond) // long enough to see the loading state
		json.NewEncoder(w).Encode(map[string]string{"translatedText": "Good morning everyone! <b>Not bold</b> (" + req.Source + " to " + req.Target + ")"})
	}))
	t.Cleanup(lt.Close)
	s, _, _ := newDialectSite(t, database.SQLite, func(c *config.Config) { c.LibreTranslateURL = lt.URL })
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
	for _, post := range []string{"Bom dia a todos! Hoje o dia está lindo em Lisboa.", "Good morning, the sun is out in London today."} {
		run("post",
			chromedp.SendKeys(chromedp.CSS("#post"), post),
			chromedp.Click(chromedp.CSS("#post-form button[type=submit]")),
			// The page before also had the flash: wait for this post on a loaded page.
			until(`document.readyState === "complete" && document.body.innerText.includes(`+strconv.Quote(post)+`)`),
		)
	}
	links := evalJS[int](ctx, t, "count links", `document.querySelectorAll("button.translate-link").length`)
	if links != 1 {
		t.Fatalf("%d Translate links, want 1 (under the Portuguese post only)", links)
	}
	id := evalJS[string](ctx, t, "link's post", `document.querySelector("button.translate-link").dataset.post.replace("post", "")`)
	span := `document.getElementById("translation` + id + `")`
	before, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	run("translate",
		chromedp.Click(chromedp.CSS("button.translate-link")),
		until(span+`.querySelector(".translate-loading") !== null`),
		until(span+`.textContent.startsWith("Good morning")`),
	)
	got := evalJS[string](ctx, t, "translation", span+`.textContent`)
	if got != "Good morning everyone! <b>Not bold</b> (pt to en)" {
		t.Errorf("translation shown: %q", got)
	}
	if n := evalJS[int](ctx, t, "injected elements", span+`.querySelectorAll("*").length`); n != 0 {
		t.Errorf("the translation was inserted as HTML: %d elements", n)
	}
	if body := evalJS[string](ctx, t, "post", `document.getElementById("post`+id+`").textContent`); !strings.Contains(body, "Bom dia a todos!") {
		t.Errorf("the post's own text changed: %q", body)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	for name, shot := range map[string][]byte{"translate-link.png": before, "translate.png": png} {
		path := filepath.Join(artifacts(t), name)
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot %s (%s bytes)", path, strconv.Itoa(len(shot)))
	}
}
