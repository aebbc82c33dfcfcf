package database

import (
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/uptrace/bun/schema"
)

// ErrInvalidText is returned, before anything reaches the database, for a statement whose
// text or arguments hold a NUL byte or invalid UTF-8. Such a value cannot be stored the
// same way on every dialect — PostgreSQL refuses NUL in text, SQLite's tokenizer stops at
// it inside a literal, and bun's MySQL dialect silently drops it — so it is refused
// everywhere, and no statement ever runs with a value that differs from the one given.
var ErrInvalidText = errors.New("database: text holds a NUL byte or invalid UTF-8")

// ValidText reports whether s can be stored unchanged on every dialect: valid UTF-8
// without NUL bytes.
func ValidText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// invalidTextMarker takes the place of a string literal that is not ValidText. Its NUL
// byte cannot appear in a statement any other way (valid strings never produce one),
// and the guarded driver refuses every statement that holds one.
const invalidTextMarker = "'\x00'"

// textDialect is a bun dialect whose string literals are exact: bun formats query
// arguments into the statement's text, and its dialects would drop NUL bytes (MySQL) or
// replace invalid UTF-8 with U+FFFD (all three) while quoting; this one writes
// invalidTextMarker instead, so the statement is refused rather than run with another
// value. Every other method is the wrapped dialect's.
type textDialect struct{ schema.Dialect }

func (d textDialect) AppendString(b []byte, s string) []byte {
	if !ValidText(s) {
		return append(b, invalidTextMarker...)
	}
	return d.Dialect.AppendString(b, s)
}
