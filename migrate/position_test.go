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

func columnOrder(t *schema.Table) string {
	var names []string
	for _, c := range t.Columns {
		names = append(names, c.Name)
	}
	return strings.Join(names, ",")
}

// TestDowngradeRestoresColumnPositions: an upgrade drops a column from the middle of
// user and the first column of tag; its downgrade re-adds them where they were (after
// username; first), so the schema after upgrade + downgrade is the one before, column
// order included, on SQLite (table rebuild) and MySQL (AFTER / FIRST). PostgreSQL cannot
// place a column: it comes back last there, and db check does not count that as drift.
func TestDowngradeRestoresColumnPositions(t *testing.T) {
	before := func() *schema.Schema {
		u := users()
		u.Columns = []*schema.Column{u.Columns[0], u.Columns[1], str("about_me", 140, true), u.Columns[2]}
		tag := table("tag", str("name", 32, false))
		tag.Columns = append([]*schema.Column{str("slug", 32, true)}, tag.Columns...)
		return sch(u, tag)
	}
	after := func() *schema.Schema { return sch(users(), table("tag", str("name", 32, false))) }
	down, _, err := migrate.Diff(after(), before())
	if err != nil {
		t.Fatal(err)
	}
	var places []string
	for _, op := range down {
		if op.Kind == migrate.OpAddColumn {
			places = append(places, op.Column.Name+" after="+op.After+" first="+map[bool]string{true: "yes", false: "no"}[op.First])
		}
	}
	if g, w := strings.Join(places, "; "), "about_me after=username first=no; slug after= first=yes"; g != w {
		t.Fatalf("downgrade places columns: %s\nwant: %s", g, w)
	}
	revs := chain(t, before(), after())
	forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
		ctx := context.Background()
		r := runner(t, db, repoFS(t, revs...))
		if err := r.Upgrade(ctx, revs[0].ID); err != nil {
			t.Fatal(err)
		}
		fillRows(t, db, before(), 0)
		if err := r.Upgrade(ctx, "head"); err != nil {
			t.Fatal(err)
		}
		if err := r.Downgrade(ctx, "-1"); err != nil {
			t.Fatalf("downgrade with rows: %v", err)
		}
		live := inspect(t, db)
		wantUser, wantTag := "id,username,about_me,email", "slug,id,name"
		if db.Dialect == migrate.Postgres {
			wantUser, wantTag = "id,username,email,about_me", "id,name,slug" // appended: PostgreSQL cannot place a column
		}
		if g := columnOrder(live.Table("user")); g != wantUser {
			t.Errorf("user columns after downgrade: %s, want %s", g, wantUser)
		}
		if g := columnOrder(live.Table("tag")); g != wantTag {
			t.Errorf("tag columns after downgrade: %s, want %s", g, wantTag)
		}
		if g, w := canonicalUnordered(live, db.Dialect), canonicalUnordered(before(), db.Dialect); g != w {
			t.Errorf("schema after downgrade:\n%s\nwant:\n%s", g, w)
		}
		if drift, err := r.Drift(ctx); err != nil || len(drift) > 0 {
			t.Errorf("drift after downgrade: %v %v", drift, err)
		}
		var n int
		if err := db.SQL.QueryRowContext(ctx, "SELECT count(*) FROM tag").Scan(&n); err != nil || n != 2 {
			t.Errorf("tag has %d rows (%v), want 2", n, err)
		}
		// And up again, and down again.
		if err := r.Upgrade(ctx, "head"); err != nil {
			t.Fatal(err)
		}
		if err := r.Downgrade(ctx, "-1"); err != nil {
			t.Fatal(err)
		}
	})
}

// canonicalUnordered is canonical with each table's columns sorted by name.
func canonicalUnordered(s *schema.Schema, dialect string) string {
	c := s.Clone()
	for _, t := range c.Tables {
		slices.SortFunc(t.Columns, func(a, b *schema.Column) int { return strings.Compare(a.Name, b.Name) })
	}
	return canonical(c, dialect)
}
