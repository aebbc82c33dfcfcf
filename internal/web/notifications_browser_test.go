package web_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/microblog/microblog/internal/testdb"
)

// In Chromium, notifications.js keeps the badge and a task's progress current from the
// stream — for a message sent through the app and for a notification written straight
// into the database — and when the stream is refused (the server is shutting its streams
// down), it falls back to polling /notifications.
func TestNotificationsInBrowser(t *testing.T) {
	ctx := newChrome(t, 1200, 900)
	s, app, logs := newDialectSite(t, testdb.Dialects[0], nil)
	addUser(t, s.db, "susan")
	john := signedIn(t, s, "john", false)
	base := s.srv.URL
	run := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v\n%s", what, err, logs.String())
		}
	}
	badge := func(text string, visible bool) chromedp.Action[chromedp.Void] {
		v := "!"
		if !visible {
			v = ""
		}
		return until(`(b => b && b.textContent === "` + text + `" && ` + v + `b.classList.contains("invisible"))(document.getElementById("message_count"))`)
	}
	run("sign in",
		chromedp.Navigate(base+"/auth/login"),
		chromedp.SendKeys(chromedp.CSS("#username"), "susan"),
		chromedp.SendKeys(chromedp.CSS("#password"), sessionTestPassword),
		chromedp.Click(chromedp.CSS("#page-form button[type=submit]")),
		until(`location.pathname === "/index" && document.readyState === "complete"`),
		badge("0", false),
	)
	// The progress alert of a task, as the export feature renders it.
	evalJS[bool](ctx, t, "add a progress element", `document.querySelector("main").insertAdjacentHTML("beforeend", '<span id="t-9-progress">0</span>'); true`)
	logs.waitLines("notification stream opened", 1, 10*time.Second)

	expect(t, "send", john.post("/send_message/susan", url.Values{"message": {"hi"}}), 302, "/user/susan")
	run("badge from the stream", badge("1", true))
	addNotification(t, s.db, "susan", "task_progress", map[string]any{"task_id": "t-9", "progress": 42})
	run("progress from another process", until(`document.getElementById("t-9-progress").innerText === "42"`))

	app.CloseStreams() // the stream ends and reconnecting is refused: the page polls
	addNotification(t, s.db, "susan", "task_progress", map[string]any{"task_id": "t-9", "progress": 77})
	run("progress from polling", until(`document.getElementById("t-9-progress").innerText === "77"`))
	if len(logs.lines("path=/notifications ")) == 0 {
		t.Error("the page did not poll /notifications")
	}
}
