package migrate_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/migratetest"
)

// A squash gives new databases the first three revisions in one step, while a database
// already part-way through the run keeps using the original files.
func TestSquash(t *testing.T) {
	revs := chain(t, states(5)...)
	repo, err := migrate.LoadRepo(repoFS(t, revs...), "migrations")
	if err != nil {
		t.Fatal(err)
	}
	sq, err := repo.Squash("rev003")
	if err != nil {
		t.Fatal(err)
	}
	sq.ID, sq.Message = "squash000003", "squash"
	if strings.Join(sq.Squashes, ",") != "rev001,rev002,rev003" {
		t.Fatalf("squashes = %v", sq.Squashes)
	}
	fs := repoFS(t, append(revs, sq)...)
	forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
		ctx := context.Background()
		var log bytes.Buffer
		r := runner(t, db, fs)
		r.Notify = func(n migrate.Notice) { fmt.Fprintln(&log, n) }
		if err := r.Upgrade(ctx, "head"); err != nil {
			t.Fatal(err)
		}
		if got := strings.Count(log.String(), "running upgrade"); got != 3 || !strings.Contains(log.String(), "running upgrade  -> squash000003, squash") {
			t.Fatalf("a new database should run the squash then rev004 and rev005:\n%s", log.String())
		}
		if g, w := canonical(inspect(t, db), db.Dialect), canonical(states(5)[4], db.Dialect); g != w {
			t.Fatalf("schema via the squash:\n%s\nwant:\n%s", g, w)
		}
		if cur := current(t, r); cur[0] != "rev005" {
			t.Fatalf("current = %v", cur)
		}
		// Downgrading goes through the original files.
		if err := r.Downgrade(ctx, "rev002"); err != nil {
			t.Fatal(err)
		}
		// A database at rev002 continues with the originals, not the squash.
		log.Reset()
		if err := r.Upgrade(ctx, "head"); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(log.String(), "squash") || strings.Count(log.String(), "running upgrade") != 3 {
			t.Fatalf("a database inside the run should use the originals:\n%s", log.String())
		}
	})
	if _, err := migrate.LoadRepo(repoFS(t, append(revs[:2], sq)...), "migrations"); err == nil || !strings.Contains(err.Error(), "squashes rev003: no revision file has that id") {
		t.Errorf("a squash whose originals are gone: %v", err)
	}
}
