package migrate_test

import (
	"context"
	"testing"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/migratetest"
	"github.com/microblog/microblog/migrate/schema"
)

func unique(t *schema.Table, name string, cols ...string) *schema.Table {
	if name == "" {
		name = schema.UniqueName(t.Name, cols)
	}
	t.Uniques = append(t.Uniques, &schema.Unique{Name: name, Columns: cols})
	return t
}

type scenario struct {
	name          string
	before, after func() *schema.Schema
}

var scenarios = []scenario{
	{"add table", func() *schema.Schema { return sch(users()) }, func() *schema.Schema { return sch(users(), posts()) }},
	{"drop table", func() *schema.Schema { return sch(users(), posts()) }, func() *schema.Schema { return sch(users()) }},
	{"add nullable column", func() *schema.Schema { return sch(users()) }, func() *schema.Schema {
		u := users()
		u.Columns = append(u.Columns, str("about_me", 140, true))
		return sch(u)
	}},
	{"add NOT NULL column with server default", func() *schema.Schema { return sch(users()) }, func() *schema.Schema {
		u := users()
		u.Columns = append(u.Columns, withDefault(col("karma", schema.Integer, false), "0"))
		return sch(u)
	}},
	{"drop column", func() *schema.Schema {
		u := users()
		u.Columns = append(u.Columns, str("about_me", 140, true))
		return sch(u)
	}, func() *schema.Schema { return sch(users()) }},
	{"change varchar length", func() *schema.Schema { return sch(users()) }, func() *schema.Schema {
		u := users()
		u.Column("email").Type.Length = 200
		return sch(u)
	}},
	{"change nullability", func() *schema.Schema { return sch(users()) }, func() *schema.Schema {
		u := users()
		u.Column("email").Nullable = true
		return sch(u)
	}},
	{"change type integer to string", func() *schema.Schema {
		return sch(table("item", col("code", schema.Integer, true)))
	}, func() *schema.Schema { return sch(table("item", str("code", 20, true))) }},
	{"change type string to text", func() *schema.Schema {
		return sch(table("item", str("note", 20, true)))
	}, func() *schema.Schema { return sch(table("item", col("note", schema.Text, true))) }},
	{"add index", func() *schema.Schema { return sch(users()) }, func() *schema.Schema { return sch(index(users(), false, "email")) }},
	{"drop index", func() *schema.Schema { return sch(index(users(), false, "email")) }, func() *schema.Schema { return sch(users()) }},
	{"drop the index a foreign key uses", func() *schema.Schema { return sch(users(), posts()) }, func() *schema.Schema {
		p := posts()
		p.Indexes = nil
		return sch(users(), p)
	}},
	{"add named unique constraint", func() *schema.Schema { return sch(users()) }, func() *schema.Schema { return sch(unique(users(), "uq_user_mail", "email")) }},
	{"add unnamed unique constraint", func() *schema.Schema { return sch(users()) }, func() *schema.Schema { return sch(unique(users(), "", "email")) }},
	{"add foreign key", func() *schema.Schema {
		return sch(users(), table("post", str("body", 140, false), col("user_id", schema.Integer, true)))
	}, func() *schema.Schema {
		return sch(users(), fk(table("post", str("body", 140, false), col("user_id", schema.Integer, true)), "user_id", "user"))
	}},
	{"many-to-many association table", func() *schema.Schema { return sch(users()) }, func() *schema.Schema {
		f := &schema.Table{Name: "followers", Columns: []*schema.Column{col("follower_id", schema.Integer, false), col("followed_id", schema.Integer, false)},
			PrimaryKey: &schema.PrimaryKey{Name: "pk_followers", Columns: []string{"follower_id", "followed_id"}}}
		fk(f, "follower_id", "user")
		fk(f, "followed_id", "user")
		return sch(users(), f)
	}},
	{"reserved-word tables", func() *schema.Schema { return sch(users()) }, func() *schema.Schema {
		return sch(users(), index(fk(table("order", &schema.Column{Name: "total", Type: schema.Type{Kind: schema.Numeric, Precision: 10, Scale: 2}}, col("user_id", schema.Integer, false)), "user_id", "user"), false, "user_id"))
	}},
	{"drop table with a foreign key", func() *schema.Schema {
		return sch(users(), posts(), fk(table("comment", str("body", 140, false), col("post_id", schema.Integer, false)), "post_id", "post"))
	}, func() *schema.Schema { return sch(users(), posts()) }},
	{"boolean column", func() *schema.Schema { return sch(users()) }, func() *schema.Schema {
		u := users()
		u.Columns = append(u.Columns, withDefault(col("active", schema.Boolean, false), "TRUE"))
		return sch(u)
	}},
	{"several changes at once", func() *schema.Schema { return sch(users(), posts()) }, func() *schema.Schema {
		u := unique(index(users(), false, "email"), "", "email")
		u.Column("username").Type.Length = 80
		u.Columns = append(u.Columns, col("last_seen", schema.DateTime, true), withDefault(col("admin", schema.Boolean, false), "FALSE"))
		p := posts()
		p.Columns = append(p.Columns, str("language", 5, true))
		p.Column("body").Type = schema.Type{Kind: schema.Text}
		return sch(u, p, table("tag", str("name", 32, false)))
	}},
}

// TestScenarios upgrades, checks, re-diffs and downgrades each scenario on every dialect
// with rows in every table, comparing the live schema with the expected one each time.
func TestScenarios(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
				ctx := context.Background()
				before, after := sc.before(), sc.after()
				revs := chain(t, before, after)
				r := runner(t, db, repoFS(t, revs...))
				if err := r.Upgrade(ctx, revs[0].ID); err != nil {
					t.Fatalf("upgrade to the starting schema: %v", err)
				}
				fillRows(t, db, before, 0)
				start := canonical(inspect(t, db), db.Dialect)
				if want := canonical(before, db.Dialect); start != want {
					t.Fatalf("starting schema differs:\n got:\n%s\nwant:\n%s", start, want)
				}
				if err := r.Upgrade(ctx, "head"); err != nil {
					t.Fatalf("upgrade with rows present: %v", err)
				}
				got := inspect(t, db)
				if g, w := canonical(got, db.Dialect), canonical(after, db.Dialect); g != w {
					t.Fatalf("schema after upgrade differs:\n got:\n%s\nwant:\n%s", g, w)
				}
				fillRows(t, db, after, 1)
				replayed, err := r.Repo.SchemaAt(r.Repo.Heads()...)
				if err != nil {
					t.Fatal(err)
				}
				if ops, detected, _ := migrate.Diff(replayed, after); len(ops) != 0 {
					t.Fatalf("a second autogenerate finds changes: %v", detected)
				}
				if err := r.Downgrade(ctx, "-1"); err != nil {
					t.Fatalf("downgrade with rows present: %v", err)
				}
				if g := canonical(inspect(t, db), db.Dialect); g != start {
					t.Fatalf("schema after downgrade differs from before the upgrade:\n got:\n%s\nwant:\n%s", g, start)
				}
				if c := current(t, r); len(c) != 1 || c[0] != revs[0].ID {
					t.Fatalf("version after downgrade = %v, want %s", c, revs[0].ID)
				}
			})
		})
	}
}
