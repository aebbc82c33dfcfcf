package api

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The checks of the web forms (internal/web/forms.go), applied to JSON fields: the same
// rules, so an account or post the API accepts is one the forms accept, and the other
// way round. Messages name the field and are in English, as the tutorial's API's are.

// Column sizes of the values the API writes.
const (
	maxEmail   = 120
	maxAboutMe = 140
	maxPost    = 140
)

// trimmed is a value without the spaces, tabs and line breaks around it, as the forms
// read values.
func trimmed(s string) string { return strings.Trim(s, " \t\r\n") }

// plainText refuses text no person typed: invalid UTF-8 (already refused for the whole
// body) or a control character (NUL, escape, C1 controls; tab, CR and LF are text in
// multi-line fields).
func plainText(field, v string, multiline bool) error {
	if !utf8.ValidString(v) {
		return fmt.Errorf("%s must be valid UTF-8 text", field)
	}
	for _, r := range v {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\r' || r == '\t')) {
			return fmt.Errorf("%s contains a character that is not allowed (U+%04X)", field, r)
		}
	}
	return nil
}

// maxLen refuses a value longer than n characters.
func maxLen(field, v string, n int) error {
	if c := utf8.RuneCountInString(v); c > n {
		return fmt.Errorf("%s must be at most %d characters long (it has %d)", field, n, c)
	}
	return nil
}

// checkEmail applies the registration form's rule to an e-mail address.
func checkEmail(v string) error {
	if v == "" {
		return fmt.Errorf("email is required")
	}
	if err := maxLen("email", v, maxEmail); err != nil {
		return err
	}
	if err := plainText("email", v, false); err != nil {
		return err
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || !strings.Contains(v[strings.LastIndex(v, "@")+1:], ".") {
		return fmt.Errorf("email: invalid email address %q", v)
	}
	return nil
}

// checkAboutMe applies the profile form's rule to about_me.
func checkAboutMe(v string) error {
	if err := plainText("about_me", v, true); err != nil {
		return err
	}
	return maxLen("about_me", v, maxAboutMe)
}
