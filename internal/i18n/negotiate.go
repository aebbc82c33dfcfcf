package i18n

import (
	"golang.org/x/text/language"
)

// Matcher picks the served language that best fits a browser's Accept-Language.
type Matcher struct {
	m     language.Matcher
	langs []Language
}

// NewMatcher matches against langs (Languages() when none are given), the first being
// the fallback: es-MX gives es, pt and pt-PT give pt_BR, anything unknown the first.
func NewMatcher(langs ...Language) *Matcher {
	if len(langs) == 0 {
		langs = Languages()
	}
	tags := make([]language.Tag, len(langs))
	for i, l := range langs {
		tags[i] = language.MustParse(l.Tag)
	}
	return &Matcher{m: language.NewMatcher(tags), langs: langs}
}

// Match returns the served language for an Accept-Language header value.
func (m *Matcher) Match(acceptLanguage string) Language {
	prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(prefs) == 0 {
		return m.langs[0]
	}
	_, i, conf := m.m.Match(prefs...)
	if conf == language.No {
		return m.langs[0]
	}
	return m.langs[i]
}
