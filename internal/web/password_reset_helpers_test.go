package web_test

import (
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/testsmtp"
	"github.com/microblog/microblog/internal/web"
)

// resetBaseURL is the BASE_URL of the reset tests' sites: links in e-mails start with it.
const resetBaseURL = "https://microblog.example"

// mailSite is a site whose e-mails go through its running workers to a real SMTP server.
type mailSite struct {
	*site
	app  *web.App
	smtp *testsmtp.Server
	logs *syncBuffer
}

func newMailSite(t *testing.T, dialect string, tune func(*config.Config)) *mailSite {
	t.Helper()
	smtp := testsmtp.Start(t)
	s, app, logs := newWorkingSite(t, dialect, func(c *config.Config) {
		c.MailServer, c.MailPort, c.Admins = "127.0.0.1", smtp.Port, []string{"admin@example.com"}
		c.BaseURL = resetBaseURL
		if tune != nil {
			tune(c)
		}
	}, 2)
	return &mailSite{site: s, app: app, smtp: smtp, logs: logs}
}

// requestReset posts the reset-request form.
func (b *browser) requestReset(email string) page {
	return b.post("/auth/reset_password_request", url.Values{"email": {email}})
}

// resetTo posts the reset form of path with password in both fields.
func (b *browser) resetTo(path, password string) page {
	return b.post(path, url.Values{"password": {password}, "password2": {password}})
}

// email is a received e-mail, its text and HTML parts decoded.
type email struct {
	from, subject string
	to            []string
	text, html    string
	raw           string
}

// readEmail parses a received message: headers, and the leaves of its MIME tree.
func readEmail(t *testing.T, m testsmtp.Message) email {
	t.Helper()
	msg, err := m.Parse()
	if err != nil {
		t.Fatalf("parse e-mail: %v\n%s", err, m.Data)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	e := email{from: m.From, to: m.To, subject: subject, raw: string(m.Data)}
	var walk func(contentType, encoding string, body io.Reader)
	walk = func(contentType, encoding string, body io.Reader) {
		mt, params, err := mime.ParseMediaType(contentType)
		if err != nil {
			t.Fatalf("content type %q: %v", contentType, err)
		}
		if strings.HasPrefix(mt, "multipart/") {
			r := multipart.NewReader(body, params["boundary"])
			for {
				p, err := r.NextPart() // undoes quoted-printable itself
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p)
			}
		}
		if strings.EqualFold(encoding, "base64") {
			body = base64.NewDecoder(base64.StdEncoding, body)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ReplaceAll(string(b), "\r\n", "\n")
		switch mt {
		case "text/plain":
			e.text = text
		case "text/html":
			e.html = text
		}
	}
	walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	return e
}

var hrefPattern = regexp.MustCompile(`<a href="([^"]*)">click here</a>`)

// resetLink checks that e is the reset e-mail for username, text and HTML parts as the
// tutorial words them, and returns the link's path on the site.
func resetLink(t *testing.T, e email, username, address string) string {
	t.Helper()
	if e.from != "admin@example.com" || strings.Join(e.to, ",") != address || e.subject != "[Microblog] Reset Your Password" {
		t.Fatalf("reset e-mail from %q to %v, subject %q", e.from, e.to, e.subject)
	}
	m := hrefPattern.FindStringSubmatch(e.html)
	if m == nil {
		t.Fatalf("no \"click here\" link in the HTML part:\n%s", e.html)
	}
	link := m[1]
	if !strings.HasPrefix(link, resetBaseURL+"/auth/reset_password/") {
		t.Fatalf("link %q is not on BASE_URL %s", link, resetBaseURL)
	}
	wantText := "Dear " + username + ",\n\nTo reset your password click on the following link:\n\n" + link +
		"\n\nIf you have not requested a password reset simply ignore this message.\n\nSincerely,\n\nThe Microblog Team\n"
	if e.text != wantText {
		t.Fatalf("text part:\n%q\nwant\n%q", e.text, wantText)
	}
	for _, want := range []string{
		"<p>Dear " + username + ",</p>",
		"Alternatively, you can paste the following link in your browser's address bar:",
		"<p>" + link + "</p>",
		"If you have not requested a password reset simply ignore this message.",
		"The Microblog Team",
	} {
		if !strings.Contains(e.html, want) {
			t.Fatalf("HTML part lacks %q:\n%s", want, e.html)
		}
	}
	return strings.TrimPrefix(link, resetBaseURL)
}

// resetMails waits for n e-mails and returns them parsed.
func (s *mailSite) resetMails(t *testing.T, n int) []email {
	t.Helper()
	msgs := s.smtp.Wait(n, 30*time.Second)
	if len(msgs) < n {
		t.Fatalf("%d e-mail(s) arrived, want %d; log:\n%s", len(msgs), n, s.logs)
	}
	out := make([]email, len(msgs))
	for i, m := range msgs {
		out[i] = readEmail(t, m)
	}
	return out
}
