package mail_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/microblog/microblog/internal/mail"
)

// The account address rule, shared by the registration form and `microblog users create`.
func TestCheckAddress(t *testing.T) {
	for _, ok := range []string{"susan@example.com", "Susan.Smith+tag@mail.example.co.uk", strings.Repeat("a", 108) + "@example.com"} {
		if err := mail.CheckAddress(ok); err != nil {
			t.Errorf("CheckAddress(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{
		"", "susan", "susan@localhost", "Susan <susan@example.com>", "<susan@example.com>",
		"susan@example.com\x00", "su\nsan@example.com", "susan@example.com\u0085", "susan\xff@example.com",
		" susan@example.com", "susan@@example.com", strings.Repeat("a", 109) + "@example.com",
	} {
		if err := mail.CheckAddress(bad); !errors.Is(err, mail.ErrInvalidAddress) {
			t.Errorf("CheckAddress(%q) = %v, want ErrInvalidAddress", bad, err)
		}
	}
}
