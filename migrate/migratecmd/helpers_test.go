package migratecmd_test

// Helpers of the command tests; the schema and database helpers are the engine's, from
// migrate/internal/migratetest.

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/migratetest"
	"github.com/microblog/microblog/migrate/migratecmd"
	"github.com/microblog/microblog/migrate/schema"
)

// writeRepo writes revisions into dir/migrations/versions.
func writeRepo(t *testing.T, dir string, revs ...*migrate.Revision) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "migrations", "versions"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, f := range repoFS(t, revs...) {
		if f.Data != nil {
			if err := os.WriteFile(filepath.Join(dir, "migrations", name), f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// forEachDialectURL runs f on a new database of each dialect, with its URL (for the CLI).
func forEachDialectURL(t *testing.T, f func(t *testing.T, db *migratetest.DB, url string)) {
	for _, d := range migratetest.Dialects {
		t.Run(d, func(t *testing.T) {
			url := migratetest.URL(t, d)
			db, err := migratetest.OpenURL(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			f(t, db, url)
		})
	}
}

// runDB runs the engine's `db` command tree in this process, on the repository in dir
// and the database at url, with stdin as its input.
func runDB(t *testing.T, dir, url string, models func() (*schema.Schema, error), stdin io.Reader, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := migratecmd.NewCommand(migratecmd.Options{
		Directory: filepath.Join(dir, "migrations"),
		Models:    models,
		Open: func(ctx context.Context) (*sql.DB, string, error) {
			db, err := migratetest.OpenURL(ctx, url)
			if err != nil {
				return nil, "", err
			}
			return db.SQL, db.Dialect, nil
		},
	})
	var out, errb bytes.Buffer
	cmd.SetIn(stdin)
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	cmd.SetArgs(args)
	err = cmd.ExecuteContext(context.Background())
	return out.String(), errb.String(), err
}

// The engine's test helpers, shared with package migratecmd: see migrate/internal/migratetest.
var (
	repoFS         = migratetest.RepoFS
	chain          = migratetest.Chain
	runner         = migratetest.Runner
	forEachDialect = migratetest.ForEachDialect
	canonical      = migratetest.Canonical
	inspect        = migratetest.Inspect
	fillRows       = migratetest.FillRows
	valueFor       = migratetest.ValueFor
	current        = migratetest.Current
	col            = migratetest.Col
	str            = migratetest.Str
	withDefault    = migratetest.WithDefault
	idCol          = migratetest.IDCol
	table          = migratetest.Table
	fk             = migratetest.FK
	index          = migratetest.Index
	sch            = migratetest.Sch
	users          = migratetest.Users
	posts          = migratetest.Posts
	handRevision   = migratetest.HandRevision
	quoteFor       = migratetest.QuoteFor
)
