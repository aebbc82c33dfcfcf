package web

import (
	"errors"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/microblog/microblog/internal/mail"
	"github.com/microblog/microblog/internal/password/strength"
	"github.com/microblog/microblog/internal/username"

	"github.com/microblog/microblog/internal/i18n"
)

// field is one form field as the templates draw it. Label and Error are message ids,
// translated when shown; Error is formatted with ErrorArgs.
type field struct {
	Name, Label, Type, Value, Error string
	ErrorArgs                       []any
	Max                             int
	Required, Autofocus             bool
	// Autocomplete, when set, is the input's autocomplete token ("current-password",
	// "new-password"), which tells password managers and assistive tools what it holds.
	Autocomplete string
}

// fail sets the field's error: a message id and its arguments.
func (f *field) fail(msgid string, args ...any) {
	f.Error, f.ErrorArgs = msgid, args
}

// failWith sets the field's error from a refusal of the username or password rule.
func (f *field) failWith(err error) {
	var u *username.Error
	var p *strength.Error
	switch {
	case errors.As(err, &u):
		f.fail(u.Format, u.Args...)
	case errors.As(err, &p):
		f.fail(p.Format, p.Args...)
	default:
		f.fail(err.Error())
	}
}

// formPage is the data of the generic form template. Heading, Submit and the links'
// texts are message ids.
type formPage struct {
	Heading string
	// Intro are paragraphs (message ids) above the fields.
	Intro  []string
	Fields []*field
	Submit string
	// Danger marks a submit button that destroys something (red).
	Danger bool
	Links  []link
}

type link struct{ Before, URL, Text string }

// value returns the form value without the spaces, tabs and line breaks around it. Only
// those: other characters Unicode counts as space (NEL, no-break space, …) are left for
// the field's check to refuse or keep, never silently dropped.
func value(r *http.Request, name string) string {
	return strings.Trim(r.PostFormValue(name), " \t\r\n")
}

// required sets the field's error when empty; reports whether it is fine.
func required(f *field) bool {
	if strings.TrimSpace(f.Value) == "" {
		f.Error = i18n.M("This field is required.")
		return false
	}
	return true
}

// plainText sets the field's error when its value is not text a person typed: invalid
// UTF-8, or a control character (NUL, escape, C1 controls …; tab, carriage return and
// line feed are text in multi-line fields). The value is never changed, only refused,
// so what is stored is exactly what was sent.
func plainText(f *field, multiline bool) bool {
	if !utf8.ValidString(f.Value) {
		f.Error = i18n.M("This field must be valid UTF-8 text.")
		return false
	}
	for _, r := range f.Value {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\r' || r == '\t')) {
			f.fail(i18n.M("This field contains a character that is not allowed (U+%04X)."), r)
			return false
		}
	}
	return true
}

func maxLen(f *field, n int) bool {
	if utf8.RuneCountInString(f.Value) > n {
		f.fail(i18n.M("Field must be at most %d characters long."), n)
		return false
	}
	return true
}

func validEmail(f *field) bool {
	if !plainText(f, false) {
		return false
	}
	// The rule itself is mail.CheckAddress, shared with `microblog users create`.
	if mail.CheckAddress(f.Value) != nil {
		f.Error = i18n.M("Invalid email address.")
		return false
	}
	return true
}
