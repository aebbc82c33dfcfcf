package username_test

import (
	"strings"
	"testing"

	"github.com/microblog/microblog/internal/username"
)

// TestCheckRefuses lists the names of issue 15's finding 4, and the other classes the
// rule refuses, with the start of the error each must get.
func TestCheckRefuses(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"zero-width space inside", "susan\u200b", "Usernames may contain letters, digits, '.', '-' and '_'; U+200B (zero width space) is not allowed."},
		{"lone zero-width space", "\u200b", "Usernames may contain letters, digits, '.', '-' and '_'; U+200B (zero width space) is not allowed."},
		{"right-to-left override", "\u202esusan", "Usernames may contain letters, digits, '.', '-' and '_'; U+202E (right-to-left override) is not allowed."},
		{"zero-width joiner", "su\u200dsan", "U+200D (zero width joiner) is not allowed."},
		{"word joiner", "su\u2060san", "U+2060 (word joiner) is not allowed."},
		{"long s", "ſusan", "'ſ' is not allowed."},
		{"slash", "a/b", "'/' is not allowed."},
		{"question mark", "x?y", "'?' is not allowed."},
		{"hash", "x#y", "'#' is not allowed."},
		{"percent", "100%", "'%' is not allowed."},
		{"backslash", `a\b`, `'\\' is not allowed.`},
		{"space", "su san", "U+0020 (space) is not allowed."},
		{"no-break space", "su\u00a0san", "U+00A0 (no-break space) is not allowed."},
		{"NUL", "su\x00san", "U+0000 is not allowed."},
		{"invalid UTF-8", "su\xffsan", "the name is not valid text."},
		{"path up", "../auth/logout", "'/' is not allowed."},
		{"only dots", "..", "Usernames may not start or end with '.'."},
		{"leading dot", ".susan", "Usernames may not start or end with '.'."},
		{"trailing dot", "susan.", "Usernames may not start or end with '.'."},
		{"only punctuation", "-_-", "Usernames need at least one letter or digit."},
		{"only a mark", "\u0301", "U+0301 (combining acute accent) is not allowed."},
		{"superscript digit", "susan²", "'²' is not allowed."},
		{"roman numeral", "Ⅸ", "'Ⅸ' is not allowed."},
		{"mixed directions", "aא", "Usernames may not mix right-to-left and left-to-right letters this way."},
		{"too long", strings.Repeat("a", 65), "Usernames may be at most 64 characters long (this one has 65)."},
		{"empty", "", "This field is required."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := username.Check(tc.in)
			if err == nil {
				t.Fatalf("Check(%q) = %q, want refused", tc.in, got)
			}
			if !username.IsInvalid(err) || !strings.HasSuffix(err.Error(), tc.want) {
				t.Errorf("Check(%q) error = %q, want it to end with %q", tc.in, err, tc.want)
			}
		})
	}
}

// TestCheckAccepts shows names that must stay possible, and the form each is stored in.
func TestCheckAccepts(t *testing.T) {
	for in, want := range map[string]string{
		"susan":                 "susan",
		"Susan":                 "Susan",
		"ｓｕｓａｎ":                 "susan", // width mapping: then a duplicate of susan
		"süsan":                 "süsan",
		"su\u0308san":           "süsan", // NFC
		"Émile.Zola-2_x":        "Émile.Zola-2_x",
		"Ѕусанна":               "Ѕусанна",
		"שלום":                  "שלום",
		"محمد١٢":                "محمد١٢",
		"山田太郎":                  "山田太郎",
		"a":                     "a",
		strings.Repeat("é", 64): strings.Repeat("é", 64),
	} {
		got, err := username.Check(in)
		if err != nil || got != want {
			t.Errorf("Check(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// TestKey shows which names are one key (the same account, or a look-alike of it) and
// which are not.
func TestKey(t *testing.T) {
	susan := username.Key("susan")
	for _, same := range []string{"Susan", "SUSAN", "ｓｕｓａｎ", "ſusan", "Ѕusan", "ѕusan", "susаn"} {
		if username.Key(same) != susan {
			t.Errorf("Key(%q) differs from Key(\"susan\"), want the same (a look-alike)", same)
		}
	}
	for _, other := range []string{"süsan", "susan2", "susanne", "usan"} {
		if username.Key(other) == susan {
			t.Errorf("Key(%q) equals Key(\"susan\"), want different", other)
		}
	}
	if k := username.Key("any name at all \x00\xff"); len(k) != 64 || strings.Trim(k, "0123456789abcdef") != "" {
		t.Errorf("Key = %q, want 64 lowercase hex digits", k)
	}
	keys := map[string]bool{susan: true, username.FoldKey("susan"): true, username.IDKey(1): true}
	if len(keys) != 3 {
		t.Error("Key, FoldKey and IDKey collide, want three kinds of key apart")
	}
}

// TestFold shows what counts as one account.
func TestFold(t *testing.T) {
	for _, same := range []string{"Susan", "SUSAN", "ｓｕｓａｎ", "ſusan"} {
		if username.Fold(same) != "susan" {
			t.Errorf("Fold(%q) = %q, want susan", same, username.Fold(same))
		}
	}
	if username.Fold("Ѕusan") == username.Fold("susan") {
		t.Error("Fold equates Cyrillic Ѕusan with susan; only Key should")
	}
}
