package i18n

import "testing"

func TestMatch(t *testing.T) {
	m := NewMatcher()
	for header, want := range map[string]string{
		"":                       "en",
		"es":                     "es",
		"es-MX,es;q=0.9":         "es",
		"es-ES":                  "es",
		"pt-BR":                  "pt_BR",
		"pt-PT,pt;q=0.9":         "pt_BR",
		"pt":                     "pt_BR",
		"fr-FR,fr;q=0.9":         "en",
		"de, es;q=0.5":           "es",
		"en-US,en;q=0.9,es;q=.8": "en",
		"zz-invalid-;;":          "en",
	} {
		if got := m.Match(header).Code; got != want {
			t.Errorf("Match(%q) = %s, want %s", header, got, want)
		}
	}
}
