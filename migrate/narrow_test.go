package migrate_test

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/migratetest"
	"github.com/microblog/microblog/migrate/schema"
)

var fileLine = regexp.MustCompile(`rev002_hand_rev002\.yaml:[0-9]+\b`)

func aboutMe(n int) *schema.Table {
	return table("user", str("username", 64, false), str("about_me", n, true))
}

func aboutMeOf(t testing.TB, db *migratetest.DB, id int) string {
	t.Helper()
	var s sql.NullString
	// Cast, so that PostgreSQL's cached plan keeps its result type when the column's changes.
	text := "TEXT"
	if db.Dialect == migrate.MySQL {
		text = "CHAR"
	}
	if err := db.SQL.QueryRow(fmt.Sprintf("SELECT CAST(about_me AS %s) FROM %s WHERE id = %d", text, quoteFor(db, "user"), id)).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s.String
}

func narrowOp(line int) *migrate.Op {
	typ := schema.Type{Kind: schema.String, Length: 5}
	return &migrate.Op{Kind: migrate.OpAlterColumn, Table: "user", ColName: "about_me", Type: &typ, Line: line}
}

func widenOp(line int) *migrate.Op {
	typ := schema.Type{Kind: schema.String, Length: 140}
	return &migrate.Op{Kind: migrate.OpAlterColumn, Table: "user", ColName: "about_me", Type: &typ, Line: line}
}

// Narrowing varchar(140) to varchar(5) while a row holds ten characters: PostgreSQL's
// USING cast would cut it to five, SQLite would keep a value its type does not allow.
// Every database stops before the change, with the count and the row, and nothing of the
// revision is applied — on MySQL too, where the revision's first statement (on the same
// table, but not on that column) would otherwise have committed already.
func TestNarrowingStopsWhenRowsDoNotFit(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
		ctx := context.Background()
		first := chain(t, sch(aboutMe(140)))[0]
		rev := handRevision("rev002", first.ID,
			[]*migrate.Op{{Kind: migrate.OpAddColumn, Table: "user", Column: str("note", 10, true), Line: 6}, narrowOp(7)},
			[]*migrate.Op{widenOp(9), {Kind: migrate.OpDropColumn, Table: "user", ColName: "note", Line: 10}})
		r := runner(t, db, repoFS(t, first, rev))
		if err := r.Upgrade(ctx, first.ID); err != nil {
			t.Fatal(err)
		}
		for _, stmt := range []string{
			"INSERT INTO %s (username, about_me) VALUES ('susan', '0123456789')",
			"INSERT INTO %s (username, about_me) VALUES ('john', 'short')",
			"INSERT INTO %s (username, about_me) VALUES ('mary', NULL)",
		} {
			if _, err := db.SQL.Exec(fmt.Sprintf(stmt, quoteFor(db, "user"))); err != nil {
				t.Fatal(err)
			}
		}
		before := canonical(inspect(t, db), db.Dialect)
		err := r.Upgrade(ctx, "head")
		if err == nil {
			t.Fatalf("narrowing ran over a row that does not fit; about_me of row 1 is now %q", aboutMeOf(t, db, 1))
		}
		if !fileLine.MatchString(err.Error()) {
			t.Errorf("error does not name the file and line:\n%v", err)
		}
		for _, want := range []string{`1 row(s) of "user"."about_me"`, "longer than 5 characters", `id=1 about_me="0123456789"`, "before any change"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q:\n%v", want, err)
			}
		}
		if strings.Contains(err.Error(), "john") || strings.Contains(err.Error(), `"short"`) {
			t.Errorf("error lists a row that fits:\n%v", err)
		}
		if got := canonical(inspect(t, db), db.Dialect); got != before {
			t.Errorf("schema changed by the refused upgrade:\n%s\nwant:\n%s", got, before)
		}
		if c := current(t, r); len(c) != 1 || c[0] != first.ID {
			t.Errorf("version = %v, want %s", c, first.ID)
		}
		if got := aboutMeOf(t, db, 1); got != "0123456789" {
			t.Errorf("about_me of row 1 = %q, want it whole", got)
		}

		// Once the row fits, the same revision runs and keeps every value.
		if _, err := db.SQL.Exec(fmt.Sprintf("UPDATE %s SET about_me = '01234' WHERE id = 1", quoteFor(db, "user"))); err != nil {
			t.Fatal(err)
		}
		if err := r.Upgrade(ctx, "head"); err != nil {
			t.Fatalf("upgrade once every row fits: %v", err)
		}
		if a, b := aboutMeOf(t, db, 1), aboutMeOf(t, db, 2); a != "01234" || b != "short" {
			t.Errorf("values after narrowing = %q, %q", a, b)
		}
		if c := inspect(t, db).Table("user").Column("about_me"); c.Type.Length != 5 {
			t.Errorf("about_me after the upgrade: %s", c.Type.Spec())
		}
	})
}

// When the revision itself writes the rows that do not fit (an execute op before the
// narrowing), the check runs in place, just before the narrowing statement: SQLite and
// PostgreSQL roll the whole revision back; MySQL, which committed the execute already,
// never runs the narrowing. No database cuts the value.
func TestNarrowingCheckedInPlaceAfterTheRevisionsOwnWrites(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
		ctx := context.Background()
		first := chain(t, sch(aboutMe(140)))[0]
		write := &migrate.Op{Kind: migrate.OpExecute, Line: 6, SQLFor: map[string]string{
			migrate.SQLite:   `UPDATE "user" SET about_me = 'abcdefghij' WHERE id = 2`,
			migrate.Postgres: `UPDATE "user" SET about_me = 'abcdefghij' WHERE id = 2`,
			migrate.MySQL:    "UPDATE `user` SET about_me = 'abcdefghij' WHERE id = 2",
		}}
		rev := handRevision("rev002", first.ID, []*migrate.Op{write, narrowOp(7)}, []*migrate.Op{widenOp(9)})
		r := runner(t, db, repoFS(t, first, rev))
		if err := r.Upgrade(ctx, first.ID); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"susan", "john"} {
			if _, err := db.SQL.Exec(fmt.Sprintf("INSERT INTO %s (username, about_me) VALUES ('%s', 'short')", quoteFor(db, "user"), name)); err != nil {
				t.Fatal(err)
			}
		}
		err := r.Upgrade(ctx, "head")
		if err == nil {
			t.Fatalf("narrowing ran over a row that does not fit; about_me of row 2 is now %q", aboutMeOf(t, db, 2))
		}
		if !fileLine.MatchString(err.Error()) {
			t.Errorf("error does not name the file and line:\n%v", err)
		}
		for _, want := range []string{`1 row(s) of "user"."about_me"`, `id=2 about_me="abcdefghij"`} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q:\n%v", want, err)
			}
		}
		want := "short" // rolled back with the revision
		if db.Dialect == migrate.MySQL {
			want = "abcdefghij" // the execute committed by itself; the narrowing never ran
			if !strings.Contains(err.Error(), "statements 1 to 1 of this revision are applied; fix the rows and run again to resume") {
				t.Errorf("the error does not say what MySQL applied already:\n%v", err)
			}
		}
		if got := aboutMeOf(t, db, 2); got != want {
			t.Errorf("about_me of row 2 = %q, want %q", got, want)
		}
		if c := inspect(t, db).Table("user").Column("about_me"); c.Type.Length != 140 {
			t.Errorf("about_me is %s after the refused narrowing, want varchar(140)", c.Type.Spec())
		}
		if c := current(t, r); len(c) != 1 || c[0] != first.ID {
			t.Errorf("version = %v, want %s", c, first.ID)
		}
	})
}

// Each kind of narrowing is checked: a row that would be cut, rounded, overflow or not
// convert stops the upgrade with that row; without it the change runs and keeps the rows.
func TestNarrowingChecksEveryKindOfType(t *testing.T) {
	typ := func(k schema.Kind) schema.Type { return schema.Type{Kind: k} }
	cases := []struct {
		name     string
		from, to schema.Type
		good     []string // SQL literals that fit
		bad      []string // SQL literals that do not
		shown    string   // how the first bad value appears in the error
		why      string
	}{
		{"text to varchar", typ(schema.Text), schema.Type{Kind: schema.String, Length: 5}, []string{"'abc'"}, []string{"'abcdefgh'"}, `v="abcdefgh"`, "longer than 5 characters"},
		{"varchar counts characters, not bytes", schema.Type{Kind: schema.String, Length: 20}, schema.Type{Kind: schema.String, Length: 5},
			[]string{"'ééééé'", "'ｕｓｅｒ'"}, []string{"'😀😀😀😀😀😀'"}, `v="😀😀😀😀😀😀"`, "longer than 5 characters"},
		{"integer to smallint", typ(schema.Integer), typ(schema.SmallInt), []string{"7", "-32768"}, []string{"40000"}, "v=40000", "outside"},
		{"bigint to integer", typ(schema.BigInteger), typ(schema.Integer), []string{"7"}, []string{"3000000000"}, "v=3000000000", "outside"},
		{"float to integer", typ(schema.Float), typ(schema.Integer), []string{"3"}, []string{"2.5"}, `v="2.5"`, "fraction"},
		{"numeric to narrower numeric", schema.Type{Kind: schema.Numeric, Precision: 10, Scale: 2}, schema.Type{Kind: schema.Numeric, Precision: 5, Scale: 1},
			[]string{"12.5"}, []string{"1.25", "12345.6"}, "v=", "NUMERIC(5, 1)"},
		{"varchar to integer", schema.Type{Kind: schema.String, Length: 20}, typ(schema.Integer), []string{"'42'", "'-7'"}, []string{"'12a'"}, `v="12a"`, "not an integer"},
		{"datetime to date", typ(schema.DateTime), typ(schema.Date), []string{"'2026-01-02 00:00:00'"}, []string{"'2026-01-01 10:00:00'"}, "v=", "time of day"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
				ctx := context.Background()
				from, to := tc.from, tc.to
				first := chain(t, sch(table("item", &schema.Column{Name: "v", Type: from, Nullable: true})))[0]
				alter := &migrate.Op{Kind: migrate.OpAlterColumn, Table: "item", ColName: "v", Type: &to, Line: 5}
				back := &migrate.Op{Kind: migrate.OpAlterColumn, Table: "item", ColName: "v", Type: &from, Line: 7}
				r := runner(t, db, repoFS(t, first, handRevision("rev002", first.ID, []*migrate.Op{alter}, []*migrate.Op{back})))
				if err := r.Upgrade(ctx, first.ID); err != nil {
					t.Fatal(err)
				}
				for _, v := range append(append([]string{}, tc.good...), tc.bad...) {
					if _, err := db.SQL.Exec(fmt.Sprintf("INSERT INTO item (v) VALUES (%s)", v)); err != nil {
						t.Fatal(err)
					}
				}
				err := r.Upgrade(ctx, "head")
				if err == nil {
					t.Fatalf("the change ran over rows that do not fit: %s", dump(t, db, "item"))
				}
				for _, want := range []string{fmt.Sprintf(`%d row(s) of "item"."v"`, len(tc.bad)), tc.shown, tc.why} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error lacks %q:\n%v", want, err)
					}
				}
				if n := rowCount(t, db, "item"); n != len(tc.good)+len(tc.bad) {
					t.Errorf("rows after the refused change = %d", n)
				}
				if _, err := db.SQL.Exec(fmt.Sprintf("DELETE FROM item WHERE id > %d", len(tc.good))); err != nil {
					t.Fatal(err)
				}
				if err := r.Upgrade(ctx, "head"); err != nil {
					t.Fatalf("the change with only fitting rows: %v", err)
				}
				if n := rowCount(t, db, "item"); n != len(tc.good) {
					t.Errorf("rows after the change = %d, want %d", n, len(tc.good))
				}
			})
		})
	}
}

func dump(t testing.TB, db *migratetest.DB, table string) string {
	t.Helper()
	rows, err := db.SQL.Query("SELECT * FROM " + quoteFor(db, table))
	if err != nil {
		return err.Error()
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id int
		var v sql.NullString
		rows.Scan(&id, &v)
		out = append(out, fmt.Sprintf("%d:%q", id, v.String))
	}
	return strings.Join(out, " ")
}

// Offline scripts, which nothing checks, show each check as a comment before its op.
func TestNarrowingCheckShownInOfflineScripts(t *testing.T) {
	first := chain(t, sch(aboutMe(140)))[0]
	repo, err := migrate.LoadRepo(repoFS(t, first, handRevision("rev002", first.ID, []*migrate.Op{narrowOp(7)}, []*migrate.Op{widenOp(9)})), "migrations")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{migrate.SQLite, migrate.Postgres, migrate.MySQL} {
		script, err := (&migrate.Runner{Repo: repo, Dialect: d}).Script(nil, "head", true)
		if err != nil {
			t.Fatal(err)
		}
		check := `-- check (online runs stop here if it finds rows of "user"."about_me" that are longer than 5 characters, which VARCHAR(5) cannot hold)`
		at := strings.Index(script, check)
		if at < 0 || !strings.Contains(script[at:], "> 5\n") || strings.Index(script[at:], "ALTER TABLE") < 0 {
			t.Errorf("%s script lacks the check before the narrowing:\n%s", d, script)
		}
	}
}
