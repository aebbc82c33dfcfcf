package web_test

import (
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/database"
)

// inbox is a real SMTP server, in-process, that keeps what it receives.
type inbox struct {
	mu   sync.Mutex
	msgs []received
}

type received struct {
	from string
	to   []string
	data string
}

func (b *inbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &smtpSession{box: b}, nil }

type smtpSession struct {
	box *inbox
	msg received
}

func (s *smtpSession) Reset()        { s.msg = received{} }
func (s *smtpSession) Logout() error { return nil }
func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	s.msg.from = from
	return nil
}
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.msg.to = append(s.msg.to, to)
	return nil
}
func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.msg.data = string(b)
	s.box.mu.Lock()
	s.box.msgs = append(s.box.msgs, s.msg)
	s.box.mu.Unlock()
	return nil
}

func startSMTP(t *testing.T) (*inbox, int) {
	t.Helper()
	box := &inbox{}
	srv := smtp.NewServer(box)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return box, ln.Addr().(*net.TCPAddr).Port
}

// An internal error is e-mailed to ADMINS, from ADMINS[0], as the tutorial's app does;
// with the database gone the job queue cannot take it, so it is sent directly.
func TestInternalErrorsAreMailedToAdmins(t *testing.T) {
	box, port := startSMTP(t)
	s, _, logs := newDialectSite(t, database.SQLite, mailTo(port, "admin@example.com", "ops@example.com"))
	db := s.db
	b := s.browser()
	b.register("john", "john@example.com", "correct-cat-battery")
	b.login("john", "correct-cat-battery")
	db.SQL.Close()
	expect(t, "database gone", b.get("/explore"), 500, "", "An unexpected error has occurred")
	deadline := time.Now().Add(10 * time.Second)
	for {
		box.mu.Lock()
		n := len(box.msgs)
		box.mu.Unlock()
		if n > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	box.mu.Lock()
	defer box.mu.Unlock()
	if len(box.msgs) == 0 {
		t.Fatal("no error e-mail arrived")
	}
	m := box.msgs[0]
	if m.from != "admin@example.com" || strings.Join(m.to, ",") != "admin@example.com,ops@example.com" ||
		!strings.Contains(m.data, "Subject: Microblog Failure") || !strings.Contains(m.data, "GET /explore") {
		t.Fatalf("e-mail from %s to %v:\n%s", m.from, m.to, m.data)
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
