package search

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on what a query may hold: the first MaxWords distinct words count, each cut to
// MaxWordBytes. A post holds at most 140 characters, so longer queries cannot match
// more; the limits keep a 10 KB query as cheap as a short one.
const (
	MaxWords     = 32
	MaxWordBytes = 64
)

// Words splits a query typed by a user into the words to look for: runs of letters,
// digits and combining marks, lower-cased, without repeats. Everything else — quotes,
// the operators of the databases' query languages (" * - + : ^ ( ) NEAR AND OR as
// words are plain words), NUL, bytes that are not UTF-8 — separates words, so that any
// input is searched as words and never parsed as query syntax.
func Words(query string) []string {
	query = strings.ToValidUTF8(query, " ")
	var out []string
	for _, w := range strings.FieldsFunc(query, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
	}) {
		w = strings.ToLower(w)
		for len(w) > MaxWordBytes {
			_, size := utf8.DecodeLastRuneInString(w)
			w = w[:len(w)-size]
		}
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
		if len(out) == MaxWords {
			break
		}
	}
	return out
}
