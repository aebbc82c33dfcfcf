// Package strength is the rule for new passwords (Policy): length bounds, no control
// characters, and refusal of guessable ones, estimated by zxcvbn.
//
// It is a package of its own, apart from package password's hashing, because zxcvbn
// builds its word lists into maps of about 7 MB when a program starts, which every
// garbage collection of that program then walks: 1.46–1.51 ms a collection against
// 0.45–0.48 ms without them (BenchmarkCollection in internal/database, before and after
// this package left models; docs/performance.md, "The Session").
// A program that stores users (package models) but never judges a new password does not
// link it.
package strength

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"

	"github.com/microblog/microblog/internal/i18n"
)

// Policy is the rule for new passwords, after NIST SP 800-63B §3.1.1.2: a minimum
// length, a maximum that bounds the cost of checking and hashing, no composition rules,
// and refusal of passwords found in lists of common passwords or built from the
// account's own details. Sign-in never applies it: an old password keeps working.
type Policy struct {
	// MinLength is the fewest characters accepted (NIST: at least 8; SP 800-63B-4 asks
	// 15 when the password is the only factor).
	MinLength int
}

// MaxLength is the most characters a password may have. NIST asks to allow at least
// 64; beyond 128 the strength check and the form gain nothing.
const MaxLength = 128

// minGuesses is the estimated number of guesses under which a password is refused:
// 10⁶ is zxcvbn's bound between "too guessable" and "somewhat guessable", and holds
// every password of its lists of common passwords (about 30,000 of them), common words,
// names, keyboard walks, repeats and sequences, alone or with a digit or two.
const minGuesses = 1e6

// Error says why a password was refused, as the form shows it.
//
// Reason is in English; Format (a message id of the catalogs) with Args gives it in any
// language.
type Error struct {
	Reason string
	Format string
	Args   []any
}

func refuse(format string, args ...any) *Error {
	return &Error{Reason: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// refuseText is refuse for a reason without arguments.
func refuseText(reason string) *Error { return &Error{Reason: reason, Format: reason} }

func (e *Error) Error() string { return e.Reason }

// Check returns a *Error when plain is not acceptable as a new password for an
// account with the given details (username, e-mail address), nil otherwise.
func (p Policy) Check(plain string, details ...string) error {
	if !utf8.ValidString(plain) {
		return refuseText(i18n.M("Password must be valid text."))
	}
	for _, r := range plain {
		if unicode.IsControl(r) {
			return refuseText(i18n.M("Password must not contain control characters."))
		}
	}
	n := utf8.RuneCountInString(plain)
	if n < p.MinLength {
		return refuse(i18n.M("Password must be at least %d characters long."), p.MinLength)
	}
	if n > MaxLength {
		return refuse(i18n.M("Password must be at most %d characters long."), MaxLength)
	}
	inputs := []string{"microblog"}
	folded := strings.ToLower(plain)
	similar := false
	for _, d := range details {
		d = strings.ToLower(strings.TrimSpace(d))
		if d == "" {
			continue
		}
		if folded == d {
			return refuseText(i18n.M("Password must not be your username or e-mail address."))
		}
		inputs = append(inputs, d)
		parts := []string{d}
		if local, _, ok := strings.Cut(d, "@"); ok && local != "" {
			inputs = append(inputs, local)
			parts = append(parts, local)
		}
		for _, part := range parts {
			similar = similar || (utf8.RuneCountInString(part) >= 3 && strings.Contains(folded, part))
		}
	}
	if zxcvbn.PasswordStrength(plain, inputs).Guesses >= minGuesses {
		return nil
	}
	if similar {
		return refuseText(i18n.M("Password is too close to your username or e-mail address."))
	}
	return refuseText(i18n.M("Password is too common or too easy to guess. Try a few unrelated words."))
}
