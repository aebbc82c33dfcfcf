package mail

import (
	"errors"
	"fmt"
	netmail "net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxAddressLength is the longest address an account may have (user.email is
// varchar(120)).
const MaxAddressLength = 120

// ErrInvalidAddress is what CheckAddress's errors wrap.
var ErrInvalidAddress = errors.New("invalid email address")

// CheckAddress applies the rule for an account's e-mail address, the same for the
// registration form and `microblog users create`: valid UTF-8 text without control
// characters, at most MaxAddressLength characters, a bare address (no display name or
// angle brackets) and a dot in the domain.
func CheckAddress(addr string) error {
	if !utf8.ValidString(addr) {
		return fmt.Errorf("%w: not valid UTF-8", ErrInvalidAddress)
	}
	for _, r := range addr {
		if unicode.IsControl(r) {
			return fmt.Errorf("%w: %q holds a control character (U+%04X)", ErrInvalidAddress, addr, r)
		}
	}
	if n := utf8.RuneCountInString(addr); n > MaxAddressLength {
		return fmt.Errorf("%w: %d characters, at most %d allowed", ErrInvalidAddress, n, MaxAddressLength)
	}
	a, err := netmail.ParseAddress(addr)
	if err != nil || a.Address != addr || !strings.Contains(addr[strings.LastIndex(addr, "@")+1:], ".") {
		return fmt.Errorf("%w: %q", ErrInvalidAddress, addr)
	}
	return nil
}
