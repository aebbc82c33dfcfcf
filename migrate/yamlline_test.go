package migrate_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/microblog/microblog/migrate"
)

// A revision file that is not YAML is reported at the line of the mistake, counting
// from 1, whether yaml.v3's scanner or its parser finds it (the parser counts its lines
// from 0).
func TestYAMLSyntaxErrorNamesTheLine(t *testing.T) {
	const head = "revision: bbbbbbbbbbbb\ndown_revision: null\nmessage: x\n" // lines 1-3
	for _, c := range []struct{ name, body, want string }{
		{"unclosed flow mapping (parser)", "upgrade:\n  - add_column: {table: user, column: {name: x, type: text}\ndowngrade: []\n", "b.yaml:5: YAML syntax: did not find expected ',' or '}'"},
		{"bad indentation (parser)", "upgrade: []\n downgrade: []\n  x: 1\n", "b.yaml:5: YAML syntax:"},
		{"character that starts no token (scanner)", "upgrade: []\ndowngrade: []\n@x: 1\n", "b.yaml:6: YAML syntax: found character that cannot start any token"},
	} {
		t.Run(c.name, func(t *testing.T) {
			fs := fstest.MapFS{"versions/b.yaml": &fstest.MapFile{Data: []byte(head + c.body)}}
			_, err := migrate.LoadRepo(fs, "migrations")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
}
