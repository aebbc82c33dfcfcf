package migrate_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/migratetest"
	"github.com/microblog/microblog/migrate/schema"
)

// Adding a column whose default is CURRENT_TIMESTAMP to a table with rows: SQLite's ALTER
// TABLE refuses a non-constant default there ("Cannot add a column with non-constant
// default"), so the engine rebuilds the table; every database then gives the existing rows
// the time of the upgrade. Lint says so before, on each database; downgrade takes it back.
// (That `db lint` prints these notes as INFO and does not fail is tested in migratecmd.)
func TestAddColumnWithCurrentTimestampDefaultToRows(t *testing.T) {
	start := sch(users(), posts())
	forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
		ctx := context.Background()
		first := chain(t, start)[0]
		add := handRevision("rev002", first.ID, []*migrate.Op{
			{Kind: migrate.OpAddColumn, Table: "user", Column: withDefault(col("created", schema.DateTime, false), "CURRENT_TIMESTAMP"), Line: 6},
			{Kind: migrate.OpAddColumn, Table: "user", Column: withDefault(col("seen", schema.DateTime, true), "CURRENT_TIMESTAMP"), Line: 7},
		}, []*migrate.Op{
			{Kind: migrate.OpDropColumn, Table: "user", ColName: "seen", Line: 9},
			{Kind: migrate.OpDropColumn, Table: "user", ColName: "created", Line: 10},
		})
		r := runner(t, db, repoFS(t, first, add))
		if err := r.Upgrade(ctx, first.ID); err != nil {
			t.Fatal(err)
		}
		fillRows(t, db, start, 0)
		before := canonical(inspect(t, db), db.Dialect)

		findings, err := r.Lint(ctx, migrate.LintOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var lint []string
		for _, f := range findings {
			if !f.Note {
				t.Errorf("a change that keeps every row should be a note, not a warning: %s", f)
			}
			lint = append(lint, fmt.Sprintf("%s: %s", f.Op, f.Msg))
		}
		text := strings.Join(lint, "\n")
		for _, want := range []string{
			`add_column: adds "user"."created" with the default CURRENT_TIMESTAMP to a table with rows (2 rows): existing rows get the time of the upgrade`,
			`add_column: adds "user"."seen" with the default CURRENT_TIMESTAMP to a table with rows (2 rows): existing rows get the time of the upgrade`,
		} {
			if !strings.Contains(text, want) {
				t.Errorf("lint lacks %q:\n%s", want, text)
			}
		}
		if rebuilt := strings.Count(text, "SQLite cannot add it with ALTER TABLE: the table is rebuilt"); rebuilt != map[bool]int{true: 2}[db.Dialect == migrate.SQLite] {
			t.Errorf("the rebuild should be mentioned on SQLite only, for each column:\n%s", text)
		}

		if err := r.Upgrade(ctx, "head"); err != nil {
			t.Fatalf("upgrade with rows present: %v", err)
		}
		var filled int
		q := fmt.Sprintf("SELECT count(*) FROM %s WHERE created > '2000-01-01' AND seen > '2000-01-01'", quoteFor(db, "user"))
		if err := db.SQL.QueryRow(q).Scan(&filled); err != nil || filled != 2 {
			t.Errorf("rows with both times filled = %d (%v), want 2", filled, err)
		}
		u := inspect(t, db).Table("user")
		if c := u.Column("created"); c == nil || c.Nullable || c.Default == nil {
			t.Errorf("created = %+v, want NOT NULL with a default", c)
		}
		if u.Index("ix_user_username") == nil {
			t.Error("the rebuild lost the table's index")
		}
		// Foreign keys to the rebuilt table still hold and still point at it.
		if n := rowCount(t, db, "post"); n != 2 {
			t.Errorf("posts after the upgrade = %d", n)
		}
		fillRows(t, db, sch(users(), posts()), 1) // inserts without created: the default fills it
		if err := r.Downgrade(ctx, first.ID); err != nil {
			t.Fatalf("downgrade: %v", err)
		}
		if got := canonical(inspect(t, db), db.Dialect); got != before {
			t.Errorf("schema after downgrade:\n%s\nwant:\n%s", got, before)
		}
		if n := rowCount(t, db, "user"); n != 4 {
			t.Errorf("users after downgrade = %d, want 4", n)
		}
	})
}
