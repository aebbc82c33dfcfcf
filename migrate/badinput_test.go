package migrate_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/migratetest"
)

const goodFirst = `revision: aaaaaaaaaaaa
down_revision: null
message: "users table"
create_date: 2026-01-01 00:00:00.000000
upgrade:
  - create_table:
      name: user
      columns:
        - {name: id, type: integer, nullable: false, autoincrement: true}
        - {name: username, type: varchar(64), nullable: false}
      primary_key: {name: pk_user, columns: [id]}
downgrade:
  - drop_table: {name: user}
`

func second(body string) string {
	return `revision: bbbbbbbbbbbb
down_revision: aaaaaaaaaaaa
message: "second"
create_date: 2026-01-02 00:00:00.000000
` + body
}

// TestBadRevisionsLeaveTheDatabaseUntouched: each broken repository gives one clear error
// naming the file (and line where there is one), and the database stays as it was.
func TestBadRevisionsLeaveTheDatabaseUntouched(t *testing.T) {
	cases := []struct {
		name   string
		files  map[string]string
		target string
		want   []string
	}{
		{"syntax error", map[string]string{"b.yaml": second("upgrade:\n  - add_column: {table: user, column: {name: x, type: text\ndowngrade: []\n")},
			"head", []string{"versions/b.yaml:", "YAML syntax"}},
		{"unknown op", map[string]string{"b.yaml": second("upgrade:\n  - add_colum: {table: user}\ndowngrade: []\n")},
			"head", []string{"versions/b.yaml:6:", `unknown operation "add_colum"`, "add_column"}},
		{"unknown field", map[string]string{"b.yaml": second("upgrade:\n  - create_index: {table: user, name: ix_u, colums: [username]}\ndowngrade: []\n")},
			"head", []string{"versions/b.yaml:6:", `unknown field "colums"`}},
		{"missing down_revision", map[string]string{"b.yaml": "revision: bbbbbbbbbbbb\nmessage: x\nupgrade: []\ndowngrade: []\n"},
			"head", []string{"versions/b.yaml:1:", `missing "down_revision"`}},
		{"unknown down_revision", map[string]string{"b.yaml": strings.Replace(second("upgrade: []\ndowngrade: []\n"), "down_revision: aaaaaaaaaaaa", "down_revision: cccccccccccc", 1)},
			"head", []string{"versions/b.yaml", "down_revision cccccccccccc: no revision file has that id"}},
		{"duplicate revision id", map[string]string{"b.yaml": strings.Replace(goodFirst, "users table", "copy", 1)},
			"head", []string{"duplicate revision id aaaaaaaaaaaa"}},
		{"cycle", map[string]string{
			"b.yaml": strings.Replace(second("upgrade: []\ndowngrade: []\n"), "down_revision: aaaaaaaaaaaa", "down_revision: [aaaaaaaaaaaa, cccccccccccc]", 1),
			"c.yaml": "revision: cccccccccccc\ndown_revision: bbbbbbbbbbbb\nmessage: c\nupgrade: []\ndowngrade: []\n"},
			"head", []string{"revision cycle"}},
		{"unknown target", map[string]string{"b.yaml": second("upgrade: []\ndowngrade: []\n")},
			"deadbeef0000", []string{`no revision has the id, prefix or branch label "deadbeef0000"`}},
		{"op that does not fit the schema", map[string]string{"b.yaml": second("upgrade:\n  - add_column: {table: user, column: {name: email, type: varchar(120), nullable: true}}\n  - drop_column: {table: user, column: emial}\ndowngrade: []\n")},
			"head", []string{"versions/b.yaml:7:", `no column "emial" in table "user"`}},
		{"add_column after a column that does not exist", map[string]string{"b.yaml": second("upgrade:\n  - add_column: {table: user, column: {name: email, type: varchar(120), nullable: true}, after: usernme}\ndowngrade: []\n")},
			"head", []string{"versions/b.yaml:6:", `after: no column "usernme" in table "user"`}},
		{"SQL the database refuses", map[string]string{"b.yaml": second("upgrade:\n  - create_index: {table: user, name: ix_user_email, columns: [username], unique: true}\n  - execute: {sql: \"THIS IS NOT SQL\"}\ndowngrade: []\n")},
			"head", []string{"upgrade bbbbbbbbbbbb", "nothing of it was applied"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
				// MySQL commits each DDL statement itself: the index stays, and the message
				// must say so (TestFailedStatementSaysWhatStaysApplied follows its advice).
				partial := c.name == "SQL the database refuses" && db.Dialect == migrate.MySQL
				want := c.want
				if partial {
					want = []string{"upgrade bbbbbbbbbbbb", "failed at statement 2 of 2", "statements 1 to 1 are applied and stay applied", "1. CREATE UNIQUE INDEX `ix_user_email`", "resumes at statement 2"}
				}
				ctx := context.Background()
				good := fstest.MapFS{"versions/a.yaml": {Data: []byte(goodFirst)}}
				r := runner(t, db, good)
				if err := r.Upgrade(ctx, "head"); err != nil {
					t.Fatal(err)
				}
				before := canonical(inspect(t, db), db.Dialect)
				fs := fstest.MapFS{"versions/a.yaml": {Data: []byte(goodFirst)}}
				for name, body := range c.files {
					fs["versions/"+name] = &fstest.MapFile{Data: []byte(body)}
				}
				err := func() error {
					repo, err := migrate.LoadRepo(fs, "migrations")
					if err != nil {
						return err
					}
					return (&migrate.Runner{DB: db.SQL, Dialect: db.Dialect, Repo: repo}).Upgrade(ctx, c.target)
				}()
				if err == nil {
					t.Fatal("accepted")
				}
				msg := err.Error()
				for _, w := range want {
					if !strings.Contains(msg, w) {
						t.Errorf("error %q lacks %q", msg, w)
					}
				}
				if partial {
					if strings.Contains(msg, "nothing of it was applied") {
						t.Errorf("error %q says nothing was applied", msg)
					}
					if inspect(t, db).Table("user").Index("ix_user_email") == nil {
						t.Errorf("the message says the index stays, but it is not there")
					}
				} else if after := canonical(inspect(t, db), db.Dialect); after != before {
					t.Errorf("database changed:\n%s\nwas:\n%s", after, before)
				}
				if cur := current(t, r); len(cur) != 1 || cur[0] != "aaaaaaaaaaaa" {
					t.Errorf("version now %v, want aaaaaaaaaaaa", cur)
				}
			})
		})
	}
}

// A real app's revision files (testdata/apphistory), generated once on SQLite, give every dialect the same
// logical schema: the one the history replays to.
func TestAppMigrationsGiveTheSameSchemaEverywhere(t *testing.T) {
	repo, err := migrate.LoadRepo(appHistory, appHistoryDir)
	if err != nil {
		t.Fatal(err)
	}
	want, err := repo.SchemaAt(repo.Heads()...)
	if err != nil {
		t.Fatal(err)
	}
	forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
		if err := migrate.UpgradeToHead(context.Background(), db.SQL, db.Dialect, appHistory, appHistoryDir, nil); err != nil {
			t.Fatal(err)
		}
		// Fold unique constraints into unique indexes on every dialect, as MySQL must.
		// The full-text index made by execute SQL is declared unmanaged (docs/search.md).
		if g, w := canonical(repo.Managed(inspect(t, db)), migrate.MySQL), canonical(want, migrate.MySQL); g != w {
			t.Fatalf("schema differs from the replayed history:\n got:\n%s\nwant:\n%s", g, w)
		}
		// Every revision of the app also goes down and up again.
		r := &migrate.Runner{DB: db.SQL, Dialect: db.Dialect, Repo: repo}
		if drift, err := r.Drift(context.Background()); err != nil || len(drift) > 0 {
			t.Fatalf("drift right after upgrading: %v %v", drift, err)
		}
		if err := r.Downgrade(context.Background(), "base"); err != nil {
			t.Fatal(err)
		}
		if s := inspect(t, db); len(s.Tables) != 0 {
			t.Fatalf("tables left at base: %s", canonical(s, db.Dialect))
		}
		if err := r.Upgrade(context.Background(), "head"); err != nil {
			t.Fatal(err)
		}
	})
}

var _ = os.Getenv
