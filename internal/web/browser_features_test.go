package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/tasks"
	"github.com/microblog/microblog/internal/testsmtp"
)

// TestBrowserResetMessagesExport drives two headless Chromium browsers through chapters
// 10, 21 and 22 with real workers and a real SMTP server: susan resets her forgotten
// password from the e-mailed link and signs in with the new one; john sends her a
// private message and her open page's badge changes without a reload; she reads it; she
// exports her posts and watches the progress alert reach 100%, and the e-mail brings
// posts.json with every post. Screenshots: artifacts/message-badge.png,
// artifacts/export-progress.png, artifacts/messages.png.
func TestBrowserResetMessagesExport(t *testing.T) {
	const exportPosts = 1200
	smtp := testsmtp.Start(t)
	s, _, logs := newTunedSite(t, database.SQLite, func(c *config.Config) {
		c.MailServer, c.MailPort, c.Admins = "127.0.0.1", smtp.Port, []string{"admin@example.com"}
		c.BaseURL = resetBaseURL
	}, 2, func(d *tasks.Deps) {
		// Twelve batches with a pause after each: the alert has time to move.
		d.ExportBatchSize, d.ExportPause = 100, 150*time.Millisecond
	})
	addUser(t, s.db, "susan")
	addUser(t, s.db, "john")
	base := s.srv.URL
	susanCtx, johnCtx := newChrome(t, 1200, 900), newChrome(t, 1200, 900)
	run := func(ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v\nlog:\n%s", what, err, logs.String())
		}
	}
	loaded := func(path string) chromedp.Action[chromedp.Void] {
		return until(`location.pathname + location.search === ` + strconv.Quote(path) + ` && document.readyState === "complete"`)
	}
	flashed := func(want string) chromedp.Action[chromedp.Void] {
		return until(`document.readyState === "complete" && [...document.querySelectorAll(".alert")].some(a => a.innerText.includes(` + strconv.Quote(want) + `))`)
	}
	signIn := func(ctx context.Context, user, pw string) {
		t.Helper()
		run(ctx, "sign in as "+user,
			chromedp.Navigate(base+"/auth/login"),
			chromedp.SendKeys(chromedp.CSS("#username"), user),
			chromedp.SendKeys(chromedp.CSS("#password"), pw),
			chromedp.Click(chromedp.CSS("#page-form button[type=submit]")),
			loaded("/index"))
	}
	shots := map[string][]byte{}
	screenshot := func(ctx context.Context, name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil || len(png) < 1000 {
			t.Fatalf("screenshot %s: %d bytes, %v", name, len(png), err)
		}
		shots[name] = png
	}

	// Chapter 10: the forgotten password.
	const newPassword = "saffron kettle orbit 42"
	run(susanCtx, "ask for a reset",
		chromedp.Navigate(base+"/auth/login"),
		chromedp.Click(chromedp.CSS(`a[href="/auth/reset_password_request"]`)),
		loaded("/auth/reset_password_request"),
		chromedp.SendKeys(chromedp.CSS("#email"), "susan@example.com"),
		chromedp.Click(chromedp.CSS("#page-form button[type=submit]")),
		flashed("Check your email for the instructions to reset your password"))
	msgs := smtp.Wait(1, 30*time.Second)
	if len(msgs) != 1 {
		t.Fatalf("%d reset e-mails arrived, want 1", len(msgs))
	}
	link := resetLink(t, readEmail(t, msgs[0]), "susan", "susan@example.com")
	// The e-mail's link is on BASE_URL; the browser follows it to this test's server.
	path := strings.TrimPrefix(link, resetBaseURL)
	run(susanCtx, "follow the e-mailed link and choose a new password",
		chromedp.Navigate(base+path),
		until(`document.readyState === "complete" && document.querySelector("h1").innerText === "Reset Your Password"`),
		chromedp.SendKeys(chromedp.CSS("#password"), newPassword),
		chromedp.SendKeys(chromedp.CSS("#password2"), newPassword),
		chromedp.Click(chromedp.CSS("#page-form button[type=submit]")),
		flashed("Your password has been reset."))
	signIn(susanCtx, "susan", newPassword)

	// Chapter 21: a message, and the badge on susan's open page.
	run(susanCtx, "no unread messages", until(`(b => b && b.classList.contains("invisible"))(document.getElementById("message_count"))`))
	// A mark on this document: a reload would lose it.
	mark := func(ctx context.Context) { evalJS[bool](ctx, t, "mark the page", `window.notReloaded = true`) }
	unreloaded := func(ctx context.Context, what string) {
		t.Helper()
		if !evalJS[bool](ctx, t, "check the mark", `window.notReloaded === true`) {
			t.Errorf("%s: the page was reloaded", what)
		}
	}
	mark(susanCtx)
	logs.waitLines("notification stream opened", 1, 15*time.Second)
	signIn(johnCtx, "john", sessionTestPassword)
	run(johnCtx, "send susan a message",
		chromedp.Navigate(base+"/user/susan"),
		loaded("/user/susan"),
		chromedp.Click(chromedp.CSS(`a[href="/send_message/susan"]`)),
		loaded("/send_message/susan"),
		chromedp.SendKeys(chromedp.CSS("#message"), "Hi susan, lunch on Friday?"),
		chromedp.Click(chromedp.CSS("#page-form button[type=submit]")),
		flashed("Your message has been sent."))
	run(susanCtx, "the badge shows 1 without a reload",
		until(`(b => b && b.innerText === "1" && !b.classList.contains("invisible"))(document.getElementById("message_count")) && location.pathname === "/index"`))
	unreloaded(susanCtx, "the message badge")
	screenshot(susanCtx, "message-badge.png")
	run(susanCtx, "read the message",
		chromedp.Click(chromedp.CSS(`a[href="/messages"]`)),
		loaded("/messages"),
		until(`document.body.innerText.includes("Hi susan, lunch on Friday?") && document.getElementById("message_count").classList.contains("invisible")`),
		until(`!!document.querySelector('a[href="/send_message/john"]')`)) // the reply link
	screenshot(susanCtx, "messages.png")

	// Chapter 22: the export and its progress alert.
	var susan models.User
	if err := s.db.Bun.NewSelect().Model(&susan).Where("username = ?", "susan").Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	posts := make([]*models.Post, exportPosts)
	start := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for i := range posts {
		posts[i] = &models.Post{Body: fmt.Sprintf("post number %d", i), UserID: susan.ID, Timestamp: start.Add(time.Duration(i) * time.Minute)}
	}
	if _, err := s.db.Bun.NewInsert().Model(&posts).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	run(susanCtx, "start the export",
		chromedp.Navigate(base+"/user/susan"),
		loaded("/user/susan"),
		chromedp.Click(chromedp.CSS(`form[action="/export_posts"] button`)),
		loaded("/user/susan"),
		until(`!!document.querySelector('[id$="-progress"]')`))
	first := evalJS[string](susanCtx, t, "progress at first", `document.querySelector('[id$="-progress"]').innerText`)
	mark(susanCtx)
	run(susanCtx, "the alert moves to 100% without a reload",
		until(`document.querySelector('[id$="-progress"]').innerText === "100"`))
	if first == "100" {
		t.Errorf("the alert was already at 100%% when the page loaded: it never moved")
	}
	unreloaded(susanCtx, "the export alert")
	screenshot(susanCtx, "export-progress.png")
	msgs = smtp.Wait(2, 30*time.Second)
	if len(msgs) != 2 {
		t.Fatalf("%d e-mails, want the reset and the export", len(msgs))
	}
	att, err := msgs[1].Attachment("posts.json")
	if err != nil {
		t.Fatal(err)
	}
	var export struct{ Posts []struct{ Body string } }
	if err := json.Unmarshal(att.Data, &export); err != nil || len(export.Posts) != exportPosts || export.Posts[0].Body != "post number 0" {
		t.Fatalf("posts.json: %d posts, err %v", len(export.Posts), err)
	}

	dir := artifacts(t)
	for name, png := range shots {
		if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshots in %s", dir)
}
