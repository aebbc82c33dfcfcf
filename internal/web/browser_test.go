package web_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/microblog/microblog/internal/models"
)

// RequireBrowserEnv, set to 1 by CI, turns a missing Chromium into a failure.
const requireBrowserEnv = "MICROBLOG_TEST_REQUIRE_BROWSER"

func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv(requireBrowserEnv) == "1" {
		t.Fatalf("browser tests required (%s=1) but no Chromium is installed", requireBrowserEnv)
	}
	t.Skip("browser tests skipped: install Debian's chromium to run them")
	return ""
}

// artifacts is where screenshots go: $MICROBLOG_ARTIFACTS, or artifacts/ at the
// repository root.
func artifacts(t *testing.T) string {
	dir := os.Getenv("MICROBLOG_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// newChrome starts headless Chromium for one test at the given window size and returns
// its context (with a deadline). Gravatar's host resolves to nothing, so that avatars
// behave as on a machine that cannot reach Gravatar, every run, and no request leaves
// this machine.
func newChrome(t *testing.T, width, height int) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("host-resolver-rules", "MAP www.gravatar.com ~NOTFOUND"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, 120*time.Second)
	t.Cleanup(cancelTimeout)
	return ctx
}

// until waits (up to 30 s) until the JavaScript predicate is true in the page. It asks
// again after each navigation, which ends a pending evaluation (chromedp's Poll would
// fail with "Inspected target navigated or closed" when a form posts and redirects).
func until(predicate string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		deadline := time.Now().Add(30 * time.Second)
		for {
			ok, err := chromedp.Evaluate[bool](predicate)(ctx, tg)
			if err == nil && ok {
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("waited 30 s for %s (last error: %v)", predicate, err)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

// TestBrowserWalkthrough drives headless Chromium through the app: two users register,
// one posts, the other follows and sees the post on the home page, pages past 25 posts,
// edits the profile and logs out.
func TestBrowserWalkthrough(t *testing.T) {
	ctx := newChrome(t, 1200, 900)
	s := newSiteWithPageSize(t, 25) // the tutorial's page size
	base := s.srv.URL
	run := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	// The page's own JavaScript reads the text and tells when a step has landed, rather
	// than DOM node ids, which a page that is being replaced invalidates under our feet.
	text := func(sel string) string {
		t.Helper()
		return evalJS[string](ctx, t, "read "+sel, `(document.querySelector(`+strconv.Quote(sel)+`) || {innerText: ""}).innerText`)
	}
	// landed waits until the document at path (with its query) has loaded.
	landed := func(path string) chromedp.Action[chromedp.Void] {
		return until(`location.pathname + location.search === ` + strconv.Quote(path) + ` && document.readyState === "complete"`)
	}
	// flashed waits until a flash holding want is shown on a loaded page (a click on a page
	// still loading its style sheet can land where the button was before the layout).
	flashed := func(want string) chromedp.Action[chromedp.Void] {
		return until(`document.readyState === "complete" && [...document.querySelectorAll(".alert")].some(a => a.innerText.includes(` + strconv.Quote(want) + `))`)
	}
	screenshot := func() []byte {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100 gives PNG; less gives JPEG
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		return png
	}
	register := func(user, email, pw string) {
		run("register "+user,
			chromedp.Navigate(base+"/auth/register"),
			chromedp.SendKeys(chromedp.CSS("#username"), user),
			chromedp.SendKeys(chromedp.CSS("#email"), email),
			chromedp.SendKeys(chromedp.CSS("#password"), pw),
			chromedp.SendKeys(chromedp.CSS("#password2"), pw),
			chromedp.Click(chromedp.CSS("#page-form button[type=submit]")),
			flashed("Congratulations, you are now a registered user!"),
		)
	}
	login := func(user, pw string) {
		run("login "+user,
			chromedp.Navigate(base+"/auth/login"),
			chromedp.SendKeys(chromedp.CSS("#username"), user),
			chromedp.SendKeys(chromedp.CSS("#password"), pw),
			chromedp.Click(chromedp.CSS("#page-form button[type=submit]")),
			landed("/index"), // signed in
		)
	}
	logout := func() {
		run("logout", chromedp.Click(chromedp.CSS("form[action='/auth/logout'] button")), until(`location.pathname === "/auth/login" && document.readyState === "complete"`))
	}

	register("john", "john@example.com", "correct-cat-battery")
	register("susan", "susan@example.com", "dog-stapler-horse")
	login("susan", "dog-stapler-horse")
	run("post",
		chromedp.SendKeys(chromedp.CSS("#post"), "Hello from susan's browser"),
		chromedp.Click(chromedp.CSS("#post-form button[type=submit]")),
		flashed("Your post is now live!"),
	)
	// 29 more posts, written straight to the database, older than the first.
	sess := s.db.NewSession()
	var susan models.User
	if err := sess.NewSelect().Model(&susan).Where("username = 'susan'").Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i := range 29 {
		sess.Add(&models.Post{Body: fmt.Sprintf("older post %02d", i), UserID: susan.ID, Timestamp: time.Now().UTC().Add(-time.Duration(i+1) * time.Hour)})
	}
	if err := sess.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	logout()

	login("john", "correct-cat-battery")
	run("follow susan",
		chromedp.Navigate(base+"/user/susan"),
		chromedp.Click(chromedp.CSS("form[action='/follow/susan'] button")),
		flashed("You are following susan!"),
	)
	profile := screenshot()

	run("home", chromedp.Navigate(base+"/index"), landed("/index"))
	body := text("body")
	if !strings.Contains(body, "Hello from susan's browser") || !strings.Contains(body, "Hi, john!") {
		t.Fatalf("home page:\n%s", body)
	}
	// Dates become relative in the browser ("now", "1 hour ago", ...).
	if strings.Contains(text("time"), "UTC") {
		t.Errorf("dates were not made relative by the browser: %q", text("time"))
	}
	home := screenshot()
	run("older posts", chromedp.Click(chromedp.CSS("a.page-link[href='/index?page=2']")), landed("/index?page=2"))
	if body := text("body"); !strings.Contains(body, "older post 28") || strings.Contains(body, "Hello from susan's browser") {
		t.Fatalf("page 2:\n%s", body)
	}

	run("edit profile",
		chromedp.Navigate(base+"/edit_profile"),
		chromedp.SendKeys(chromedp.CSS("#about_me"), "I follow susan."),
		chromedp.Click(chromedp.CSS("#page-form button[type=submit]")),
		flashed("Your changes have been saved."),
		chromedp.Navigate(base+"/user/john"),
		landed("/user/john"),
	)
	if !strings.Contains(text("body"), "I follow susan.") {
		t.Fatal("about me not shown on the profile")
	}
	logout()

	dir := artifacts(t)
	for name, png := range map[string][]byte{"home.png": home, "profile.png": profile} {
		if len(png) < 1000 {
			t.Fatalf("screenshot %s is empty", name)
		}
		if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshots in %s", dir)
}
