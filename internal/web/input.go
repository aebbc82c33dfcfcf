package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/microblog/microblog/internal/i18n"
)

// maxFormBytes bounds a form's body: the largest form (registration) is well under 2 KB.
const maxFormBytes = 64 << 10

// checkInput refuses requests no page can mean before any handler or query sees them:
// a path with NUL, invalid UTF-8 or control characters is a 404 (no name or page holds
// them); such a query string is a 400; a form body over maxFormBytes is a 413, one that
// cannot be parsed a 400. Form values themselves are judged by each form's fields, which
// show the form's own error.
func (a *App) checkInput(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !cleanURLText(r.URL.Path) {
			a.notFound(w, r)
			return
		}
		if q, err := url.ParseQuery(r.URL.RawQuery); err != nil || !cleanValues(q) {
			a.badRequest(w, r, i18n.M("The address holds characters that are not allowed."))
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			if err := r.ParseForm(); err != nil {
				var tooBig *http.MaxBytesError
				if errors.As(err, &tooBig) {
					a.render(w, r, http.StatusRequestEntityTooLarge, "error", i18n.M("Too Large"), errorPage{
						Heading: i18n.M("Too Large"), Lines: []string{i18n.M("The form sent more than any page here accepts.")}})
					return
				}
				a.badRequest(w, r, i18n.M("The form could not be read."))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (a *App) badRequest(w http.ResponseWriter, r *http.Request, why string) {
	a.render(w, r, http.StatusBadRequest, "error", i18n.M("Bad Request"), errorPage{Heading: i18n.M("Bad Request"), Lines: []string{why}})
}

// cleanURLText reports whether s is valid UTF-8 without control characters.
func cleanURLText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	return strings.IndexFunc(s, unicode.IsControl) < 0
}

func cleanValues(v url.Values) bool {
	for k, vs := range v {
		if !cleanURLText(k) {
			return false
		}
		for _, s := range vs {
			if !cleanURLText(s) {
				return false
			}
		}
	}
	return true
}
