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

func rowCount(t testing.TB, db *migratetest.DB, table string) int {
	t.Helper()
	var n int
	if err := db.SQL.QueryRow("SELECT count(*) FROM " + quoteFor(db, table)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A hand-written add_column of a NOT NULL column without a default, on a table with rows:
// SQLite and PostgreSQL would fail half-way and MariaDB would write zero dates into the
// rows. The upgrade stops before it on every database, names the column and both ways
// out, and leaves schema, version and rows as they were; on an empty table it runs.
func TestAddNotNullColumnWithoutDefaultStopsOnRows(t *testing.T) {
	start := sch(users())
	forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
		ctx := context.Background()
		first := chain(t, start)[0]
		add := handRevision("rev002", first.ID,
			[]*migrate.Op{{Kind: migrate.OpAddColumn, Table: "user", Column: col("joined", schema.DateTime, false), Line: 7}},
			[]*migrate.Op{{Kind: migrate.OpDropColumn, Table: "user", ColName: "joined", Line: 9}})
		r := runner(t, db, repoFS(t, first, add))
		if err := r.Upgrade(ctx, first.ID); err != nil {
			t.Fatal(err)
		}
		fillRows(t, db, start, 0)
		before := canonical(inspect(t, db), db.Dialect)

		err := r.Upgrade(ctx, "head")
		if err == nil {
			var zero int
			db.SQL.QueryRow("SELECT count(*) FROM " + quoteFor(db, "user") + " WHERE joined < '1000-01-01'").Scan(&zero)
			t.Fatalf("the upgrade added a NOT NULL column without a default to a table with rows (%d rows now hold an invented date)", zero)
		}
		for _, want := range []string{`"user"."joined"`, "2 row(s)", "--default user.joined=VALUE", "nullable"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q:\n%v", want, err)
			}
		}
		if !fileLine.MatchString(err.Error()) {
			t.Errorf("error does not name the file and line:\n%v", err)
		}
		if got := canonical(inspect(t, db), db.Dialect); got != before {
			t.Errorf("schema changed by the refused upgrade:\n%s\nwant:\n%s", got, before)
		}
		if c := current(t, r); len(c) != 1 || c[0] != first.ID {
			t.Errorf("version after the refused upgrade = %v, want %s", c, first.ID)
		}
		if n := rowCount(t, db, "user"); n != 2 {
			t.Errorf("rows after the refused upgrade = %d, want 2", n)
		}

		// Without rows there is nothing to fill: the same revision runs.
		if _, err := db.SQL.Exec("DELETE FROM " + quoteFor(db, "user")); err != nil {
			t.Fatal(err)
		}
		if err := r.Upgrade(ctx, "head"); err != nil {
			t.Fatalf("upgrade on an empty table: %v", err)
		}
		if c := inspect(t, db).Table("user").Column("joined"); c == nil || c.Nullable {
			t.Errorf("joined after the upgrade = %+v, want a NOT NULL column", c)
		}
	})
}

// Setting NOT NULL on a column that holds NULLs: PostgreSQL and SQLite would fail, MySQL
// outside strict mode would write empty strings into the rows. Every database stops before the
// change with the rows; lint counts them; once they are filled the change runs.
func TestSetNotNullStopsOnNulls(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
		ctx := context.Background()
		first := chain(t, sch(aboutMe(140)))[0]
		nf, nt := false, true
		rev := handRevision("rev002", first.ID,
			[]*migrate.Op{{Kind: migrate.OpAlterColumn, Table: "user", ColName: "about_me", Nullable: &nf}},
			[]*migrate.Op{{Kind: migrate.OpAlterColumn, Table: "user", ColName: "about_me", Nullable: &nt}})
		r := runner(t, db, repoFS(t, first, rev))
		if err := r.Upgrade(ctx, first.ID); err != nil {
			t.Fatal(err)
		}
		for _, stmt := range []string{
			"INSERT INTO %s (username, about_me) VALUES ('susan', 'hi')",
			"INSERT INTO %s (username, about_me) VALUES ('john', NULL)",
		} {
			if _, err := db.SQL.Exec(fmt.Sprintf(stmt, quoteFor(db, "user"))); err != nil {
				t.Fatal(err)
			}
		}
		findings, err := r.Lint(ctx, migrate.LintOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(findings) == 0 || !strings.Contains(findings[0].String(), `alter_column: sets NOT NULL on "user"."about_me", which holds 1 NULL(s): the upgrade stops before it`) {
			t.Errorf("lint: %v", findings)
		}
		err = r.Upgrade(ctx, "head")
		if err == nil {
			t.Fatalf("NOT NULL was set over a NULL; about_me of row 2 is now %q", aboutMeOf(t, db, 2))
		}
		for _, want := range []string{"before any change", `1 row(s) of "user"."about_me" are NULL`, "id=2 about_me=NULL"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q:\n%v", want, err)
			}
		}
		if c := inspect(t, db).Table("user").Column("about_me"); !c.Nullable {
			t.Error("about_me became NOT NULL")
		}
		if _, err := db.SQL.Exec(fmt.Sprintf("UPDATE %s SET about_me = '' WHERE about_me IS NULL", quoteFor(db, "user"))); err != nil {
			t.Fatal(err)
		}
		if err := r.Upgrade(ctx, "head"); err != nil {
			t.Fatalf("upgrade once the NULLs are filled: %v", err)
		}
	})
}
