package web

import (
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"unicode/utf8"
)

// field is one form field as the templates draw it.
type field struct {
	Name, Label, Type, Value, Error string
	Max                             int
	Required, Autofocus             bool
}

// formPage is the data of the generic form template.
type formPage struct {
	Heading string
	Fields  []*field
	Submit  string
	Links   []link
}

type link struct{ Before, URL, Text string }

// value returns the trimmed form value.
func value(r *http.Request, name string) string { return strings.TrimSpace(r.PostFormValue(name)) }

// required sets the field's error when empty; reports whether it is fine.
func required(f *field) bool {
	if strings.TrimSpace(f.Value) == "" {
		f.Error = "This field is required."
		return false
	}
	return true
}

func maxLen(f *field, n int) bool {
	if utf8.RuneCountInString(f.Value) > n {
		f.Error = "Field must be at most " + strconv.Itoa(n) + " characters long."
		return false
	}
	return true
}

func validEmail(f *field) bool {
	a, err := mail.ParseAddress(f.Value)
	if err != nil || a.Address != f.Value || !strings.Contains(f.Value[strings.LastIndex(f.Value, "@")+1:], ".") {
		f.Error = "Invalid email address."
		return false
	}
	return true
}
