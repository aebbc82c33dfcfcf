package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// write creates path (and its directories) with text.
func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The translators' workflow on a scratch source tree: init, translate, change the
// source, update (translations kept, new texts added, removed ones obsolete), compile,
// and the tutorial's failure messages with the cause's file and line.
func TestTranslateCommands(t *testing.T) {
	ctx := context.Background()
	src, dir := t.TempDir(), t.TempDir()
	goFile := filepath.Join(src, "app", "app.go")
	write(t, goFile, `package app

const title = "Welcome"

func page(a *App, r *http.Request, n int) {
	a.flash(r, a.T(r, "Hello, %s!", "ana"))
	a.render(r, i18n.M(title))
	_ = i18n.M("Bye")
	_ = a.N(r, "%d cat", "%d cats", n)
	_ = a.T(r, someVariable) // not a literal: not extracted
}
`)
	write(t, filepath.Join(src, "app", "app_test.go"), `package app

func TestX() { i18n.M("only in a test") }
`)
	write(t, filepath.Join(src, "app", "templates", "page.html"), `{{define "content"}}<h1>{{T "Welcome"}}</h1><p>{{N "%d dog" "%d dogs" .Dogs}}</p>{{end}}`)
	tr := func(args ...string) (int, string, string) {
		return run(t, ctx, nil, append([]string{"translate", "--dir", dir, "--source", src}, args...)...)
	}

	code, out, errOut := tr("init", "fr")
	if code != 0 || !strings.Contains(out, "extracted 5 messages") {
		t.Fatalf("init: exit %d\n%s%s", code, out, errOut)
	}
	po := filepath.Join(dir, "fr", "LC_MESSAGES", "messages.po")
	got := read(t, po)
	for _, want := range []string{`"Language: fr\n"`, `"Plural-Forms: nplurals=2; plural=(n > 1);\n"`, "#: app/app.go:6\n#, c-format\nmsgid \"Hello, %s!\"\nmsgstr \"\"",
		"#: app/app.go:7 app/templates/page.html:1\nmsgid \"Welcome\"", "msgid \"%d cat\"\nmsgid_plural \"%d cats\"\nmsgstr[0] \"\"\nmsgstr[1] \"\"", `msgid "%d dog"`} {
		if !strings.Contains(got, want) {
			t.Errorf("new catalog lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "only in a test") || strings.Contains(got, "someVariable") {
		t.Errorf("extracted a test's or a variable's text:\n%s", got)
	}
	if code, _, errOut := tr("init", "fr"); code != 1 || !strings.Contains(errOut, "init command failed") || !strings.Contains(errOut, "exists already") {
		t.Errorf("second init: exit %d, %q", code, errOut)
	}

	// A translator's work, then the source changes.
	got = strings.Replace(got, "msgid \"Hello, %s!\"\nmsgstr \"\"", "msgid \"Hello, %s!\"\nmsgstr \"Bonjour, %s !\"", 1)
	got = strings.Replace(got, "msgid \"Bye\"\nmsgstr \"\"", "# a translator's note\nmsgid \"Bye\"\nmsgstr \"Au revoir\"", 1)
	write(t, po, got)
	write(t, goFile, strings.Replace(read(t, goFile), `i18n.M("Bye")`, `i18n.M("Good night")`, 1))
	code, out, errOut = tr("update")
	if code != 0 || !strings.Contains(out, "4 kept, 1 new, 1 obsolete") {
		t.Fatalf("update: exit %d\n%s%s", code, out, errOut)
	}
	got = read(t, po)
	for _, want := range []string{"msgid \"Hello, %s!\"\nmsgstr \"Bonjour, %s !\"", "msgid \"Good night\"\nmsgstr \"\"",
		"# a translator's note\n#~ msgid \"Bye\"\n#~ msgstr \"Au revoir\"", `"Plural-Forms: nplurals=2; plural=(n > 1);\n"`} {
		if !strings.Contains(got, want) {
			t.Errorf("updated catalog lacks %q:\n%s", want, got)
		}
	}
	if pot := read(t, filepath.Join(dir, "messages.pot")); !strings.Contains(pot, `msgid "Good night"`) || strings.Contains(pot, `"Bye"`) {
		t.Errorf("template:\n%s", pot)
	}
	// The text comes back: its old translation with it.
	write(t, goFile, strings.Replace(read(t, goFile), `i18n.M("Good night")`, `i18n.M("Bye")`, 1))
	if code, out, errOut := tr("update"); code != 0 || !strings.Contains(read(t, po), "msgid \"Bye\"\nmsgstr \"Au revoir\"") {
		t.Errorf("update back: exit %d\n%s%s\n%s", code, out, errOut, read(t, po))
	}

	if code, out, errOut := tr("compile"); code != 0 || !strings.Contains(out, "5 messages, 3 untranslated") {
		t.Errorf("compile: exit %d\n%s%s", code, out, errOut)
	}

	// Broken catalogs: each problem named with its file and line.
	good := read(t, po)
	for _, c := range []struct{ what, broken, want string }{
		{"placeholder", strings.Replace(good, `msgstr "Bonjour, %s !"`, `msgstr "Bonjour, %d !"`, 1), "the translation of \"Hello, %s!\" has placeholders [%d]"},
		{"syntax", strings.Replace(good, `msgstr "Bonjour, %s !"`, `msgstr Bonjour`, 1), "expected a quoted string"},
		{"plural count", strings.Replace(good, "msgstr[1] \"\"\n", "", 1), "has 1 plural forms, the header says 2"},
	} {
		write(t, po, c.broken)
		line := 0
		for i, l := range strings.Split(c.broken, "\n") {
			if (c.what != "plural count" && strings.Contains(l, "Hello, %s!")) || (c.what == "plural count" && strings.Contains(l, `msgid "%d cat"`)) {
				line = i + 1
				break
			}
		}
		if c.what == "syntax" {
			line++ // the msgstr after the msgid
		}
		code, _, errOut := tr("compile")
		at := po + ":" + itoa(line) + ":"
		if code != 1 || !strings.Contains(errOut, "compile command failed") || !strings.Contains(errOut, at) || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: exit %d, %q; want %q and %q", c.what, code, errOut, at, c.want)
		}
	}
	write(t, po, good)

	write(t, goFile, "package app\nfunc broken( {\n")
	if code, _, errOut := tr("update"); code != 1 || !strings.Contains(errOut, "extract command failed") || !strings.Contains(errOut, "app.go:2:") {
		t.Errorf("broken source: exit %d, %q", code, errOut)
	}
	write(t, goFile, "package app\n")
	write(t, po, "msgid \"x\"\nmsgid \"y\"\n")
	if code, _, errOut := tr("update"); code != 1 || !strings.Contains(errOut, "update command failed") || !strings.Contains(errOut, po+":1:") {
		t.Errorf("broken catalog on update: exit %d, %q", code, errOut)
	}
}

// The project's own catalogs, copied: compile finds them complete.
func TestTranslateCompileProjectCatalogs(t *testing.T) {
	dir := t.TempDir()
	for _, lang := range []string{"es", "pt_BR"} {
		rel := filepath.Join(lang, "LC_MESSAGES", "messages.po")
		write(t, filepath.Join(dir, rel), read(t, filepath.Join("..", "i18n", "locales", rel)))
	}
	code, out, errOut := run(t, context.Background(), nil, "translate", "compile", "--dir", dir)
	if code != 0 || strings.Count(out, " 0 untranslated") != 2 {
		t.Errorf("compile: exit %d\n%s%s", code, out, errOut)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
