package migrate_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microblog/microblog/migrate"
)

// FuzzParseRevision: no revision file, however broken, makes the parser panic or hang,
// and every error names the file. Seeds: the app's own revisions and broken variants.
func FuzzParseRevision(f *testing.F) {
	files, _ := filepath.Glob("../migrations/versions/*.yaml")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:len(data)/2])
	}
	for _, s := range []string{
		"", "revision: 1", "revision: abc\ndown_revision: [a, b]\nupgrade: 7",
		"revision: e517276bb1c2\ndown_revision: null\nmessage: x\nupgrade:\n  - create_table: {name: \"\\0\"}\n",
		"upgrade:\n  - add_column: {table: user, column: {name: x, type: \"varchar(99999999999999999999)\"}}\n",
		"upgrade:\n  - execute: {sqlite: \"\\xff\"}\n", "&a [*a, *a, *a]", "a: &a [*a, *a]\nb: *a\n",
		strings.Repeat("- ", 1000), "\xef\xbb\xbfrevision: \"\\u202e\"\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const path = "versions/fuzz_revision.yaml"
		if _, err := migrate.ParseRevision(path, data); err != nil && !strings.HasPrefix(err.Error(), path) {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}
