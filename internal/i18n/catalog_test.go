package i18n

import (
	"html/template"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"text/template/parse"
)

// sourceRoot is the module's root, two levels above this package.
const sourceRoot = "../.."

// Every text marked in the source has a translation in every language, with the
// placeholders of its message id, and the committed catalogs pass compile's checks.
func TestCatalogsAreComplete(t *testing.T) {
	msgs, err := Extract(sourceRoot)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) < 100 {
		t.Fatalf("extracted only %d messages", len(msgs))
	}
	if _, err := Compile("locales"); err != nil {
		t.Fatalf("compile: %v", err)
	}
	for _, l := range Languages()[1:] {
		path := filepath.Join("locales", l.Code, "LC_MESSAGES", "messages.po")
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		po, err := ParsePO(path, b)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			e := po.Lookup(m.ID)
			switch {
			case e == nil:
				t.Errorf("%s: %q (%s) is missing: run `microblog translate update` and translate it", l.Code, m.ID, m.Refs[0])
			case !e.Translated():
				t.Errorf("%s:%d: %q is not translated", path, e.Line, m.ID)
			case e.Plural != m.Plural:
				t.Errorf("%s:%d: %q has plural %q, the source %q", path, e.Line, m.ID, e.Plural, m.Plural)
			}
		}
	}
	// The committed template has the extraction's messages (references may lag behind
	// edits that move lines): nobody forgot `microblog translate update`.
	b, err := os.ReadFile(filepath.Join("locales", TemplateName))
	if err != nil {
		t.Fatal(err)
	}
	pot, err := ParsePO(TemplateName, b)
	if err != nil {
		t.Fatal(err)
	}
	var have, want []string
	for _, e := range pot.Entries {
		have = append(have, e.ID+"|"+e.Plural)
	}
	for _, m := range msgs {
		want = append(want, m.ID+"|"+m.Plural)
	}
	if strings.Join(have, "\n") != strings.Join(want, "\n") {
		t.Errorf("locales/%s is stale: run `microblog translate update`", TemplateName)
	}
}

// The embedded catalogs load, and translate with their plural rules.
func TestLocalizer(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lang string
		n    int
		want string
	}{
		{"en", 0, "0 followers"}, {"en", 1, "1 follower"}, {"en", 2, "2 followers"},
		{"es", 0, "0 seguidores"}, {"es", 1, "1 seguidor"}, {"es", 2, "2 seguidores"},
		{"pt_BR", 0, "0 seguidor"}, {"pt_BR", 1, "1 seguidor"}, {"pt_BR", 2, "2 seguidores"},
	} {
		l, _ := Lookup(tc.lang)
		if got := c.Localizer(l).N("%d follower", "%d followers", tc.n); got != tc.want {
			t.Errorf("%s N(%d) = %q, want %q", tc.lang, tc.n, got, tc.want)
		}
	}
	es := c.Localizer(Language{Code: "es", Tag: "es"})
	if got := es.T("Hi, %s!", "ana"); got != "¡Hola, ana!" {
		t.Errorf("es T = %q", got)
	}
	if got := es.T("a text nobody marked"); got != "a text nobody marked" {
		t.Errorf("unknown msgid = %q", got)
	}
}

var (
	tagPattern    = regexp.MustCompile(`(?s)<!--.*?-->|<[^>]*>`)
	letterPattern = regexp.MustCompile(`\pL`)
	// visibleAttr finds attributes a person sees or hears, written as text in a tag.
	visibleAttr = regexp.MustCompile(`(?i)\b(alt|title|placeholder|aria-label|content)="([^"{]*)"`)
	// exempt are the texts that are not translated: the brand, and the entities drawn
	// as arrows.
	exempt = strings.NewReplacer("Microblog", "", "&larr;", "", "&rarr;", "", "&amp;", "", "&nbsp;", "")
)

// No template holds visible text outside T and N: every text node, tags taken out, has
// no letter left but the brand's, and no tag has a visible attribute written as text.
func TestTemplatesMarkEveryText(t *testing.T) {
	var files []string
	for _, dir := range []string{"../web/templates", "../tasks/templates"} {
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				files = append(files, path)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(files) < 8 {
		t.Fatalf("found only %d templates", len(files))
	}
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, problem := range unmarkedTexts(t, path, string(b)) {
			t.Error(problem)
		}
	}
}

// unmarkedTexts lists the texts of one template file a person would see untranslated.
// It lays the text nodes of the file's parse trees at their places in a copy of the
// file whose actions are blanked, so that tags split by actions are whole again, then
// looks for letters outside tags and in visible attributes written as text.
func unmarkedTexts(t *testing.T, path, src string) []string {
	trees, err := ParseTemplate(path, src)
	if err != nil {
		t.Fatal(err)
	}
	page := []byte(regexp.MustCompile(`[^\n]`).ReplaceAllString(src, " "))
	for _, tree := range trees {
		WalkTemplate(tree.Root, func(n parse.Node) {
			if text, ok := n.(*parse.TextNode); ok {
				copy(page[text.Pos:], text.Text)
			}
		})
	}
	text := string(page)
	var out []string
	lineOf := func(pos int) string { return path + ":" + strconv.Itoa(1+strings.Count(text[:pos], "\n")) }
	for _, loc := range tagPattern.FindAllStringIndex(text, -1) {
		for _, m := range visibleAttr.FindAllStringSubmatch(text[loc[0]:loc[1]], -1) {
			if letterPattern.MatchString(exempt.Replace(m[2])) && !strings.Contains(m[2], "=") { // "width=device-width" is configuration
				out = append(out, lineOf(loc[0])+": attribute "+m[1]+"=\""+m[2]+"\" is not marked for translation")
			}
		}
	}
	last := 0
	for _, loc := range append(tagPattern.FindAllStringIndex(text, -1), []int{len(text), len(text)}) {
		between := text[last:loc[0]]
		if letterPattern.MatchString(exempt.Replace(between)) {
			out = append(out, lineOf(last)+": text \""+strings.Join(strings.Fields(between), " ")+"\" is not marked for translation")
		}
		last = loc[1]
	}
	return out
}

// The check finds what it is for.
func TestUnmarkedTextsAreFound(t *testing.T) {
	src := `{{define "x"}}<p>Hello {{.Name}}</p><img alt="A cat" src="{{.URL}}"><p>{{T "Fine"}}</p><span title="{{T "Fine"}}">Microblog</span>{{end}}`
	got := unmarkedTexts(t, "x.html", src)
	if len(got) != 2 || !strings.Contains(got[0]+got[1], "Hello") || !strings.Contains(got[0]+got[1], "A cat") {
		t.Errorf("found %q", got)
	}
}

// An e-mail's HTML keeps the catalog's text as written and escapes the arguments.
func TestMailHTMLFuncsEscapeArguments(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	tr := c.Localizer(Default).MailHTMLFuncs()["T"].(func(string, ...any) template.HTML)
	if got := tr("Dear %s,", `<b>"x"</b>`); got != "Dear &lt;b&gt;&#34;x&#34;&lt;/b&gt;," {
		t.Errorf("T = %q", got)
	}
	if got := tr("Alternatively, you can paste the following link in your browser's address bar:"); !strings.Contains(string(got), "browser's") {
		t.Errorf("T = %q", got)
	}
}
