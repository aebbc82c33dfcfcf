package mail

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	texttemplate "text/template"

	"github.com/microblog/microblog/internal/i18n"
)

// Templates are the bodies of a set of e-mails, one pair per e-mail: NAME.txt
// (text/template) and NAME.html (html/template, so that what a user chose, such as a
// name, is escaped in the HTML part). Each language has its own pair of template sets,
// with T and N bound to it.
type Templates struct {
	text map[string]*texttemplate.Template
	html map[string]*htmltemplate.Template
}

// ParseTemplates parses the e-mail templates matching pattern (without its extension,
// e.g. "templates/email/*") in fsys once for every language of c.
func ParseTemplates(fsys fs.FS, pattern string, c *i18n.Catalogs) (*Templates, error) {
	m := &Templates{text: map[string]*texttemplate.Template{}, html: map[string]*htmltemplate.Template{}}
	for _, l := range i18n.Languages() {
		loc := c.Localizer(l)
		text, err := texttemplate.New("").Funcs(loc.Funcs()).ParseFS(fsys, pattern+".txt")
		if err != nil {
			return nil, fmt.Errorf("mail: templates: %w", err)
		}
		html, err := htmltemplate.New("").Funcs(loc.MailHTMLFuncs()).ParseFS(fsys, pattern+".html")
		if err != nil {
			return nil, fmt.Errorf("mail: templates: %w", err)
		}
		m.text[l.Code], m.html[l.Code] = text, html
	}
	return m, nil
}

// Message renders the e-mail name with data in the language lang, as a message to the
// addresses to; subject is already translated.
func (m *Templates) Message(lang i18n.Language, name, subject string, to []string, data any) (Message, error) {
	var text, html bytes.Buffer
	if err := m.text[lang.Code].ExecuteTemplate(&text, name+".txt", data); err != nil {
		return Message{}, fmt.Errorf("mail: e-mail %s: %w", name, err)
	}
	if err := m.html[lang.Code].ExecuteTemplate(&html, name+".html", data); err != nil {
		return Message{}, fmt.Errorf("mail: e-mail %s: %w", name, err)
	}
	return Message{To: to, Subject: subject, Text: text.String(), HTML: html.String()}, nil
}
