package migrate_test

import (
	"context"
	"strings"
	"testing"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/migratetest"
)

func TestLintPendingRevisions(t *testing.T) {
	start := sch(users(), posts())
	pending := func() *migrate.Revision {
		// Hand-written pending revision, with the risky operations lint must name.
		nf := false
		narrow := str("username", 10, false).Type
		return &migrate.Revision{ID: "rev002", Down: []string{"rev001"}, Message: "risky", Upgrade: []*migrate.Op{
			{Kind: migrate.OpAddColumn, Table: "user", Column: col("karma", "integer", false), Line: 10},
			{Kind: migrate.OpAlterColumn, Table: "user", ColName: "username", Type: &narrow, Line: 11},
			{Kind: migrate.OpAddColumn, Table: "user", Column: str("bio", 140, true), Line: 12},
			{Kind: migrate.OpAlterColumn, Table: "user", ColName: "bio", Nullable: &nf, Line: 13},
			{Kind: migrate.OpCreateIndex, Table: "post", Name: "ix_post_body", Columns: []string{"body"}, Line: 14},
			{Kind: migrate.OpDropColumn, Table: "post", ColName: "body", Line: 15},
			{Kind: migrate.OpDropTable, Name: "post", Line: 16},
		}}
	}
	forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
		ctx := context.Background()
		first := chain(t, start)[0]
		r := runner(t, db, repoFS(t, first, pending()))
		if err := r.Upgrade(ctx, first.ID); err != nil {
			t.Fatal(err)
		}
		fillRows(t, db, start, 0)
		findings, err := r.Lint(ctx, migrate.LintOptions{LargeTableRows: 1})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range findings {
			got = append(got, f.String())
		}
		text := strings.Join(got, "\n")
		if len(got) == 0 || !strings.Contains(got[0], "versions/rev002_risky.yaml:") {
			t.Errorf("findings do not name the file and line: %q", got)
		}
		for _, want := range []string{
			`add_column: adds NOT NULL column "karma" without a default to a table with rows (more than 1 row): the upgrade stops before it`,
			"--default user.karma=VALUE",
			`narrows "user"."username" from varchar(64) to varchar(10): the upgrade stops before the change if any rows are longer than 10 characters, which VARCHAR(10) cannot hold (0 row(s) now)`,
			`drops column "post"."body" (2 row(s) hold a value in it)`,
			`drops table "post" (more than 1 row)`,
		} {
			if !strings.Contains(text, want) {
				t.Errorf("lint lacks %q:\n%s", want, text)
			}
		}
		dialectNote := map[string]string{
			migrate.SQLite:   "SQLite would fail copying the rows",
			migrate.Postgres: "PostgreSQL would refuse it",
			migrate.MySQL:    "MySQL/MariaDB would fill the rows with 0, '' or a zero date",
		}[db.Dialect]
		if !strings.Contains(text, dialectNote) {
			t.Errorf("lint does not say what %s would do: %q\n%s", db.Dialect, dialectNote, text)
		}
		if (db.Dialect == migrate.Postgres) != strings.Contains(text, "CREATE INDEX CONCURRENTLY") {
			t.Errorf("index-build warning should appear on PostgreSQL only:\n%s", text)
		}
		if err := r.Upgrade(ctx, "head"); err == nil {
			t.Error("the revision lint warned about applied cleanly; the NOT NULL warning was wrong")
		}
	})
}
