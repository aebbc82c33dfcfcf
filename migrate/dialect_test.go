package migrate_test

import (
	"context"
	"database/sql"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/dialect"
	"github.com/microblog/microblog/migrate/dialect/sqlite"
	"github.com/microblog/microblog/migrate/ops"
	"github.com/microblog/microblog/migrate/schema"
)

// quietSQLite is a dialect that is not built in: SQLite under a name of its own, writing
// its VARCHAR types in lower case (SQLite keeps them as written), so that its statements
// are seen to be the ones that ran.
type quietSQLite struct {
	sqlite.Dialect
	rendered *[]string
}

func (quietSQLite) Name() string { return "quiet-sqlite" }

func (d quietSQLite) Render(before, after *schema.Schema, op *ops.Op) (dialect.Plan, error) {
	p, err := d.Dialect.Render(before, after, op)
	for i, s := range p.Statements {
		p.Statements[i] = strings.ReplaceAll(s, "VARCHAR(", "varchar(")
	}
	*d.rendered = append(*d.rendered, p.Statements...)
	return p, err
}

// TestProviderWithDialect runs a Provider on a dialect given with WithDialect: its
// rendering is the one that runs, its name is the Provider's, and a name without an
// implementation, or not matching the one given, is refused.
func TestProviderWithDialect(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+t.TempDir()+"/quiet.db")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	source, _ := fs.Sub(revisions, "testdata/provider")

	if _, err := migrate.NewProvider(db, "quiet-sqlite", source); err == nil || !strings.Contains(err.Error(), `unknown dialect "quiet-sqlite"`) {
		t.Fatalf("NewProvider without WithDialect: err = %v, want unknown dialect", err)
	}
	var rendered []string
	d := quietSQLite{rendered: &rendered}
	if _, err := migrate.NewProvider(db, migrate.SQLite, source, migrate.WithDialect(d)); err == nil {
		t.Fatal("NewProvider(sqlite, WithDialect(quiet-sqlite)): no error")
	}
	p, err := migrate.NewProvider(db, "quiet-sqlite", source, migrate.WithDialect(d))
	if err != nil {
		t.Fatal(err)
	}
	results, err := p.Upgrade(ctx, "heads")
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 {
		t.Fatalf("upgrade ran %d revisions, want 2", len(results))
	}
	if !slices.ContainsFunc(rendered, func(s string) bool { return strings.Contains(s, `"body" varchar(140)`) }) {
		t.Fatalf("the dialect's Render was not used; it rendered:\n%s", strings.Join(rendered, "\n"))
	}
	var ddl string
	if err := db.QueryRowContext(ctx, "SELECT sql FROM sqlite_master WHERE name = 'note'").Scan(&ddl); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ddl, `"body" varchar(140)`) {
		t.Fatalf("table note was made by %q, not by the given dialect", ddl)
	}
	live, err := migrate.Inspect(ctx, db, migrate.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	if live.Table("note") == nil {
		t.Fatal("no table note after the upgrade")
	}
	if _, err := p.Downgrade(ctx, "base"); err != nil {
		t.Fatal(err)
	}
	if cur, _ := p.Current(ctx); len(cur) != 0 {
		t.Fatalf("current after downgrade to base = %v", cur)
	}
}

// TestLookupDialect: the three built-in dialects answer to their names, nothing else does.
func TestLookupDialect(t *testing.T) {
	for _, name := range []string{migrate.SQLite, migrate.Postgres, migrate.MySQL} {
		d, ok := migrate.LookupDialect(name)
		if !ok || d.Name() != name {
			t.Errorf("LookupDialect(%q) = %v, %v", name, d, ok)
		}
	}
	if d, ok := migrate.LookupDialect("oracle"); ok {
		t.Errorf("LookupDialect(oracle) = %v", d)
	}
}
