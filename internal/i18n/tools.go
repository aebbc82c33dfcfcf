package i18n

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// pluralForms are the Plural-Forms headers of the languages `translate init` knows;
// others get the English rule, for the translator to correct.
var pluralForms = map[string]string{
	"es":    "nplurals=2; plural=(n != 1);",
	"pt_BR": "nplurals=2; plural=(n > 1);",
	"pt":    "nplurals=2; plural=(n != 1);",
	"fr":    "nplurals=2; plural=(n > 1);",
	"de":    "nplurals=2; plural=(n != 1);",
	"it":    "nplurals=2; plural=(n != 1);",
}

const (
	// TemplateName is the template catalog's file name in the locales directory.
	TemplateName = "messages.pot"
	catalogPath  = "LC_MESSAGES/messages.po"
)

// Template builds the template catalog (POT) of msgs.
func Template(msgs []Message) *POFile {
	f := &POFile{Header: "Project-Id-Version: microblog\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\nPlural-Forms: nplurals=INTEGER; plural=EXPRESSION;\n"}
	for _, m := range msgs {
		e := &POEntry{ID: m.ID, Plural: m.Plural, Comments: []string{"#: " + strings.Join(m.Refs, " ")}}
		if verbs(m.ID) != nil {
			e.Comments = append(e.Comments, "#, c-format")
		}
		e.Str = []string{""}
		if m.Plural != "" {
			e.Str = []string{"", ""}
		}
		f.Entries = append(f.Entries, e)
	}
	return f
}

// WriteTemplate extracts the source tree at root into dir/messages.pot.
func WriteTemplate(root, dir string) (*POFile, error) {
	msgs, err := Extract(root)
	if err != nil {
		return nil, err
	}
	pot := Template(msgs)
	if err := os.WriteFile(filepath.Join(dir, TemplateName), pot.Bytes(), 0o644); err != nil {
		return nil, fmt.Errorf("i18n: %w", err)
	}
	return pot, nil
}

// Init starts the catalog of lang (dir/LANG/LC_MESSAGES/messages.po) from the template,
// every message untranslated. It refuses to replace an existing catalog.
func Init(pot *POFile, dir, lang string) (string, error) {
	if !regexp.MustCompile(`^[a-z]{2,3}(_[A-Z]{2})?$`).MatchString(lang) {
		return "", fmt.Errorf("i18n: %q is not a language code such as es or pt_BR", lang)
	}
	path := filepath.Join(dir, lang, catalogPath)
	if _, err := os.Stat(path); err == nil {
		return "", fmt.Errorf("i18n: %s exists already (use update)", path)
	}
	rule, ok := pluralForms[lang]
	if !ok {
		rule = pluralForms["es"]
	}
	n := pluralCountOf(rule)
	po := &POFile{Header: "Project-Id-Version: microblog\nLanguage: " + lang + "\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\nPlural-Forms: " + rule + "\n"}
	for _, e := range pot.Entries {
		po.Entries = append(po.Entries, blank(e, n))
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", fmt.Errorf("i18n: %w", err)
	}
	if err := os.WriteFile(path, po.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("i18n: %w", err)
	}
	return path, nil
}

func pluralCountOf(rule string) int {
	return (&POFile{Header: "Plural-Forms: " + rule}).PluralCount()
}

// blank is a template message, untranslated, with n plural forms if it has any.
func blank(e *POEntry, n int) *POEntry {
	c := &POEntry{ID: e.ID, Plural: e.Plural, Comments: slices.Clone(e.Comments), Str: []string{""}}
	if e.Plural != "" {
		c.Str = make([]string, max(n, 1))
	}
	return c
}

// Catalogs lists the catalogs under dir: dir/LANG/LC_MESSAGES/messages.po.
func CatalogFiles(dir string) ([]string, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*", catalogPath))
	if err != nil {
		return nil, fmt.Errorf("i18n: %w", err)
	}
	return paths, nil
}

// UpdateResult says what Update did to one catalog.
type UpdateResult struct {
	Path                   string
	Kept, Added, Obsoleted int
}

// Update merges the template into every catalog under dir: translations of messages
// still used are kept, new messages are added untranslated, messages no longer used
// become obsolete ("#~"), and references follow the template.
func Update(pot *POFile, dir string) ([]UpdateResult, error) {
	paths, err := CatalogFiles(dir)
	if err != nil {
		return nil, err
	}
	var results []UpdateResult
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("i18n: %w", err)
		}
		old, err := ParsePO(path, b)
		if err != nil {
			return nil, err
		}
		n := old.PluralCount()
		res := UpdateResult{Path: path}
		merged := &POFile{Header: old.Header}
		used := map[string]bool{}
		for _, t := range pot.Entries {
			used[t.ID] = true
			e := blank(t, n)
			if prev := old.Lookup(t.ID); prev != nil {
				e.Str = prev.Str
				if t.Plural != "" && len(prev.Str) != len(e.Str) {
					e.Str = append(slices.Clone(prev.Str), make([]string, max(len(e.Str)-len(prev.Str), 0))...)[:len(e.Str)]
				} else if t.Plural == "" && len(prev.Str) > 1 {
					e.Str = prev.Str[:1]
				}
				e.Comments = append(translatorComments(prev.Comments), e.Comments...)
				res.Kept++
			} else if prev := obsoleteEntry(old, t.ID); prev != nil && prev.Plural == t.Plural {
				e.Str = prev.Str // a message back in use gets its old translation again
				res.Kept++
			} else {
				res.Added++
			}
			merged.Entries = append(merged.Entries, e)
		}
		for _, e := range old.Entries {
			if !used[e.ID] {
				if !e.Obsolete {
					res.Obsoleted++
				}
				merged.Entries = append(merged.Entries, &POEntry{ID: e.ID, Plural: e.Plural, Str: e.Str, Obsolete: true, Comments: translatorComments(e.Comments)})
			}
		}
		if err := os.WriteFile(path, merged.Bytes(), 0o644); err != nil {
			return nil, fmt.Errorf("i18n: %w", err)
		}
		results = append(results, res)
	}
	return results, nil
}

func obsoleteEntry(f *POFile, id string) *POEntry {
	for _, e := range f.Entries {
		if e.Obsolete && e.ID == id {
			return e
		}
	}
	return nil
}

// translatorComments are the comments a translator wrote ("# …"), not the generated
// references and flags.
func translatorComments(cs []string) []string {
	var out []string
	for _, c := range cs {
		if c == "#" || strings.HasPrefix(c, "# ") {
			out = append(out, c)
		}
	}
	return out
}

// CompileResult is the check of one catalog.
type CompileResult struct {
	Path                   string
	Messages, Untranslated int
}

// Compile checks every catalog under dir as the application will read it: PO syntax,
// a Plural-Forms header, as many plural forms as it says, and translations that use
// the same fmt verbs as their message ids. The catalogs are embedded in the binary as
// PO and parsed at start, so there is nothing to write: this is the check a build runs.
// Every problem found is returned, each as "file:line: …".
func Compile(dir string) ([]CompileResult, error) {
	paths, err := CatalogFiles(dir)
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("i18n: no catalogs under %s", dir)
	}
	var results []CompileResult
	var problems []error
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("i18n: %w", err)
		}
		po, err := ParsePO(path, b)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		res, errs := check(path, po)
		results = append(results, res)
		problems = append(problems, errs...)
	}
	return results, errors.Join(problems...)
}

func check(path string, po *POFile) (CompileResult, []error) {
	res := CompileResult{Path: path}
	var errs []error
	n := po.PluralCount()
	if n == 0 {
		errs = append(errs, fmt.Errorf("%s:1: the header has no Plural-Forms with nplurals", path))
	}
	for _, e := range po.Entries {
		if e.Obsolete {
			continue
		}
		res.Messages++
		if !e.Translated() {
			res.Untranslated++
		}
		if e.Plural != "" && n > 0 && len(e.Str) != n {
			errs = append(errs, fmt.Errorf("%s:%d: %q has %d plural forms, the header says %d", path, e.Line, e.ID, len(e.Str), n))
		}
		for i, s := range e.Str {
			if s == "" {
				continue
			}
			want := e.ID
			if i > 0 {
				want = e.Plural
			}
			if !slices.Equal(verbs(want), verbs(s)) && !(e.Plural != "" && slices.Equal(verbs(e.ID), verbs(s))) {
				errs = append(errs, fmt.Errorf("%s:%d: the translation of %q has placeholders %v, the message id %v", path, e.Line, e.ID, verbs(s), verbs(want)))
			}
		}
	}
	return res, errs
}

var verbPattern = regexp.MustCompile(`%[-+# 0]*[0-9]*(?:\.[0-9]+)?[a-zA-Z%]`)

// verbs are the fmt verbs of s in order ("%d", "%s"), without "%%".
func verbs(s string) []string {
	var out []string
	for _, v := range verbPattern.FindAllString(s, -1) {
		if v != "%%" {
			out = append(out, v)
		}
	}
	return out
}
