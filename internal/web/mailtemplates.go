package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	texttemplate "text/template"

	"github.com/microblog/microblog/internal/mail"
)

//go:embed templates/email
var emailFS embed.FS

// mailTemplates are the bodies of the application's e-mails, one pair per e-mail under
// templates/email: NAME.txt (text/template) and NAME.html (html/template, so that what
// a user chose, such as a name, is escaped in the HTML part).
type mailTemplates struct {
	text *texttemplate.Template
	html *template.Template
}

func parseMailTemplates() (*mailTemplates, error) {
	text, err := texttemplate.ParseFS(emailFS, "templates/email/*.txt")
	if err != nil {
		return nil, fmt.Errorf("web: e-mail templates: %w", err)
	}
	html, err := template.ParseFS(emailFS, "templates/email/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: e-mail templates: %w", err)
	}
	return &mailTemplates{text: text, html: html}, nil
}

// message renders the e-mail name with data, as a message to the addresses to.
func (m *mailTemplates) message(name, subject string, to []string, data any) (mail.Message, error) {
	var text, html bytes.Buffer
	if err := m.text.ExecuteTemplate(&text, name+".txt", data); err != nil {
		return mail.Message{}, fmt.Errorf("web: e-mail %s: %w", name, err)
	}
	if err := m.html.ExecuteTemplate(&html, name+".html", data); err != nil {
		return mail.Message{}, fmt.Errorf("web: e-mail %s: %w", name, err)
	}
	return mail.Message{To: to, Subject: subject, Text: text.String(), HTML: html.String()}, nil
}
