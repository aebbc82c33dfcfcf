package migratecmd_test

import (
	"context"
	"strings"
	"testing"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/migratetest"
	"github.com/microblog/microblog/migrate/schema"
)

// `db lint` prints notes as INFO and does not fail for them: a pending revision that adds
// two columns defaulting to CURRENT_TIMESTAMP to a table with rows gets four notes (on
// SQLite the rebuild is part of each) and no warning, on each database.
func TestLintPrintsNotesAsInfoAndSucceeds(t *testing.T) {
	start := sch(users(), posts())
	forEachDialectURL(t, func(t *testing.T, db *migratetest.DB, url string) {
		first := chain(t, start)[0]
		add := handRevision("rev002", first.ID, []*migrate.Op{
			{Kind: migrate.OpAddColumn, Table: "user", Column: withDefault(col("created", schema.DateTime, false), "CURRENT_TIMESTAMP"), Line: 6},
			{Kind: migrate.OpAddColumn, Table: "user", Column: withDefault(col("seen", schema.DateTime, true), "CURRENT_TIMESTAMP"), Line: 7},
		}, []*migrate.Op{
			{Kind: migrate.OpDropColumn, Table: "user", ColName: "seen", Line: 9},
			{Kind: migrate.OpDropColumn, Table: "user", ColName: "created", Line: 10},
		})
		if err := runner(t, db, repoFS(t, first, add)).Upgrade(context.Background(), first.ID); err != nil {
			t.Fatal(err)
		}
		fillRows(t, db, start, 0)

		dir := t.TempDir()
		writeRepo(t, dir, first, add)
		stdout, stderr, err := runDB(t, dir, url, nil, strings.NewReader(""), "lint")
		if err != nil || strings.Count(stderr, "INFO  ") != 4 || strings.Contains(stderr, "WARNING") || !strings.Contains(stdout, "No destructive or locking operations in pending revisions.") {
			t.Errorf("db lint: err %v\n%s%s", err, stdout, stderr)
		}
	})
}
