package migratecmd_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microblog/microblog/migrate/internal/migratetest"
	"github.com/microblog/microblog/migrate/schema"
)

// usersWithKarma is users() plus two NOT NULL columns without a default.
func usersWithKarma() *schema.Schema {
	u := users()
	u.Columns = append(u.Columns, col("karma", schema.Integer, false), col("joined", schema.DateTime, false))
	return sch(u)
}

func revisionFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "migrations", "versions", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// db migrate never writes an add_column that fails or invents data on a table with rows.
// Without a terminal and without --default it refuses, naming each column and both ways
// out, and writes nothing; with --default it writes add nullable → fill → set NOT NULL,
// which upgrades a table with rows on every database, gives the rows the value, and
// downgrades. Bad --default values are refused with the value named.
func TestAutogenerateNotNullColumnNeedsAValueForExistingRows(t *testing.T) {
	forEachDialectURL(t, func(t *testing.T, db *migratetest.DB, url string) {
		dir := t.TempDir()
		models := sch(users())
		get := func() (*schema.Schema, error) { return models, nil }
		run := func(args ...string) (string, string, error) {
			return runDB(t, dir, url, get, strings.NewReader(""), args...)
		}
		for _, args := range [][]string{{"init"}, {"migrate", "-m", "users", "--rev-id", "rev001"}, {"upgrade"}} {
			if _, stderr, err := run(args...); err != nil {
				t.Fatalf("db %v: %v\n%s", args, err, stderr)
			}
		}
		fillRows(t, db, sch(users()), 0)
		models = usersWithKarma()

		_, stderr, err := run("migrate", "-m", "karma")
		if err == nil {
			t.Fatalf("db migrate wrote NOT NULL columns without a value for the existing rows:\n%s", stderr)
		}
		for _, want := range []string{`column "user"."karma" is NOT NULL without a default`, "--default user.karma=VALUE", `column "user"."joined"`, "--default user.joined=VALUE", "give the model's column a default (or make it nullable)"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("refusal lacks %q:\n%v", want, err)
			}
		}
		if !strings.Contains(stderr, "Detected added column 'user.karma'") {
			t.Errorf("the detected changes are not shown before the refusal:\n%s", stderr)
		}
		if n := len(revisionFiles(t, dir)); n != 1 {
			t.Errorf("%d revision files after the refusal, want 1", n)
		}

		for _, bad := range []struct{ flag, want string }{
			{"user.karma", "want table.column=VALUE"},
			{"karma=7", "want table.column=VALUE"},
			{"user.karma=  ", "the value is empty"},
			{"user.karma=7\x00", "without NUL bytes"},
			{"user.karma=\xff", "valid UTF-8"},
			{"user.karma=7\nDROP TABLE x", "one line"},
			{"user.nosuch=7", "--default user.nosuch: no NOT NULL column without a default"},
			{"u\u0455er.karma=7", "--default u\u0455er.karma: no NOT NULL column"}, // Cyrillic dze for the s
		} {
			_, _, err := run("migrate", "-m", "karma", "--default", "user.joined=CURRENT_TIMESTAMP", "--default", bad.flag)
			if err == nil || !strings.Contains(err.Error(), bad.want) {
				t.Errorf("--default %q: err = %v, want %q", bad.flag, err, bad.want)
			}
			if n := len(revisionFiles(t, dir)); n != 1 {
				t.Fatalf("--default %q wrote a revision", bad.flag)
			}
		}

		stdout, stderr, err := run("migrate", "-m", "karma", "--rev-id", "rev002", "--default", "user.karma=7", "--default", "user.joined=CURRENT_TIMESTAMP")
		if err != nil {
			t.Fatalf("db migrate --default: %v\n%s%s", err, stdout, stderr)
		}
		data, err := os.ReadFile(filepath.Join(dir, "migrations", "versions", "rev002_karma.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`UPDATE "user" SET "karma" = 7 WHERE "karma" IS NULL`, "UPDATE `user` SET `joined` = CURRENT_TIMESTAMP WHERE `joined` IS NULL", "nullable: false"} {
			if !strings.Contains(string(data), want) {
				t.Errorf("revision lacks %q:\n%s", want, data)
			}
		}
		if _, stderr, err := run("upgrade"); err != nil {
			t.Fatalf("upgrade of the generated revision with rows present: %v\n%s", err, stderr)
		}
		var filled int
		q := fmt.Sprintf("SELECT count(*) FROM %s WHERE karma = 7 AND joined > '2000-01-01'", quoteFor(db, "user"))
		if err := db.SQL.QueryRow(q).Scan(&filled); err != nil || filled != 2 {
			t.Errorf("rows filled with the one-off values = %d (%v), want 2", filled, err)
		}
		u := inspect(t, db).Table("user")
		for _, name := range []string{"karma", "joined"} {
			if c := u.Column(name); c == nil || c.Nullable || c.Default != nil {
				t.Errorf("%s after the upgrade = %+v, want NOT NULL without a default (the value was one-off)", name, c)
			}
		}
		if got, want := canonical(inspect(t, db), db.Dialect), canonical(usersWithKarma(), db.Dialect); got != want {
			t.Errorf("schema after the upgrade:\n%s\nwant:\n%s", got, want)
		}
		if _, stderr, err := run("check"); err != nil {
			t.Errorf("db check after the upgrade: %v\n%s", err, stderr)
		}
		if _, stderr, err := run("downgrade"); err != nil {
			t.Fatalf("downgrade: %v\n%s", err, stderr)
		}
		if got, want := canonical(inspect(t, db), db.Dialect), canonical(sch(users()), db.Dialect); got != want {
			t.Errorf("schema after the downgrade:\n%s\nwant:\n%s", got, want)
		}
	})
}

// The downgrade of a revision that drops a NOT NULL column adds it back; autogenerate
// takes --default for its rows too, and without one warns instead of refusing.
func TestAutogenerateWarnsAboutADowngradeThatNeedsAValue(t *testing.T) {
	forEachDialectURL(t, func(t *testing.T, db *migratetest.DB, url string) {
		dir := t.TempDir()
		models := usersWithKarma()
		get := func() (*schema.Schema, error) { return models, nil }
		run := func(args ...string) (string, string, error) {
			return runDB(t, dir, url, get, strings.NewReader(""), args...)
		}
		for _, args := range [][]string{{"init"}, {"migrate", "-m", "users", "--rev-id", "rev001"}} {
			if _, stderr, err := run(args...); err != nil {
				t.Fatalf("db %v: %v\n%s", args, err, stderr)
			}
		}
		models = sch(users())
		_, stderr, err := run("migrate", "-m", "drop karma", "--rev-id", "rev002", "--default", "user.karma=0")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stderr, `WARNING  [migrate] The downgrade adds "user"."joined" back as NOT NULL without a default: on a table with rows it stops before the change. To fill them in the revision, run again with --default user.joined=VALUE`) ||
			strings.Contains(stderr, `"user"."karma" back`) {
			t.Errorf("warnings:\n%s", stderr)
		}
		for _, args := range [][]string{{"upgrade", "rev001"}} {
			if _, stderr, err := run(args...); err != nil {
				t.Fatalf("db %v: %v\n%s", args, err, stderr)
			}
		}
		if _, err := db.SQL.Exec(fmt.Sprintf("INSERT INTO %s (username, email, karma, joined) VALUES ('susan', 's@x', 3, '2026-01-01 10:00:00')", quoteFor(db, "user"))); err != nil {
			t.Fatal(err)
		}
		if _, stderr, err := run("upgrade"); err != nil {
			t.Fatalf("upgrade: %v\n%s", err, stderr)
		}
		// The downgrade stops at joined (no value), before any change.
		_, _, err = run("downgrade")
		if err == nil || !strings.Contains(err.Error(), `new NOT NULL column "user"."joined"`) || !strings.Contains(err.Error(), "before any change") {
			t.Fatalf("downgrade without a value for joined: %v", err)
		}
		if stdout, _, _ := run("current"); strings.TrimSpace(stdout) != "rev002 (head)" {
			t.Errorf("version after the refused downgrade = %q", stdout)
		}
	})
}
