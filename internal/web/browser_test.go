package web_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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

// TestBrowserWalkthrough drives headless Chromium through the app: two users register,
// one posts, the other follows and sees the post on the home page, pages past 25 posts,
// edits the profile and logs out.
func TestBrowserWalkthrough(t *testing.T) {
	exe := chromium(t)
	s := newSiteWithPageSize(t, 25) // the tutorial's page size
	// 30 posts by susan, made directly, so that the home feed has two pages at 25.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1200, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	defer cancelTimeout()

	base := s.srv.URL
	run := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		out, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return out
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
			chromedp.WaitVisible(chromedp.CSS(".alert")),
		)
	}
	login := func(user, pw string) {
		run("login "+user,
			chromedp.Navigate(base+"/auth/login"),
			chromedp.SendKeys(chromedp.CSS("#username"), user),
			chromedp.SendKeys(chromedp.CSS("#password"), pw),
			chromedp.Click(chromedp.CSS("#page-form button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS("form[action='/auth/logout']")), // signed in

		)
	}
	logout := func() {
		run("logout", chromedp.Click(chromedp.CSS("form[action='/auth/logout'] button")), chromedp.WaitVisible(chromedp.CSS("#username")))
	}

	register("john", "john@example.com", "correct-cat-battery")
	if !strings.Contains(text(".alert"), "Congratulations, you are now a registered user!") {
		t.Fatal("no registration flash")
	}
	register("susan", "susan@example.com", "dog-stapler-horse")
	login("susan", "dog-stapler-horse")
	run("post",
		chromedp.SendKeys(chromedp.CSS("#post"), "Hello from susan's browser"),
		chromedp.Click(chromedp.CSS("#post-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".alert")),
	)
	if !strings.Contains(text(".alert"), "Your post is now live!") {
		t.Fatal("no post flash")
	}
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
		chromedp.WaitVisible(chromedp.CSS(".alert")),
	)
	if got := text(".alert"); !strings.Contains(got, "You are following susan!") {
		t.Fatalf("follow flash: %q", got)
	}
	profile := screenshot()

	run("home", chromedp.Navigate(base+"/index"), chromedp.WaitVisible(chromedp.CSS("table")))
	body := text("body")
	if !strings.Contains(body, "Hello from susan's browser") || !strings.Contains(body, "Hi, john!") {
		t.Fatalf("home page:\n%s", body)
	}
	// Dates become relative in the browser ("now", "1 hour ago", ...).
	if strings.Contains(text("time"), "UTC") {
		t.Errorf("dates were not made relative by the browser: %q", text("time"))
	}
	home := screenshot()
	run("older posts", chromedp.Click(chromedp.CSS("a.page-link[href='/index?page=2']")), chromedp.WaitVisible(chromedp.CSS("table")))
	if body := text("body"); !strings.Contains(body, "older post 28") || strings.Contains(body, "Hello from susan's browser") {
		t.Fatalf("page 2:\n%s", body)
	}

	run("edit profile",
		chromedp.Navigate(base+"/edit_profile"),
		chromedp.SendKeys(chromedp.CSS("#about_me"), "I follow susan."),
		chromedp.Click(chromedp.CSS("#page-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".alert")),
		chromedp.Navigate(base+"/user/john"),
		chromedp.WaitVisible(chromedp.CSS("h1")),
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
