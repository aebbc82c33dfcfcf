package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/testsmtp"
)

// An internal error is e-mailed to ADMINS, from ADMINS[0], as the tutorial's app does;
// with the database gone the job queue cannot take it, so it is sent directly.
func TestInternalErrorsAreMailedToAdmins(t *testing.T) {
	box := testsmtp.Start(t)
	s, _, logs := newDialectSite(t, database.SQLite, mailTo(box.Port, "admin@example.com", "ops@example.com"))
	db := s.db
	b := s.browser()
	b.register("john", "john@example.com", "correct-cat-battery")
	b.login("john", "correct-cat-battery")
	db.SQL.Close()
	expect(t, "database gone", b.get("/explore"), 500, "", "An unexpected error has occurred")
	msgs := box.Wait(1, 10*time.Second)
	if len(msgs) == 0 {
		t.Fatal("no error e-mail arrived")
	}
	m := msgs[0]
	if data := string(m.Data); m.From != "admin@example.com" || strings.Join(m.To, ",") != "admin@example.com,ops@example.com" ||
		!strings.Contains(data, "Subject: Microblog Failure") || !strings.Contains(data, "GET /explore") {
		t.Fatalf("e-mail from %s to %v:\n%s", m.From, m.To, data)
	}
	if len(logs.lines("error e-mail not queued; sending it directly")) == 0 {
		t.Errorf("no log line for the fallback to direct sending:\n%s", logs)
	}
}

// mailTo sets the configuration of a site that mails errors to admins through the SMTP
// server on port.
func mailTo(port int, admins ...string) func(*config.Config) {
	return func(c *config.Config) {
		c.MailServer, c.MailPort, c.Admins = "127.0.0.1", port, admins
	}
}
