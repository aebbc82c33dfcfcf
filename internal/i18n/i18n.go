// Package i18n holds microblog's languages: the gettext PO catalogs embedded in the
// binary (locales/LANG/LC_MESSAGES/messages.po), read with leonelquinteros/gotext; the
// choice of a language for a request (negotiate.go); and the tools behind
// `microblog translate` (extract.go, po.go, tools.go).
//
// Texts are marked for translation by calling T or N (a Localizer's, or the web App's
// and the templates' of the same names) with a literal message id, or M where a text
// is chosen now and translated later, when it is shown (a form label, a page title).
package i18n

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"strings"

	"github.com/leonelquinteros/gotext"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

//go:embed locales
var localesFS embed.FS

// Language is one language the application speaks.
type Language struct {
	// Code names its catalog directory: "es", "pt_BR"; "en" has no catalog.
	Code string
	// Tag is its BCP 47 tag, for <html lang> and the browser's Intl API: "pt-BR".
	Tag string
	// Name is the language's name in itself, for the language menu.
	Name string
}

// Default is the language of the message ids, used when nothing better matches.
var Default = Language{Code: "en", Tag: "en", Name: "English"}

// Languages lists every language served, the default first.
func Languages() []Language {
	return []Language{Default, {Code: "es", Tag: "es", Name: "Español"}, {Code: "pt_BR", Tag: "pt-BR", Name: "Português (Brasil)"}}
}

// Lookup returns the served language with that code ("pt_BR") or tag ("pt-BR").
func Lookup(code string) (Language, bool) {
	for _, l := range Languages() {
		if strings.EqualFold(code, l.Code) || strings.EqualFold(code, l.Tag) {
			return l, true
		}
	}
	return Language{}, false
}

// M marks msgid for translation where it is shown later (gettext's N_): it returns
// msgid unchanged, and `microblog translate` extracts it.
func M(msgid string) string { return msgid }

// Catalogs are the parsed catalogs of every served language.
type Catalogs struct {
	byCode map[string]*gotext.Po
	locs   map[string]*Localizer // by language code, for every known language
}

// Load parses the embedded catalogs.
func Load() (*Catalogs, error) {
	sub, err := fs.Sub(localesFS, "locales")
	if err != nil {
		return nil, fmt.Errorf("i18n: catalogs: %w", err)
	}
	return LoadFS(sub)
}

// LoadFS parses the catalogs under dir (LANG/LC_MESSAGES/messages.po) for every served
// language but the default; a served language without a catalog is an error.
func LoadFS(dir fs.FS) (*Catalogs, error) {
	c := &Catalogs{byCode: map[string]*gotext.Po{}}
	for _, l := range Languages()[1:] {
		b, err := fs.ReadFile(dir, l.Code+"/LC_MESSAGES/messages.po")
		if err != nil {
			return nil, fmt.Errorf("i18n: catalog %s: %w", l.Code, err)
		}
		po := gotext.NewPo()
		po.Parse(b)
		c.byCode[l.Code] = po
	}
	c.locs = map[string]*Localizer{}
	for _, l := range Languages() {
		c.locs[l.Code] = newLocalizer(l, c.byCode[l.Code])
	}
	return c, nil
}

// Localizer translates into one language; the zero-catalog Localizer speaks the
// default language. The Localizers of the known languages are made once, at Load: a
// request only picks one.
func (c *Catalogs) Localizer(l Language) *Localizer {
	if loc, ok := c.locs[l.Code]; ok && loc.Lang == l {
		return loc
	}
	return newLocalizer(l, c.byCode[l.Code])
}

func newLocalizer(l Language, po *gotext.Po) *Localizer {
	return &Localizer{Lang: l, po: po, printer: message.NewPrinter(language.Make(l.Tag))}
}

// Localizer translates messages into Lang.
type Localizer struct {
	Lang Language
	po   *gotext.Po // nil for the default language
	// printer formats the arguments as the language writes numbers: 1,234 in English,
	// 1.234 in Spanish and Portuguese.
	printer *message.Printer
}

// sprintf formats like fmt.Sprintf, numbers in l's language.
func (l *Localizer) sprintf(format string, args ...any) string {
	if l == nil || l.printer == nil {
		return fmt.Sprintf(format, args...)
	}
	return l.printer.Sprintf(format, args...)
}

// T translates msgid, then formats it with args (fmt.Sprintf) when there are any.
func (l *Localizer) T(msgid string, args ...any) string {
	s := msgid
	if l != nil && l.po != nil {
		get := l.po.Get // a method value: the catalog's text is not a format here
		s = get(msgid)
	}
	if len(args) == 0 {
		return s
	}
	return l.sprintf(s, args...)
}

// N translates the singular or plural form chosen for n by the language's plural rule,
// then formats it with args, or with n alone when no args are given and the text has a
// verb ("%d followers").
func (l *Localizer) N(singular, plural string, n int, args ...any) string {
	var s string
	switch {
	case l != nil && l.po != nil:
		getN := l.po.GetN
		s = getN(singular, plural, n)
	case n == 1:
		s = singular
	default:
		s = plural
	}
	if len(args) == 0 {
		if !strings.Contains(s, "%") {
			return s
		}
		args = []any{n}
	}
	return l.sprintf(s, args...)
}

// Funcs are the template functions bound to l's language: {{T "Home"}},
// {{T "Hi, %s!" .Name}}, {{N "%d follower" "%d followers" .Count}} and {{lang.Tag}}. T also takes a msgid with its arguments as one []any
// ({{T .Error .ErrorArgs}}), for texts chosen in Go code and translated when shown.
func (l *Localizer) Funcs() map[string]any {
	return map[string]any{
		"T": func(msgid string, args ...any) string {
			if len(args) == 1 {
				if spread, ok := args[0].([]any); ok {
					args = spread
				}
			}
			return l.T(msgid, args...)
		},
		"N":    l.N,
		"lang": func() Language { return l.Lang },
	}
}

// MailHTMLFuncs are Funcs for an e-mail's html/template: T and N give HTML, the catalog's
// text as written (like a template's own text: "browser's", not "browser&#39;s") with
// the arguments escaped, so that a name cannot inject markup.
func (l *Localizer) MailHTMLFuncs() map[string]any {
	escape := func(args []any) []any {
		out := make([]any, len(args))
		for i, a := range args {
			if s, ok := a.(string); ok {
				a = template.HTMLEscapeString(s)
			}
			out[i] = a
		}
		return out
	}
	return map[string]any{
		"T": func(msgid string, args ...any) template.HTML {
			return template.HTML(l.T(msgid, escape(args)...))
		},
		"N": func(singular, plural string, n int, args ...any) template.HTML {
			return template.HTML(l.N(singular, plural, n, escape(args)...))
		},
		"lang": func() Language { return l.Lang },
	}
}
