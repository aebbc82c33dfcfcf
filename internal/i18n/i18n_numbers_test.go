package i18n_test

import (
	"strings"
	"testing"

	"github.com/microblog/microblog/internal/i18n"
)

// Numbers follow the language: grouped as each writes them, in T and N alike; a hex
// code point is left alone.
func TestNumbersFollowTheLanguage(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for code, want := range map[string]string{"en": "1,234 followers", "es": "1.234 seguidores", "pt_BR": "1.234 seguidores"} {
		l, ok := i18n.Lookup(code)
		if !ok {
			t.Fatalf("no language %s", code)
		}
		loc := cat.Localizer(l)
		if got := loc.N("%d follower", "%d followers", 1234); got != want {
			t.Errorf("%s: %q, want %q", code, got, want)
		}
		if got := loc.T("This field contains a character that is not allowed (U+%04X).", 0x2028); !strings.Contains(got, "U+2028") {
			t.Errorf("%s: code point formatted as %q", code, got)
		}
	}
}
