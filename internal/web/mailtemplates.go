package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	texttemplate "text/template"

	"github.com/microblog/microblog/internal/i18n"
	"github.com/microblog/microblog/internal/mail"
)

//go:embed templates/email
var emailFS embed.FS

// mailTemplates are the bodies of the application's e-mails, one pair per e-mail under
// templates/email: NAME.txt (text/template) and NAME.html (html/template, so that what
// a user chose, such as a name, is escaped in the HTML part).
// Each language has its own pair of template sets, with T and N bound to it.
type mailTemplates struct {
	text map[string]*texttemplate.Template
	html map[string]*template.Template
}

func parseMailTemplates(c *i18n.Catalogs) (*mailTemplates, error) {
	m := &mailTemplates{text: map[string]*texttemplate.Template{}, html: map[string]*template.Template{}}
	for _, l := range i18n.Languages() {
		loc := c.Localizer(l)
		text, err := texttemplate.New("").Funcs(loc.Funcs()).ParseFS(emailFS, "templates/email/*.txt")
		if err != nil {
			return nil, fmt.Errorf("web: e-mail templates: %w", err)
		}
		html, err := template.New("").Funcs(loc.MailHTMLFuncs()).ParseFS(emailFS, "templates/email/*.html")
		if err != nil {
			return nil, fmt.Errorf("web: e-mail templates: %w", err)
		}
		m.text[l.Code], m.html[l.Code] = text, html
	}
	return m, nil
}

// message renders the e-mail name with data in the language lang, as a message to the
// addresses to; subject is already translated.
func (m *mailTemplates) message(lang i18n.Language, name, subject string, to []string, data any) (mail.Message, error) {
	var text, html bytes.Buffer
	if err := m.text[lang.Code].ExecuteTemplate(&text, name+".txt", data); err != nil {
		return mail.Message{}, fmt.Errorf("web: e-mail %s: %w", name, err)
	}
	if err := m.html[lang.Code].ExecuteTemplate(&html, name+".html", data); err != nil {
		return mail.Message{}, fmt.Errorf("web: e-mail %s: %w", name, err)
	}
	return mail.Message{To: to, Subject: subject, Text: text.String(), HTML: html.String()}, nil
}
