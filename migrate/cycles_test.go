package migrate_test

import (
	"context"
	"strings"
	"testing"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/migratetest"
	"github.com/microblog/microblog/migrate/schema"
)

// Two tables that refer to each other (user.pinned_post_id → post, post.user_id → user),
// plus a self-reference (user.invited_by → user) that can stay inline.
func mutual() *schema.Schema {
	u := table("user", str("name", 64, false), col("pinned_post_id", schema.Integer, true), col("invited_by", schema.Integer, true))
	fk(u, "pinned_post_id", "post")
	fk(u, "invited_by", "user")
	p := fk(table("post", str("body", 140, false), col("user_id", schema.Integer, false)), "user_id", "user")
	return sch(u, p)
}

// TestTablesThatReferToEachOther: autogenerate creates both tables, then adds the key that
// refers forward (Alembic's use_alter), and its downgrade drops that key before the
// tables. The revision runs up and down with rows on every dialect, the keys hold, and a
// second autogenerate finds nothing.
func TestTablesThatReferToEachOther(t *testing.T) {
	want := mutual()
	up, _, err := migrate.Diff(&schema.Schema{}, want)
	if err != nil {
		t.Fatal(err)
	}
	// Each create_table refers only to itself and to tables created before it; the key
	// left out is added once both exist, and dropped first on the way down.
	created := map[string]bool{}
	var added []string
	for _, op := range up {
		switch op.Kind {
		case migrate.OpCreateTable:
			for _, k := range op.Def.ForeignKeys {
				if k.RefTable != op.Def.Name && !created[k.RefTable] {
					t.Fatalf("create_table %s refers to %s, not created yet", op.Def.Name, k.RefTable)
				}
			}
			created[op.Def.Name] = true
		case migrate.OpCreateForeignKey:
			if !created["user"] || !created["post"] {
				t.Fatalf("create_foreign_key %s before both tables exist", op.FK.Name)
			}
			added = append(added, op.FK.Name)
		}
	}
	if len(added) != 1 {
		t.Fatalf("keys added after the tables: %v, want one", added)
	}
	down, _, err := migrate.Diff(want, &schema.Schema{})
	if err != nil {
		t.Fatal(err)
	}
	if down[0].Kind != migrate.OpDropConstraint || down[0].Name != added[0] {
		t.Fatalf("downgrade does not start by dropping %s: %+v", added[0], down[0])
	}
	revs := chain(t, want)
	forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
		ctx := context.Background()
		r := runner(t, db, repoFS(t, revs...))
		if err := r.Upgrade(ctx, "head"); err != nil {
			t.Fatalf("upgrade: %v", err)
		}
		if g, w := canonical(inspect(t, db), db.Dialect), canonical(want, db.Dialect); g != w {
			t.Fatalf("schema after upgrade:\n%s\nwant:\n%s", g, w)
		}
		q := func(s string) string {
			if db.Dialect == migrate.MySQL {
				return strings.ReplaceAll(s, `"`, "`")
			}
			return s
		}
		for _, s := range []string{
			`INSERT INTO "user" (id, name) VALUES (1, 'ann')`,
			`INSERT INTO post (id, body, user_id) VALUES (1, 'hello', 1)`,
			`UPDATE "user" SET pinned_post_id = 1, invited_by = 1 WHERE id = 1`,
		} {
			if _, err := db.SQL.ExecContext(ctx, q(s)); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
		if _, err := db.SQL.ExecContext(ctx, q(`UPDATE "user" SET pinned_post_id = 99 WHERE id = 1`)); err == nil {
			t.Fatal("the key added after both tables does not hold: pinned_post_id = 99 accepted")
		}
		replayed, err := r.Repo.SchemaAt(r.Repo.Heads()...)
		if err != nil {
			t.Fatal(err)
		}
		if ops, detected, _ := migrate.Diff(replayed, want); len(ops) != 0 {
			t.Fatalf("a second autogenerate finds changes: %v", detected)
		}
		if drift, err := r.Drift(ctx); err != nil || len(drift) > 0 {
			t.Fatalf("drift: %v %v", drift, err)
		}
		if err := r.Downgrade(ctx, "base"); err != nil {
			t.Fatalf("downgrade with rows: %v", err)
		}
		if s := inspect(t, db); len(s.Tables) != 0 {
			t.Fatalf("tables left after downgrade: %s", canonical(s, db.Dialect))
		}
	})
}
