package migrate_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/migratetest"
	"github.com/microblog/microblog/migrate/schema"
)

// mysqlIndexes lists a table's index names as MySQL/MariaDB has them, including those
// Inspect leaves out (the ones named after a foreign key).
func mysqlIndexes(t *testing.T, db *migratetest.DB, table string) string {
	t.Helper()
	rows, err := db.SQL.Query(`SELECT DISTINCT index_name FROM information_schema.statistics
		WHERE table_schema = DATABASE() AND table_name = ? AND index_name <> 'PRIMARY'`, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		out = append(out, n)
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

// TestIndexAddedForAForeignKeyIsTakenBack: dropping the index a foreign key uses makes the
// engine give the key an index of its own on MySQL (fk_post_user_id_user); the downgrade,
// re-creating the dropped index, takes that one back. Up, down, up, down again all work
// (the second upgrade used to fail with "Duplicate key name"), with the same schema each
// time, and on MySQL the indexes are exactly the expected ones. The same with a unique
// constraint (user_id, body) in place of the index.
func TestIndexAddedForAForeignKeyIsTakenBack(t *testing.T) {
	uniqueKeyed := func() *schema.Schema {
		p := posts()
		p.Indexes = nil
		return sch(users(), unique(p, "", "user_id", "body"))
	}
	unindexed := func() *schema.Schema {
		p := posts()
		p.Indexes = nil
		return sch(users(), p)
	}
	cases := []struct {
		name          string
		before, after func() *schema.Schema
		covering      string // the index the downgrade gives back, as MySQL lists it
	}{
		{"index", func() *schema.Schema { return sch(users(), posts()) }, unindexed, "ix_post_user_id"},
		{"unique constraint", uniqueKeyed, unindexed, "uq_post_user_id_body"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
				ctx := context.Background()
				before, after := c.before(), c.after()
				revs := chain(t, before, after)
				r := runner(t, db, repoFS(t, revs...))
				if err := r.Upgrade(ctx, revs[0].ID); err != nil {
					t.Fatal(err)
				}
				fillRows(t, db, before, 0)
				for round := range 2 {
					if err := r.Upgrade(ctx, "head"); err != nil {
						t.Fatalf("upgrade %d: %v", round+1, err)
					}
					if g, w := canonical(inspect(t, db), db.Dialect), canonical(after, db.Dialect); g != w {
						t.Fatalf("schema after upgrade %d:\n%s\nwant:\n%s", round+1, g, w)
					}
					if db.Dialect == migrate.MySQL {
						if g := mysqlIndexes(t, db, "post"); g != "fk_post_user_id_user" {
							t.Fatalf("indexes of post after upgrade %d: %s", round+1, g)
						}
					}
					if err := r.Downgrade(ctx, "-1"); err != nil {
						t.Fatalf("downgrade %d: %v", round+1, err)
					}
					if g, w := canonical(inspect(t, db), db.Dialect), canonical(before, db.Dialect); g != w {
						t.Fatalf("schema after downgrade %d:\n%s\nwant:\n%s", round+1, g, w)
					}
					if db.Dialect == migrate.MySQL {
						if g := mysqlIndexes(t, db, "post"); g != c.covering {
							t.Fatalf("indexes of post after downgrade %d: %s, want %s (the index added for the key stayed)", round+1, g, c.covering)
						}
					}
					if drift, err := r.Drift(ctx); err != nil || len(drift) > 0 {
						t.Fatalf("drift after downgrade %d: %v %v", round+1, drift, err)
					}
				}
			})
		})
	}
}

// The app history's revision 5f1c0a2e9d41 (testdata/apphistory) replaces the index of
// followers.followed_id; its downgrade gives the key an index back, and upgrading again
// must take it back.
func TestAppRevisionsDownAndUpTwiceKeepTheirIndexes(t *testing.T) {
	repo, err := migrate.LoadRepo(appHistory, appHistoryDir)
	if err != nil {
		t.Fatal(err)
	}
	forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
		if db.Dialect != migrate.MySQL {
			t.Skip("only MySQL/MariaDB needs an index added for a foreign key")
		}
		ctx := context.Background()
		r := &migrate.Runner{DB: db.SQL, Dialect: db.Dialect, Repo: repo}
		if err := r.Upgrade(ctx, "head"); err != nil {
			t.Fatal(err)
		}
		atHead := mysqlIndexes(t, db, "followers")
		for round := range 2 {
			if err := r.Downgrade(ctx, "834b1a697901"); err != nil {
				t.Fatalf("downgrade %d: %v", round+1, err)
			}
			if err := r.Upgrade(ctx, "head"); err != nil {
				t.Fatalf("upgrade %d: %v", round+1, err)
			}
			if g := mysqlIndexes(t, db, "followers"); g != atHead {
				t.Fatalf("indexes of followers after round %d: %s, want %s", round+1, g, atHead)
			}
		}
		if strings.Contains(atHead, "fk_") {
			t.Fatalf("an index added for a key is left at head: %s", atHead)
		}
	})
}
