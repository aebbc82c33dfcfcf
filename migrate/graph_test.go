package migrate_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/migratetest"
)

// rev makes a revision creating one table.
func rev(id string, down []string, tableName string) *migrate.Revision {
	return &migrate.Revision{ID: id, Down: down, Message: "add " + tableName, CreateDate: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Upgrade:   []*migrate.Op{{Kind: migrate.OpCreateTable, Def: table(tableName, str("name", 20, true))}},
		Downgrade: []*migrate.Op{{Kind: migrate.OpDropTable, Name: tableName}}}
}

func tableNames(t *testing.T, db *migratetest.DB) string {
	var names []string
	for _, tb := range inspect(t, db).Tables {
		names = append(names, tb.Name)
	}
	slices.Sort(names)
	return strings.Join(names, ",")
}

func TestBranchesMergesLabelsAndDependencies(t *testing.T) {
	a := rev("aaaa00000001", nil, "ta")
	b := rev("bbbb00000001", []string{a.ID}, "tb")
	b.BranchLabels = []string{"feature"}
	c := rev("cccc00000001", []string{a.ID}, "tc")
	m := &migrate.Revision{ID: "eeee00000001", Down: []string{b.ID, c.ID}, Message: "merge"}
	d := rev("dddd00000001", []string{c.ID}, "td")
	d.DependsOn = []string{b.ID}

	forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
		ctx := context.Background()
		r := runner(t, db, repoFS(t, a, b, c))
		err := r.Upgrade(ctx, "head")
		if err == nil || !strings.Contains(err.Error(), "target head is ambiguous: 2 heads") {
			t.Fatalf("upgrade head with two heads: %v", err)
		}
		if err := r.Upgrade(ctx, "feature@head"); err != nil {
			t.Fatal(err)
		}
		if cur := current(t, r); fmt.Sprint(cur) != "[bbbb00000001]" || tableNames(t, db) != "ta,tb" {
			t.Fatalf("after feature@head: %v, tables %s", cur, tableNames(t, db))
		}
		if err := r.Upgrade(ctx, "heads"); err != nil {
			t.Fatal(err)
		}
		if cur := current(t, r); fmt.Sprint(cur) != "[bbbb00000001 cccc00000001]" || tableNames(t, db) != "ta,tb,tc" {
			t.Fatalf("after heads: %v, tables %s", cur, tableNames(t, db))
		}

		r = runner(t, db, repoFS(t, a, b, c, m))
		if err := r.Upgrade(ctx, "head"); err != nil {
			t.Fatal(err)
		}
		if cur := current(t, r); fmt.Sprint(cur) != "[eeee00000001]" {
			t.Fatalf("after merge: %v", cur)
		}
		if err := r.Downgrade(ctx, "-1"); err != nil {
			t.Fatal(err)
		}
		if cur := current(t, r); fmt.Sprint(cur) != "[bbbb00000001 cccc00000001]" {
			t.Fatalf("after downgrading the merge: %v", cur)
		}
		if err := r.Downgrade(ctx, "aaaa"); err != nil { // a unique prefix
			t.Fatal(err)
		}
		if cur := current(t, r); fmt.Sprint(cur) != "[aaaa00000001]" || tableNames(t, db) != "ta" {
			t.Fatalf("after downgrade to the root: %v, tables %s", cur, tableNames(t, db))
		}

		// d builds on c and depends on b: upgrading to d applies b first.
		r = runner(t, db, repoFS(t, a, b, c, d))
		if err := r.Upgrade(ctx, d.ID); err != nil {
			t.Fatal(err)
		}
		if cur := current(t, r); fmt.Sprint(cur) != "[bbbb00000001 dddd00000001]" || tableNames(t, db) != "ta,tb,tc,td" {
			t.Fatalf("after upgrading to a revision with a dependency: %v, tables %s", cur, tableNames(t, db))
		}
		if err := r.Downgrade(ctx, "base"); err != nil {
			t.Fatal(err)
		}
		if tableNames(t, db) != "" || len(current(t, r)) != 0 {
			t.Fatalf("after downgrade base: %s %v", tableNames(t, db), current(t, r))
		}
	})
}

func TestRevisionLookup(t *testing.T) {
	repo, err := migrate.LoadRepo(repoFS(t, rev("abc111000000", nil, "x"), rev("abc222000000", []string{"abc111000000"}, "y")), "migrations")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Lookup("abc"); err == nil || !strings.Contains(err.Error(), "abc111000000, abc222000000") {
		t.Errorf("ambiguous prefix: %v", err)
	}
	if r, err := repo.Lookup("abc2"); err != nil || r.ID != "abc222000000" {
		t.Errorf("unique prefix: %v %v", r, err)
	}
	for target, want := range map[string]string{"head-1": "[abc111000000]", "head": "[abc222000000]", "base": "[]"} {
		if got, err := repo.Resolve(target, nil); err != nil || fmt.Sprint(got) != want {
			t.Errorf("Resolve(%s) = %v, %v; want %s", target, got, err, want)
		}
	}
	if got, err := repo.Resolve("+2", nil); err != nil || fmt.Sprint(got) != "[abc222000000]" {
		t.Errorf("+2 from base = %v %v", got, err)
	}
	if _, err := repo.Resolve("+3", nil); err == nil || !strings.Contains(err.Error(), "relative revision +3: fewer than 3 revisions") {
		t.Errorf("+3 past head: %v", err)
	}
}

func TestGraphDrawing(t *testing.T) {
	a := rev("aaaa00000001", nil, "ta")
	b := rev("bbbb00000001", []string{a.ID}, "tb")
	c := rev("cccc00000001", []string{a.ID}, "tc")
	m := &migrate.Revision{ID: "eeee00000001", Down: []string{b.ID, c.ID}, Message: "merge"}
	repo, err := migrate.LoadRepo(repoFS(t, a, b, c, m), "migrations")
	if err != nil {
		t.Fatal(err)
	}
	g := migrate.Graph(repo)
	for _, want := range []string{"* eeee00000001 (head) merge", "aaaa00000001 add ta", "\\"} {
		if !strings.Contains(g, want) {
			t.Errorf("graph lacks %q:\n%s", want, g)
		}
	}
	if lines := strings.Count(g, "*"); lines != 4 {
		t.Errorf("graph has %d revisions drawn, want 4:\n%s", lines, g)
	}
	dot := migrate.Dot(repo)
	for _, want := range []string{`"bbbb00000001" -> "eeee00000001";`, `"cccc00000001" -> "eeee00000001";`, "peripheries=2"} {
		if !strings.Contains(dot, want) {
			t.Errorf("dot lacks %q:\n%s", want, dot)
		}
	}
	t.Logf("\n%s", g)
}

// A revision marked transactional: false runs outside a transaction, which PostgreSQL
// requires for CREATE INDEX CONCURRENTLY.
func TestNonTransactionalRevision(t *testing.T) {
	a := rev("aaaa00000001", nil, "ta")
	b := &migrate.Revision{ID: "bbbb00000001", Down: []string{a.ID}, Message: "concurrent index", NonTransactional: true,
		Upgrade: []*migrate.Op{{Kind: migrate.OpExecute, SQL: `CREATE INDEX ix_ta_name ON ta (name)`,
			SQLFor: map[string]string{migrate.Postgres: `CREATE INDEX CONCURRENTLY ix_ta_name ON ta (name)`}}},
		Downgrade: []*migrate.Op{{Kind: migrate.OpExecute, SQL: `DROP INDEX ix_ta_name`, SQLFor: map[string]string{migrate.MySQL: "DROP INDEX ix_ta_name ON ta"}}}}
	forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
		ctx := context.Background()
		fs := repoFS(t, a, b)
		if !strings.Contains(string(fs["versions/bbbb00000001_concurrent_index.yaml"].Data), "transactional: false") {
			t.Fatalf("file lacks transactional: false:\n%s", fs["versions/bbbb00000001_concurrent_index.yaml"].Data)
		}
		r := runner(t, db, fs)
		if err := r.Upgrade(ctx, "head"); err != nil {
			t.Fatal(err)
		}
		if s := inspect(t, db); s.Table("ta").Index("ix_ta_name") == nil {
			t.Fatal("index not created")
		}
		script, err := r.Script([]string{a.ID}, "head", true)
		if err != nil || strings.Contains(script, "BEGIN;") {
			t.Errorf("script of a non-transactional revision:\n%s %v", script, err)
		}
		if err := r.Downgrade(ctx, "-1"); err != nil {
			t.Fatal(err)
		}
	})
}
