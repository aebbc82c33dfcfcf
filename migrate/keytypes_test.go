package migrate_test

import (
	"context"
	"strings"
	"testing"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/migratetest"
	"github.com/microblog/microblog/migrate/schema"
)

func widened() *schema.Schema {
	u, p := users(), posts()
	u.Column("id").Type = schema.Type{Kind: schema.BigInteger}
	p.Column("user_id").Type = schema.Type{Kind: schema.BigInteger}
	return sch(u, p)
}

// TestWideningAReferencedKey: user.id and post.user_id, which refers to it, become big
// integers. MariaDB refuses to change either while the foreign key exists (error 1833), so
// the revision drops the key, alters both columns and adds the key again; it runs up and
// down with rows on every dialect, and a key value beyond 32 bits then fits.
func TestWideningAReferencedKey(t *testing.T) {
	before, after := sch(users(), posts()), widened()
	up, _, err := migrate.Diff(before, after)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, op := range up {
		kinds = append(kinds, op.Kind+" "+op.TableName())
	}
	if g, w := strings.Join(kinds, ", "), "drop_constraint post, alter_column user, alter_column post, create_foreign_key post"; g != w {
		t.Fatalf("ops: %s\nwant: %s", g, w)
	}
	revs := chain(t, before, after)
	forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
		ctx := context.Background()
		r := runner(t, db, repoFS(t, revs...))
		if err := r.Upgrade(ctx, revs[0].ID); err != nil {
			t.Fatal(err)
		}
		fillRows(t, db, before, 0)
		if err := r.Upgrade(ctx, "head"); err != nil {
			t.Fatalf("upgrade with rows: %v", err)
		}
		if g, w := canonical(inspect(t, db), db.Dialect), canonical(after, db.Dialect); g != w {
			t.Fatalf("schema after upgrade:\n%s\nwant:\n%s", g, w)
		}
		q := func(s string) string {
			if db.Dialect == migrate.MySQL {
				return strings.ReplaceAll(s, `"`, "`")
			}
			return s
		}
		for _, s := range []string{
			`INSERT INTO "user" (id, username, email) VALUES (3000000000, 'big', 'big@example.com')`,
			`INSERT INTO post (body, user_id) VALUES ('big', 3000000000)`,
		} {
			if _, err := db.SQL.ExecContext(ctx, q(s)); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
		// New rows are numbered beyond 32 bits too (PostgreSQL's sequence was widened).
		if db.Dialect == migrate.Postgres {
			if _, err := db.SQL.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('"user"', 'id'), 3000000000)`); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.SQL.ExecContext(ctx, q(`INSERT INTO "user" (username, email) VALUES ('next', 'next@example.com')`)); err != nil {
			t.Fatalf("a new row after widening: %v", err)
		}
		var next int64
		if err := db.SQL.QueryRowContext(ctx, q(`SELECT id FROM "user" WHERE username = 'next'`)).Scan(&next); err != nil || next <= 3000000000 {
			t.Fatalf("the new row's id is %d (%v), want more than 3000000000", next, err)
		}
		if _, err := db.SQL.ExecContext(ctx, q(`INSERT INTO post (body, user_id) VALUES ('orphan', 3000000005)`)); err == nil {
			t.Fatal("the key re-added after widening does not hold")
		}
		if drift, err := r.Drift(ctx); err != nil || len(drift) > 0 {
			t.Fatalf("drift: %v %v", drift, err)
		}
		for _, s := range []string{`DELETE FROM post WHERE user_id = 3000000000`, `DELETE FROM "user" WHERE id >= 3000000000`} {
			if _, err := db.SQL.ExecContext(ctx, q(s)); err != nil {
				t.Fatal(err)
			}
		}
		if db.Dialect == migrate.Postgres { // narrowing the sequence needs its value back in range
			if _, err := db.SQL.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('"user"', 'id'), (SELECT max(id) FROM "user"))`); err != nil {
				t.Fatal(err)
			}
		}
		if err := r.Downgrade(ctx, "-1"); err != nil {
			t.Fatalf("downgrade with rows: %v", err)
		}
		if g, w := canonical(inspect(t, db), db.Dialect), canonical(before, db.Dialect); g != w {
			t.Fatalf("schema after downgrade:\n%s\nwant:\n%s", g, w)
		}
	})
}

// Widening only the referenced key would leave the key between columns of different
// types, which MySQL and MariaDB refuse: autogenerate stops and says what to change.
func TestWideningOnlyTheReferencedKeyIsRefused(t *testing.T) {
	u := users()
	u.Column("id").Type = schema.Type{Kind: schema.BigInteger}
	_, _, err := migrate.Diff(sch(users(), posts()), sch(u, posts()))
	if err == nil {
		t.Fatal("accepted")
	}
	for _, w := range []string{"fk_post_user_id_user", "post.user_id", "user.id", "bigint", "integer"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q: %v", w, err)
		}
	}
}

// A hand-written revision that widens both columns but leaves the key in place: lint
// names it on every dialect, and MariaDB indeed refuses it.
func TestLintFlagsRetypingAKeyColumn(t *testing.T) {
	before, after := sch(users(), posts()), widened()
	revs := chain(t, before, after)
	var bare []*migrate.Op
	for i, op := range revs[1].Upgrade {
		if op.Kind == migrate.OpAlterColumn {
			op.Line = 10 + i
			bare = append(bare, op)
		}
	}
	revs[1].Upgrade = bare
	forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
		ctx := context.Background()
		r := runner(t, db, repoFS(t, revs...))
		if err := r.Upgrade(ctx, revs[0].ID); err != nil {
			t.Fatal(err)
		}
		findings, err := r.Lint(ctx, migrate.LintOptions{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, f := range findings {
			if strings.Contains(f.Msg, `foreign key "fk_post_user_id_user"`) && strings.Contains(f.Msg, "error 1833") {
				n++
			}
		}
		if n != 2 {
			t.Fatalf("lint names %d of the 2 key columns retyped under the key: %v", n, findings)
		}
		if db.Dialect == migrate.MySQL {
			if err := r.Upgrade(ctx, "head"); err == nil || !strings.Contains(err.Error(), "1833") {
				t.Fatalf("MariaDB accepted retyping a key column under its key, or failed otherwise: %v", err)
			}
		}
	})
}

// Widening only the referring column is refused the same way, suggesting the other side.
func TestWideningOnlyTheReferringColumnIsRefused(t *testing.T) {
	p := posts()
	p.Column("user_id").Type = schema.Type{Kind: schema.BigInteger}
	_, _, err := migrate.Diff(sch(users(), posts()), sch(users(), p))
	if err == nil || !strings.Contains(err.Error(), "change user.id to bigint as well") {
		t.Fatalf("error: %v", err)
	}
}

// A key between strings of different lengths is fine on every database: lengthening the
// referenced column is not refused, and the key is still taken out of its way.
func TestLengtheningAReferencedStringKey(t *testing.T) {
	tag := &schema.Table{Name: "tag", Columns: []*schema.Column{str("name", 32, false)}, PrimaryKey: &schema.PrimaryKey{Name: "pk_tag", Columns: []string{"name"}}}
	item := fk(table("item", str("tag_name", 32, true)), "tag_name", "tag")
	item.ForeignKeys[0].RefColumns = []string{"name"}
	wider := tag.Clone()
	wider.Column("name").Type.Length = 64
	up, _, err := migrate.Diff(sch(tag, item), sch(wider, item.Clone()))
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, op := range up {
		kinds = append(kinds, op.Kind+" "+op.TableName())
	}
	if g, w := strings.Join(kinds, ", "), "drop_constraint item, alter_column tag, create_foreign_key item"; g != w {
		t.Fatalf("ops: %s\nwant: %s", g, w)
	}
}
