package migrate_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/migratetest"
)

func yamlRepo(files map[string]string) fstest.MapFS {
	fs := fstest.MapFS{"versions": &fstest.MapFile{Mode: 0o755 | 1<<31}}
	for name, body := range files {
		fs["versions/"+name] = &fstest.MapFile{Data: []byte(body)}
	}
	return fs
}

const reqRev1 = `revision: aaaaaaaaaaa1
down_revision: null
message: members
upgrade:
  - create_table:
      name: member
      columns:
        - {name: id, type: integer, nullable: false}
        - {name: name, type: varchar(40), nullable: false}
      primary_key: {name: pk_member, columns: [id]}
downgrade:
  - drop_table: {name: member}
`

const reqRev2 = `revision: aaaaaaaaaaa2
down_revision: aaaaaaaaaaa1
message: member notes
upgrade:
  - add_column:
      table: member
      column: {name: note, type: varchar(40), nullable: true}
downgrade:
  - drop_column: {table: member, column: note}
`

const reqRev3 = `revision: aaaaaaaaaaa3
down_revision: aaaaaaaaaaa2
message: unique names regardless of case
upgrade:
  - require:
      message: names that differ only in case
      fix: rename one of each pair
      tables: [member]
      sql: SELECT id, name FROM member WHERE lower(name) IN (SELECT lower(name) FROM member GROUP BY lower(name) HAVING count(*) > 1) ORDER BY id
  - create_index: {table: member, name: ix_member_name, columns: [name], unique: true}
downgrade:
  - drop_index: {table: member, name: ix_member_name}
`

func TestRequireParseErrors(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{strings.Replace(reqRev3, "      message: names that differ only in case\n", "", 1), `aaaaaaaaaaa3_x.yaml:6: require: missing field "message"`},
		{strings.Replace(reqRev3, "      sql: SELECT", "      sqll: SELECT", 1), `aaaaaaaaaaa3_x.yaml:9: require: unknown field "sqll"`},
		{strings.Replace(reqRev3, "upgrade:\n  - require:", "upgrade:\n  - drop_index: {table: member, name: ix_member_other}\n  - require:", 1), "aaaaaaaaaaa3_x.yaml:6: require must come before the revision's other operations"},
	} {
		_, err := migrate.LoadRepo(yamlRepo(map[string]string{"aaaaaaaaaaa1_x.yaml": reqRev1, "aaaaaaaaaaa2_x.yaml": reqRev2, "aaaaaaaaaaa3_x.yaml": tc.body}), "migrations")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want it to contain %q", err, tc.want)
		}
	}
	// A table the history does not have at that point is refused when planning.
	bad := strings.Replace(reqRev3, "tables: [member]", "tables: [members]", 1)
	repo, err := migrate.LoadRepo(yamlRepo(map[string]string{"aaaaaaaaaaa1_x.yaml": reqRev1, "aaaaaaaaaaa2_x.yaml": reqRev2, "aaaaaaaaaaa3_x.yaml": bad}), "migrations")
	if err != nil {
		t.Fatal(err)
	}
	r := &migrate.Runner{Dialect: migrate.SQLite, Repo: repo}
	if _, err := r.Script(nil, "head", true); err == nil || !strings.Contains(err.Error(), `aaaaaaaaaaa3_x.yaml:5: require: tables: no table "members"`) {
		t.Errorf("unknown table in tables: %v", err)
	}
}

// Rows that a later revision cannot take stop the whole upgrade before its first
// revision, on every dialect: version, schema and rows stay as they were, and the message
// names the rows. Once they are fixed, the same upgrade goes through.
func TestRequireStopsTheUpgradeBeforeAnyChange(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
		ctx := context.Background()
		r := runner(t, db, yamlRepo(map[string]string{"aaaaaaaaaaa1_x.yaml": reqRev1, "aaaaaaaaaaa2_x.yaml": reqRev2, "aaaaaaaaaaa3_x.yaml": reqRev3}))
		if err := r.Upgrade(ctx, "aaaaaaaaaaa1"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL.ExecContext(ctx, "INSERT INTO member (id, name) VALUES (1, 'Ann'), (2, 'bob'), (3, 'ann'), (4, 'ANN')"); err != nil {
			t.Fatal(err)
		}
		before, err := migrate.Inspect(ctx, db.SQL, db.Dialect)
		if err != nil {
			t.Fatal(err)
		}
		err = r.Upgrade(ctx, "head")
		if err == nil {
			t.Fatal("upgrade went through duplicates")
		}
		for _, want := range []string{"upgrade refused before any change", "aaaaaaaaaaa3_x.yaml:5", "3 row(s) of names that differ only in case",
			`id=1 name="Ann"`, `id=3 name="ann"`, `id=4 name="ANN"`, "To resolve: rename one of each pair"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q:\n%v", want, err)
			}
		}
		if strings.Contains(err.Error(), `"bob"`) {
			t.Errorf("error names a row that is not in the way:\n%v", err)
		}
		if cur, _ := r.Current(ctx); strings.Join(cur, ",") != "aaaaaaaaaaa1" {
			t.Errorf("version moved to %v", cur)
		}
		after, err := migrate.Inspect(ctx, db.SQL, db.Dialect)
		if err != nil {
			t.Fatal(err)
		}
		if canonical(before, db.Dialect) != canonical(after, db.Dialect) {
			t.Errorf("schema changed by a refused upgrade:\n%s\n---\n%s", canonical(before, db.Dialect), canonical(after, db.Dialect))
		}

		if _, err := db.SQL.ExecContext(ctx, "UPDATE member SET name = 'ann_3' WHERE id = 3"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL.ExecContext(ctx, "UPDATE member SET name = 'ann_4' WHERE id = 4"); err != nil {
			t.Fatal(err)
		}
		if err := r.Upgrade(ctx, "head"); err != nil {
			t.Fatalf("upgrade after fixing the rows: %v", err)
		}
		if _, err := db.SQL.ExecContext(ctx, "INSERT INTO member (id, name) VALUES (5, 'bob')"); err == nil {
			t.Error("the unique index is missing after the upgrade")
		}
	})
}

// A requirement whose table does not exist yet when the run starts is checked in place:
// rows written by an earlier revision of the same run stop the run at that revision,
// with none of it applied.
func TestRequireCheckedInPlace(t *testing.T) {
	seed := strings.Replace(reqRev2, "upgrade:\n", "upgrade:\n  - execute:\n      sql: INSERT INTO member (id, name) VALUES (1, 'Ann'), (2, 'ann')\n", 1)
	forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
		ctx := context.Background()
		r := runner(t, db, yamlRepo(map[string]string{"aaaaaaaaaaa1_x.yaml": reqRev1, "aaaaaaaaaaa2_x.yaml": seed, "aaaaaaaaaaa3_x.yaml": reqRev3}))
		err := r.Upgrade(ctx, "head")
		if err == nil || !strings.Contains(err.Error(), "upgrade aaaaaaaaaaa3 (migrations/versions/aaaaaaaaaaa3_x.yaml) failed, nothing of it was applied") ||
			!strings.Contains(err.Error(), `id=2 name="ann"`) {
			t.Fatalf("error %v", err)
		}
		if cur, _ := r.Current(ctx); strings.Join(cur, ",") != "aaaaaaaaaaa2" {
			t.Errorf("version is %v, want aaaaaaaaaaa2", cur)
		}
		live, err := migrate.Inspect(ctx, db.SQL, db.Dialect)
		if err != nil {
			t.Fatal(err)
		}
		if live.Table("member").Index("ix_member_name") != nil {
			t.Error("the index of the refused revision exists")
		}
	})
}

// Offline scripts cannot check; they say what an online run checks.
func TestRequireInOfflineScripts(t *testing.T) {
	repo, err := migrate.LoadRepo(yamlRepo(map[string]string{"aaaaaaaaaaa1_x.yaml": reqRev1, "aaaaaaaaaaa2_x.yaml": reqRev2, "aaaaaaaaaaa3_x.yaml": reqRev3}), "migrations")
	if err != nil {
		t.Fatal(err)
	}
	r := &migrate.Runner{Dialect: migrate.Postgres, Repo: repo}
	out, err := r.Script(nil, "head", true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "-- require (checked by online runs, which stop if the query finds rows of names that differ only in case)\n-- SELECT id, name FROM member") {
		t.Errorf("script:\n%s", out)
	}
}
