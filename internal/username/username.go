// Package username holds the one rule for usernames: which new names (and renames) are
// accepted, and when two names are the same account or look alike.
//
// A new name is enforced by the PRECIS UsernameCasePreserved profile of RFC 8265
// (golang.org/x/text/secure/precis: fullwidth and halfwidth forms become their ordinary
// forms, NFC, no spaces, controls, compatibility characters or unassigned code points, the
// bidi rule of RFC 5893) and must also fit an explicit set that keeps names safe in URLs
// and readable on a page: letters, digits, combining marks after a letter, '.', '-' and
// '_'; not starting or ending with '.'; at least one letter or digit; 1 to 64 characters.
//
// Names are compared by Key: the SHA-256 of the Unicode confusable skeleton (UTS #39) of
// the case-folded name. Two names with one key are the same account or look alike
// ("Susan", "ｓｕｓａｎ", Cyrillic "Ѕusan"), and only one of them may exist. The key is
// computed here, in Go, and stored as fixed-length ASCII hex, so that SQLite, PostgreSQL
// and MariaDB compare names identically whatever their collations.
package username

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mtibben/confusables"

	"github.com/microblog/microblog/internal/i18n"
	"golang.org/x/text/cases"
	"golang.org/x/text/secure/precis"
	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/unicode/runenames"
	"golang.org/x/text/width"
)

// MaxLength is the longest name in characters (the user.username column's size).
const MaxLength = 64

// Allowed says which characters a name may hold; it is the start of most errors.
const Allowed = "Usernames may contain letters, digits, '.', '-' and '_'"

// Error says what is wrong with a proposed name, in words fit for the form: Message in
// English, or Format (a message id of the catalogs) with Args in any language.
type Error struct {
	Message string
	Format  string
	Args    []any
}

func (e *Error) Error() string { return e.Message }

func invalid(format string, args ...any) error {
	return &Error{Message: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// invalidText is invalid for a message without arguments.
func invalidText(msg string) error { return &Error{Message: msg, Format: msg} }

// Check enforces the rule on a proposed new name and returns the name to store (its
// width-mapped NFC form: "ｓｕｓａｎ" becomes "susan"), or an *Error naming what is wrong.
func Check(name string) (string, error) {
	if !utf8.ValidString(name) {
		return "", invalidText(i18n.M("Usernames may contain letters, digits, '.', '-' and '_'; the name is not valid text."))
	}
	s := norm.NFC.String(width.Fold.String(name))
	if s == "" {
		return "", invalidText(i18n.M("This field is required."))
	}
	if n := utf8.RuneCountInString(s); n > MaxLength {
		return "", invalid(i18n.M("Usernames may be at most %d characters long (this one has %d)."), MaxLength, n)
	}
	alnum, prev := false, rune(0)
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.Is(unicode.Nd, r):
			alnum = true
		case r == '.' || r == '-' || r == '_':
		case unicode.Is(unicode.M, r) && (unicode.IsLetter(prev) || unicode.Is(unicode.M, prev)):
			// A mark only after a letter: a name of marks alone has nothing to show.
		default:
			return "", invalid(i18n.M("Usernames may contain letters, digits, '.', '-' and '_'; %s is not allowed."), describe(r))
		}
		prev = r
	}
	if strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") {
		return "", invalidText(i18n.M("Usernames may not start or end with '.'."))
	}
	if !alnum {
		return "", invalidText(i18n.M("Usernames need at least one letter or digit."))
	}
	out, err := precis.UsernameCasePreserved.String(s)
	if err != nil {
		for _, r := range s {
			if _, err := precis.UsernameCasePreserved.String(string(r)); err != nil {
				return "", invalid(i18n.M("Usernames may contain letters, digits, '.', '-' and '_'; %s is not allowed."), describe(r))
			}
		}
		// Every character is fine alone: the bidi rule refused the mixture.
		return "", invalidText(i18n.M("Usernames may not mix right-to-left and left-to-right letters this way."))
	}
	return out, nil
}

// describe names a character for an error message: 'x' when it is printable, else its
// code point and Unicode name (an invisible character shown as itself would say nothing).
func describe(r rune) string {
	if unicode.IsGraphic(r) && !unicode.Is(unicode.M, r) && !unicode.IsSpace(r) {
		return strconv.QuoteRune(r)
	}
	if name := runenames.Name(r); name != "" && !strings.HasPrefix(name, "<") {
		return fmt.Sprintf("U+%04X (%s)", r, strings.ToLower(name))
	}
	return fmt.Sprintf("U+%04X", r)
}

// IsInvalid reports whether err is a refusal of the rule (rather than a failure).
func IsInvalid(err error) bool {
	var e *Error
	return errors.As(err, &e)
}

// Fold is the form in which names that are one account are equal: width-mapped, NFC and
// case-folded ("Susan", "SUSAN" and "ｓｕｓａｎ" fold to "susan"; "ſusan" too). It
// accepts any string, including names stored before the rule.
func Fold(name string) string {
	return norm.NFC.String(cases.Fold().String(norm.NFC.String(width.Fold.String(name))))
}

// Skeleton is the UTS #39 confusable skeleton of the folded name, case-folded again and
// repeated until it no longer changes, because some prototypes are capitals ("ℂ" → "C").
func Skeleton(name string) string {
	s := Fold(name)
	for range 4 {
		next := cases.Fold().String(confusables.Skeleton(s))
		if next == s {
			break
		}
		s = next
	}
	return s
}

// Key is the value of user.username_key for name: 64 hex digits of the SHA-256 of its
// skeleton. Names with one key are the same account or look alike.
func Key(name string) string { return hexSum("skeleton", Skeleton(name)) }

// FoldKey is the key given to a name stored before the rule whose Key another user
// already holds (an adopted database may have "susan" and Cyrillic "Ѕusan"): unique
// unless another stored name folds the same, and found again from the name alone.
func FoldKey(name string) string { return hexSum("fold", Fold(name)) }

// IDKey is the key of last resort for a stored name whose Key and FoldKey are both taken:
// it is unique by the user's id. Such a user is still found by their exact name.
func IDKey(id int64) string { return hexSum("id", strconv.FormatInt(id, 10)) }

// hexSum hashes kind and s apart from every other kind, so no two kinds of key collide.
func hexSum(kind, s string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + s))
	return hex.EncodeToString(sum[:])
}
