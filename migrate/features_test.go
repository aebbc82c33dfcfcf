package migrate_test

import (
	"context"
	"strings"
	"testing"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/migratetest"
	"github.com/microblog/microblog/migrate/schema"
)

// The schema features real apps use, each as a change on a schema with rows in it. The
// feature table in docs/migrations.md follows this list.
var features = []scenario{
	{"bigint and smallint columns", func() *schema.Schema { return sch(users()) }, func() *schema.Schema {
		return sch(users(), table("counter", col("hits", schema.BigInteger, false), col("rank", schema.SmallInt, true)))
	}},
	{"integer widened to bigint", func() *schema.Schema {
		return sch(table("counter", col("hits", schema.Integer, false)))
	}, func() *schema.Schema { return sch(table("counter", col("hits", schema.BigInteger, false))) }},
	{"numeric(p,s)", func() *schema.Schema { return sch(users()) }, func() *schema.Schema {
		u := users()
		u.Columns = append(u.Columns, &schema.Column{Name: "balance", Type: schema.Type{Kind: schema.Numeric, Precision: 12, Scale: 4}, Nullable: true})
		return sch(u)
	}},
	{"date and time", func() *schema.Schema { return sch(users()) }, func() *schema.Schema {
		return sch(users(), table("shift", col("day", schema.Date, false), col("starts", schema.Time, false)))
	}},
	{"timezone-aware timestamp", func() *schema.Schema {
		return sch(table("visit", col("seen", schema.DateTime, false)))
	}, func() *schema.Schema {
		tz := schema.Type{Kind: schema.DateTime, Timezone: true}
		return sch(table("visit", &schema.Column{Name: "seen", Type: tz}, &schema.Column{Name: "left_at", Type: tz, Nullable: true}))
	}},
	{"enum column added", func() *schema.Schema { return sch(users(), posts()) }, func() *schema.Schema {
		p := posts()
		p.Columns = append(p.Columns, &schema.Column{Name: "status", Type: postStatus(), Nullable: true})
		return sch(users(), p)
	}},
	{"enum in a new table, NOT NULL with a default", func() *schema.Schema { return sch(users()) }, func() *schema.Schema {
		return sch(users(), table("ticket", withDefault(&schema.Column{Name: "state", Type: schema.Type{Kind: schema.Enum, EnumName: "ticket_state", Values: "Open,closed,on hold"}}, "'Open'")))
	}},
	{"varchar column becomes an enum", func() *schema.Schema {
		return sch(table("ticket", str("state", 20, false)))
	}, func() *schema.Schema {
		return sch(table("ticket", &schema.Column{Name: "state", Type: schema.Type{Kind: schema.Enum, EnumName: "ticket_state", Values: "1,2,11,12"}}))
	}},
	// The rows use the first two values, so the way down can drop the third.
	{"enum value added (and removed on the way down)", func() *schema.Schema {
		return sch(table("post", withDefault(&schema.Column{Name: "status", Type: postStatus()}, "'draft'")))
	}, func() *schema.Schema {
		return sch(table("post", withDefault(&schema.Column{Name: "status", Type: schema.Type{Kind: schema.Enum, EnumName: "post_status", Values: "draft,published,review"}}, "'draft'")))
	}},
	{"bytes", func() *schema.Schema { return sch(users()) }, func() *schema.Schema {
		u := users()
		u.Columns = append(u.Columns, col("avatar", schema.Binary, true))
		return sch(u)
	}},
	{"json", func() *schema.Schema { return sch(users()) }, func() *schema.Schema {
		return sch(users(), table("event", col("payload", schema.JSON, false)))
	}},
	{"uuid key", func() *schema.Schema { return sch(users()) }, func() *schema.Schema {
		d := &schema.Table{Name: "device", Columns: []*schema.Column{col("id", schema.UUID, false), str("label", 40, true)},
			PrimaryKey: &schema.PrimaryKey{Name: "pk_device", Columns: []string{"id"}}}
		return sch(users(), d)
	}},
	{"foreign key with ON DELETE and ON UPDATE", func() *schema.Schema { return sch(users()) }, func() *schema.Schema {
		p := posts()
		p.ForeignKeys[0].OnDelete, p.ForeignKeys[0].OnUpdate = "CASCADE", "CASCADE"
		n := fk(table("note", col("user_id", schema.Integer, true)), "user_id", "user")
		n.ForeignKeys[0].OnDelete = "SET NULL"
		return sch(users(), p, n)
	}},
	{"ON DELETE added to an existing foreign key", func() *schema.Schema { return sch(users(), posts()) }, func() *schema.Schema {
		p := posts()
		p.ForeignKeys[0].OnDelete = "CASCADE"
		return sch(users(), p)
	}},
	{"self-referential foreign key", func() *schema.Schema { return sch(users(), posts()) }, func() *schema.Schema {
		p := posts()
		p.Columns = append(p.Columns, col("reply_to", schema.Integer, true))
		fk(p, "reply_to", "post")
		return sch(users(), p)
	}},
	{"composite foreign key", func() *schema.Schema { return sch(edition()) }, func() *schema.Schema {
		parent := edition()
		child := table("copy", col("book", schema.Integer, false), col("num", schema.Integer, false))
		child.ForeignKeys = []*schema.ForeignKey{{Name: "fk_copy_book_num_edition", Columns: []string{"book", "num"}, RefTable: "edition", RefColumns: []string{"book", "num"}}}
		return sch(parent, child)
	}},
	{"foreign key to a unique non-key column", func() *schema.Schema { return sch(unique(users(), "", "username")) }, func() *schema.Schema {
		a := table("alias", str("username", 64, false))
		a.ForeignKeys = []*schema.ForeignKey{{Name: "fk_alias_username_user", Columns: []string{"username"}, RefTable: "user", RefColumns: []string{"username"}}}
		return sch(unique(users(), "", "username"), a)
	}},
	{"multi-column index, order kept", func() *schema.Schema { return sch(users()) }, func() *schema.Schema {
		return sch(index(index(users(), false, "email", "username"), false, "username", "email"))
	}},
	{"descending index column", func() *schema.Schema { return sch(users(), posts()) }, func() *schema.Schema {
		p := posts()
		p.Columns = append(p.Columns, col("timestamp", schema.DateTime, true))
		p.Indexes = append(p.Indexes, &schema.Index{Name: "ix_post_user_id_timestamp", Columns: []string{"user_id", "timestamp"}, Desc: []string{"timestamp"}})
		return sch(users(), p)
	}},
	{"server default CURRENT_TIMESTAMP added", func() *schema.Schema {
		return sch(table("log", col("at", schema.DateTime, false)))
	}, func() *schema.Schema {
		return sch(table("log", withDefault(col("at", schema.DateTime, false), "CURRENT_TIMESTAMP")))
	}},
	{"server default removed", func() *schema.Schema {
		return sch(table("log", withDefault(col("at", schema.DateTime, false), "CURRENT_TIMESTAMP"), withDefault(col("n", schema.Integer, false), "0")))
	}, func() *schema.Schema {
		return sch(table("log", col("at", schema.DateTime, false), col("n", schema.Integer, false)))
	}},
}

// TestSchemaFeatures: each feature autogenerated, upgraded with rows present, the live
// schema equal to the models and no drift (what db check reads), a second autogenerate
// empty, downgraded with rows (schema as before), and upgraded again, on every dialect.
func TestSchemaFeatures(t *testing.T) {
	for _, sc := range features {
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
				for round := 1; round <= 2; round++ {
					if err := r.Upgrade(ctx, "head"); err != nil {
						t.Fatalf("upgrade %d with rows present: %v", round, err)
					}
					if g, w := canonical(inspect(t, db), db.Dialect), canonical(after, db.Dialect); g != w {
						t.Fatalf("schema after upgrade %d differs:\n got:\n%s\nwant:\n%s", round, g, w)
					}
					if drift, err := r.Drift(ctx); err != nil || len(drift) != 0 {
						t.Fatalf("drift after upgrade %d: %v %v", round, drift, err)
					}
					replayed, err := r.Repo.SchemaAt(r.Repo.Heads()...)
					if err != nil {
						t.Fatal(err)
					}
					if ops, detected, _ := migrate.Diff(replayed, after); len(ops) != 0 {
						t.Fatalf("a second autogenerate finds changes: %v", detected)
					}
					if round == 2 {
						break
					}
					fillRows(t, db, after, 1)
					if err := r.Downgrade(ctx, "-1"); err != nil {
						t.Fatalf("downgrade with rows present: %v", err)
					}
					if g := canonical(inspect(t, db), db.Dialect); g != start {
						t.Fatalf("schema after downgrade differs from before the upgrade:\n got:\n%s\nwant:\n%s", g, start)
					}
				}
			})
		})
	}
}

// edition has a two-column key; rows (1,1) and (2,2) are what the first fill writes.
func edition() *schema.Table {
	return &schema.Table{Name: "edition", Columns: []*schema.Column{col("book", schema.Integer, false), col("num", schema.Integer, false)},
		PrimaryKey: &schema.PrimaryKey{Name: "pk_edition", Columns: []string{"book", "num"}}}
}

func postStatus() schema.Type {
	return schema.Type{Kind: schema.Enum, EnumName: "post_status", Values: "draft,published"}
}

// TestEnumValueChangeSharedTypeRefusedOnPostgres: PostgreSQL cannot drop an enum value,
// so a type whose values change is replaced, which the engine does for a type one
// column uses; a type two columns share is refused with the way out. SQLite (a rebuild
// with the new CHECK) and MySQL (MODIFY) render either.
func TestEnumValueChangeSharedTypeRefusedOnPostgres(t *testing.T) {
	three := schema.Type{Kind: schema.Enum, EnumName: "post_status", Values: "draft,published,archived"}
	before := sch(table("post", &schema.Column{Name: "status", Type: postStatus()}), table("page", &schema.Column{Name: "status", Type: postStatus()}))
	after := sch(table("post", &schema.Column{Name: "status", Type: three}), table("page", &schema.Column{Name: "status", Type: postStatus()}))
	ops, _, err := migrate.Diff(before, after)
	if err != nil || len(ops) != 1 {
		t.Fatalf("diff = %v, %v", ops, err)
	}
	if _, err := migrate.Render(migrate.Postgres, before, ops[0]); err == nil || !strings.Contains(err.Error(), `enum type "post_status" changes its values (draft,published to draft,published,archived) and 2 columns use it`) {
		t.Errorf("postgres: %v", err)
	}
	for _, d := range []string{migrate.SQLite, migrate.MySQL} {
		p, err := migrate.Render(d, before, ops[0])
		if err != nil || !strings.Contains(strings.Join(p.Statements, "\n"), "'archived'") {
			t.Errorf("%s: %v %v", d, p.Statements, err)
		}
	}
}

// TestEnumValueRemovedWhileInUse: dropping an enum value that a row holds fails the
// revision on every dialect, leaving the rows and the version as they were (PostgreSQL:
// the conversion; SQLite: the CHECK on the rebuild's copy; MySQL: strict mode).
func TestEnumValueRemovedWhileInUse(t *testing.T) {
	two := func() *schema.Schema { return sch(table("post", &schema.Column{Name: "status", Type: postStatus()})) }
	one := func() *schema.Schema {
		return sch(table("post", &schema.Column{Name: "status", Type: schema.Type{Kind: schema.Enum, EnumName: "post_status", Values: "draft"}}))
	}
	forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
		ctx := context.Background()
		revs := chain(t, two(), one())
		r := runner(t, db, repoFS(t, revs...))
		if err := r.Upgrade(ctx, revs[0].ID); err != nil {
			t.Fatal(err)
		}
		fillRows(t, db, two(), 0) // 'draft' and 'published'
		if err := r.Upgrade(ctx, "head"); err == nil {
			t.Fatal("removing a value in use succeeded")
		}
		var n int
		if err := db.SQL.QueryRowContext(ctx, `SELECT count(*) FROM post WHERE status = 'published'`).Scan(&n); err != nil || n != 1 {
			t.Errorf("rows with the removed value = %d, %v; want 1", n, err)
		}
		if c := current(t, r); len(c) != 1 || c[0] != revs[0].ID {
			t.Errorf("version = %v, want %s", c, revs[0].ID)
		}
	})
}

// TestDriftSeesForeignKeyRules: db check's comparison of the live schema notices a
// foreign key whose ON DELETE was changed by hand.
func TestDriftSeesForeignKeyRules(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
		ctx := context.Background()
		revs := chain(t, sch(users(), posts()))
		r := runner(t, db, repoFS(t, revs...))
		if err := r.Upgrade(ctx, "head"); err != nil {
			t.Fatal(err)
		}
		if drift, err := r.Drift(ctx); err != nil || len(drift) != 0 {
			t.Fatalf("drift before: %v %v", drift, err)
		}
		stmts := map[string][]string{
			migrate.Postgres: {`ALTER TABLE post DROP CONSTRAINT fk_post_user_id_user`, `ALTER TABLE post ADD CONSTRAINT fk_post_user_id_user FOREIGN KEY (user_id) REFERENCES "user" (id) ON DELETE CASCADE`},
			migrate.MySQL:    {"ALTER TABLE post DROP FOREIGN KEY fk_post_user_id_user", "ALTER TABLE post ADD CONSTRAINT fk_post_user_id_user FOREIGN KEY (user_id) REFERENCES `user` (id) ON DELETE CASCADE"},
			migrate.SQLite: {`CREATE TABLE post_new (id INTEGER NOT NULL, body VARCHAR(140) NOT NULL, user_id INTEGER NOT NULL, CONSTRAINT pk_post PRIMARY KEY (id), CONSTRAINT fk_post_user_id_user FOREIGN KEY(user_id) REFERENCES "user" (id) ON DELETE CASCADE)`,
				`INSERT INTO post_new SELECT id, body, user_id FROM post`, `DROP TABLE post`, `ALTER TABLE post_new RENAME TO post`, `CREATE INDEX ix_post_user_id ON post (user_id)`},
		}[db.Dialect]
		for _, s := range stmts {
			if _, err := db.SQL.ExecContext(ctx, s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
		drift, err := r.Drift(ctx)
		if err != nil || len(drift) != 1 || !strings.Contains(drift[0], `table "post" differs`) {
			t.Fatalf("drift after a hand-made ON DELETE CASCADE = %v, %v", drift, err)
		}
	})
}
