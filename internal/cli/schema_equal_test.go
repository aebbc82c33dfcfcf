package cli_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/microblog/microblog/internal/testdb"
	"github.com/microblog/microblog/migrate/schema"
)

// logicalSchema renders the tutorial's tables as a schema's meaning: columns (name, type,
// nullability, autoincrement, default or not) in order, primary-key columns, indexes
// (name, uniqueness, columns) and foreign keys by definition. Constraint names are left
// out: Flask-Migrate leaves them to the database (post_user_id_fkey, post_ibfk_1, …)
// where our revisions name them (fk_post_user_id_user).
func logicalSchema(s *schema.Schema) string {
	var b strings.Builder
	for _, name := range flaskTables {
		t := s.Table(name)
		if t == nil {
			fmt.Fprintf(&b, "%s: missing\n", name)
			continue
		}
		fmt.Fprintf(&b, "%s\n", name)
		for _, c := range t.Columns {
			fmt.Fprintf(&b, "  column %s %s nullable=%v autoincrement=%v default=%v\n", c.Name, c.Type.Spec(), c.Nullable, c.AutoIncrement, c.Default != nil)
		}
		if t.PrimaryKey != nil {
			fmt.Fprintf(&b, "  primary key (%s)\n", strings.Join(t.PrimaryKey.Columns, ", "))
		}
		var items []string
		for _, ix := range t.Indexes {
			items = append(items, fmt.Sprintf("  index %s unique=%v (%s)", ix.Name, ix.Unique, strings.Join(ix.Columns, ", ")))
		}
		for _, u := range t.Uniques {
			items = append(items, fmt.Sprintf("  unique (%s)", strings.Join(u.Columns, ", ")))
		}
		for _, fk := range t.ForeignKeys {
			items = append(items, fmt.Sprintf("  foreign key (%s) -> %s (%s) on delete %q", strings.Join(fk.Columns, ", "), fk.RefTable, strings.Join(fk.RefColumns, ", "), fk.OnDelete))
		}
		slices.Sort(items)
		for _, it := range items {
			b.WriteString(it + "\n")
		}
	}
	return b.String()
}

// One logical schema: a database brought from empty to the tutorial's last revision by
// `microblog db upgrade` is the schema the Flask microblog made with Flask-Migrate, table
// for table, on every dialect; and so is the schema at head, whichever way it was reached.
func TestSchemaEqualsTheFlaskOne(t *testing.T) {
	var perDialect []string
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			t.Chdir(t.TempDir())
			flask := loadFlaskDB(t, dialect, "final")
			ours := testdb.URL(t, dialect)
			if code, _, errOut := run(t, ctx, map[string]string{"DATABASE_URL": ours}, "db", "upgrade", "834b1a697901"); code != 0 {
				t.Fatalf("db upgrade 834b1a697901: %s", errOut)
			}
			want, got := inspectURL(t, flask), inspectURL(t, ours)
			if got != want {
				t.Errorf("at 834b1a697901, ours:\n%s\nFlask's:\n%s", got, want)
			}
			for _, url := range []string{flask, ours} {
				if code, _, errOut := run(t, ctx, map[string]string{"DATABASE_URL": url}, "db", "upgrade"); code != 0 {
					t.Fatalf("db upgrade: %s", errOut)
				}
			}
			if a, b := inspectURL(t, flask), inspectURL(t, ours); a != b {
				t.Errorf("at head, ours:\n%s\nthe adopted Flask database:\n%s", b, a)
			}
			perDialect = append(perDialect, got)
		})
	}
	for i := 1; i < len(perDialect); i++ {
		if perDialect[i] != perDialect[0] {
			t.Errorf("%s and %s differ:\n%s\n---\n%s", testdb.Dialects[0], testdb.Dialects[i], perDialect[0], perDialect[i])
		}
	}
}
