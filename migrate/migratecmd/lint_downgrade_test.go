package migratecmd_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/migratetest"
	"github.com/microblog/microblog/migrate/schema"
)

// db lint checks downgrades too: a revision that widens about_me to varchar(280), turns
// code from integer into varchar(20) and adds bio has a downgrade that narrows about_me,
// casts code's text to integer and drops bio. Lint flags all three while the revision is
// pending; once it is applied, `lint --downgrade` counts the rows each would lose or stop
// at, and the downgrade itself stops before any change with those rows.
func TestLintFlagsDowngrades(t *testing.T) {
	s1 := sch(table("user", str("username", 64, false), str("about_me", 140, true), col("code", schema.Integer, true)))
	s2 := sch(table("user", str("username", 64, false), str("about_me", 280, true), str("code", 20, true), col("bio", schema.Text, true)))
	revs := chain(t, s1, s2)
	forEachDialectURL(t, func(t *testing.T, db *migratetest.DB, url string) {
		ctx := context.Background()
		r := runner(t, db, repoFS(t, revs...))
		if err := r.Upgrade(ctx, revs[0].ID); err != nil {
			t.Fatal(err)
		}
		user := quoteFor(db, "user")
		for _, name := range []string{"susan", "john"} {
			if _, err := db.SQL.Exec(fmt.Sprintf("INSERT INTO %s (username, about_me, code) VALUES ('%s', 'hi', 7)", user, name)); err != nil {
				t.Fatal(err)
			}
		}
		var notes []string
		lint := func(opts migrate.LintOptions) (warnings []string) {
			t.Helper()
			findings, err := r.Lint(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			notes = nil
			for _, f := range findings {
				if f.Note {
					notes = append(notes, f.String())
				} else {
					warnings = append(warnings, f.String())
				}
			}
			return warnings
		}
		expect := func(got []string, want ...string) {
			t.Helper()
			text := strings.Join(got, "\n")
			if len(got) != len(want) {
				t.Errorf("%d warnings, want %d:\n%s", len(got), len(want), text)
			}
			for _, w := range want {
				if !strings.Contains(text, w) {
					t.Errorf("lint lacks %q:\n%s", w, text)
				}
			}
		}

		// Pending: the upgrade only widens and adds; its downgrade is what loses data. That
		// it drops the column the revision adds is a note: that is what taking it back means.
		expect(lint(migrate.LintOptions{}),
			`: downgrade: alter_column: narrows "user"."about_me" from varchar(280) to varchar(140): the downgrade stops before the change if any rows are longer than 140 characters`,
			`: downgrade: alter_column: narrows "user"."code" from varchar(20) to integer: the downgrade stops before the change if any rows are not an integer`)
		if len(notes) != 1 || !strings.Contains(notes[0], `: downgrade: drop_column: drops column "user"."bio", which this revision adds: values written after the upgrade are lost`) {
			t.Errorf("notes: %q", notes)
		}

		if err := r.Upgrade(ctx, "head"); err != nil {
			t.Fatal(err)
		}
		long := strings.Repeat("a", 200)
		for _, stmt := range []string{
			fmt.Sprintf("UPDATE %s SET about_me = '%s', bio = 'x'", user, long),
			fmt.Sprintf("UPDATE %s SET code = 'A-17' WHERE username = 'john'", user),
			fmt.Sprintf("INSERT INTO %s (username, about_me, code, bio) VALUES ('mary', 'short', '42', 'y')", user),
		} {
			if _, err := db.SQL.Exec(stmt); err != nil {
				t.Fatal(err)
			}
		}
		expect(lint(migrate.LintOptions{}))
		expect(lint(migrate.LintOptions{Downgrade: "-1"}),
			`: downgrade: alter_column: narrows "user"."about_me" from varchar(280) to varchar(140): the downgrade stops before the change if any rows are longer than 140 characters, which VARCHAR(140) cannot hold (2 row(s) now)`,
			`: downgrade: alter_column: narrows "user"."code" from varchar(20) to integer: the downgrade stops before the change if any rows are not an integer, or are outside the range of INTEGER (-2147483648 to 2147483647) (1 row(s) now)`,
			`: downgrade: drop_column: drops column "user"."bio" (3 row(s) hold a value in it) (its data is lost)`)

		// The CLI says the same and fails; the downgrade itself is refused before any change.
		dir := t.TempDir()
		writeRepo(t, dir, revs...)
		_, stderr, err := runDB(t, dir, url, nil, strings.NewReader(""), "lint", "--downgrade")
		if err == nil || err.Error() != "3 warning(s) in the downgrade to -1" || strings.Count(stderr, "WARNING  ") != 3 || !strings.Contains(stderr, "(2 row(s) now)") {
			t.Errorf("db lint --downgrade: err %v\n%s", err, stderr)
		}
		if stdout, stderr, err := runDB(t, dir, url, nil, strings.NewReader(""), "lint"); err != nil || !strings.Contains(stdout, "No destructive or locking operations in pending revisions.") {
			t.Errorf("db lint at head: err %v\n%s%s", err, stdout, stderr)
		}
		before := canonical(inspect(t, db), db.Dialect)
		err = r.Downgrade(ctx, "-1")
		if err == nil {
			t.Fatal("the downgrade ran over rows it cannot keep")
		}
		for _, want := range []string{"downgrade refused before any change", `2 row(s) of "user"."about_me"`, `1 row(s) of "user"."code"`, `code="A-17"`,
			`about_me="` + long[:60] + `"… (200 characters)`} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("downgrade error lacks %q:\n%v", want, err)
			}
		}
		if got := canonical(inspect(t, db), db.Dialect); got != before {
			t.Errorf("schema changed by the refused downgrade:\n%s\nwant:\n%s", got, before)
		}
		if c := current(t, r); len(c) != 1 || c[0] != revs[1].ID {
			t.Errorf("version = %v, want %s", c, revs[1].ID)
		}
	})
}
