package strength_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/microblog/microblog/internal/password/strength"
)

func TestPolicy(t *testing.T) {
	p := strength.Policy{MinLength: 8}
	refused := map[string]string{
		"":                             "at least 8",
		"a":                            "at least 8",
		"cat":                          "at least 8",
		"password":                     "too common",
		"password1":                    "too common",
		"12345678":                     "too common",
		"qwertyuiop":                   "too common",
		"iloveyou":                     "too common",
		"aaaaaaaaaaaa":                 "too common",
		"susan":                        "at least 8",
		"susansusan":                   "too close to your username",
		"Susan2024":                    "too close to your username",
		"susan@example.com":            "must not be your username or e-mail",
		"SUSAN@EXAMPLE.COM":            "must not be your username or e-mail",
		"microblog1":                   "too common",
		strings.Repeat("x", 129):       "at most 128",
		"correct\x00horse battery":     "control characters",
		"correct\x1bhorse battery":     "control characters",
		"bad\xffutf8 but long enough":  "valid text",
		strings.Repeat("ab1!", 40):     "at most 128",
		"ѕusan-ѕusan":                  "", // Cyrillic, not the username: judged on its own
		"correct horse battery staple": "",
		"kjhsdf78sdfk":                 "",
		"Tr0ub4dor&3":                  "",
		"ÿçñ€漢字漢字漢字":                   "",
	}
	for pw, want := range refused {
		err := p.Check(pw, "susan", "susan@example.com")
		var pe *strength.Error
		switch {
		case want == "" && err != nil:
			t.Errorf("Check(%q) = %v, want accepted", pw, err)
		case want != "" && (!errors.As(err, &pe) || !strings.Contains(pe.Reason, want)):
			t.Errorf("Check(%q) = %v, want a refusal saying %q", pw, err, want)
		}
	}
}

func TestPolicyMinLengthIsConfigurable(t *testing.T) {
	if err := (strength.Policy{MinLength: 15}).Check("kjhsdf78sdfk"); err == nil || !strings.Contains(err.Error(), "at least 15") {
		t.Errorf("MinLength 15: %v", err)
	}
}

// FuzzPolicy: no input makes the check panic or take long (zxcvbn's matchers are
// quadratic; the length bound is checked first).
func FuzzPolicy(f *testing.F) {
	for _, s := range []string{"", "password", strings.Repeat("x", 128), "a\x00b", "\xff\xfe", "ѕusan"} {
		f.Add(s)
	}
	p := strength.Policy{MinLength: 8}
	f.Fuzz(func(t *testing.T, pw string) {
		_ = p.Check(pw, "susan", "susan@example.com")
	})
}
