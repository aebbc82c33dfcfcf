package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/testsmtp"
	"github.com/microblog/microblog/internal/web"
)

// The same error repeated by every request is mailed once, then summed up in one more
// e-mail with the number of repeats when the window ends — not one e-mail per request.
// The e-mails go through the job queue (the database is up; one table is gone).
func TestErrorMailsAreThrottled(t *testing.T) {
	box := testsmtp.Start(t)
	s, app, logs := newWorkingSite(t, database.SQLite, mailTo(box.Port, "admin@example.com"), 1)
	db := s.db
	const window = 2 * time.Second
	web.SetErrorMailWindow(app, window)
	b := s.browser()
	b.register("john", "john@example.com", "correct-cat-battery")
	b.login("john", "correct-cat-battery")
	// A real failure every request hits: the posts table is gone.
	if _, err := db.SQL.Exec(`DROP TABLE post`); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		expect(t, "explore without a post table", b.get("/explore"), 500, "", "An unexpected error has occurred")
	}
	waitFor := func(n int, within time.Duration) []string {
		var data []string
		for _, m := range box.Wait(n, within) {
			data = append(data, string(m.Data))
		}
		return data
	}
	if got := waitFor(1, 5*time.Second); len(got) != 1 || !strings.Contains(got[0], "GET /explore") {
		t.Fatalf("after 20 identical errors: %d e-mails, want 1 at once", len(got))
	}
	got := waitFor(2, window+5*time.Second)
	if len(got) != 2 {
		t.Fatalf("after the window: %d e-mails, want the first and one summary", len(got))
	}
	if !strings.Contains(got[1], "Microblog Failure (repeated 19 times)") || !strings.Contains(got[1], "happened 19 more time(s)") {
		t.Errorf("summary e-mail:\n%s", got[1])
	}
	// Quiet for a whole window: the next occurrence is mailed at once again.
	time.Sleep(window + 500*time.Millisecond)
	expect(t, "explore again", b.get("/explore"), 500, "")
	if got := waitFor(3, 5*time.Second); len(got) != 3 {
		t.Fatalf("after a quiet window: %d e-mails, want a third at once", len(got))
	}
	// That one did not repeat: after another quiet window it is forgotten too, and mailed
	// as new (not as "repeated 1 times" a window later).
	time.Sleep(window + 500*time.Millisecond)
	expect(t, "explore once more", b.get("/explore"), 500, "")
	if got := waitFor(4, 5*time.Second); len(got) != 4 || strings.Contains(got[3], "repeated") {
		t.Errorf("a one-off error after a quiet window: %d e-mails, last:\n%s", len(got), got[len(got)-1])
	}
	// With the database up, they went through the job queue, not directly.
	// (A worker logs its line just after the SMTP server has the message.)
	logs.waitLines("e-mail sent", 4, 5*time.Second)
	if sent := logs.lines("e-mail sent"); len(sent) != 4 || len(logs.lines("sending it directly")) != 0 {
		t.Errorf("error e-mails sent by the workers: %d, want 4; log:\n%s", len(sent), logs)
	}
}
