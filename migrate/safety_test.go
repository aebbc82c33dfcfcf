package migrate_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/migratetest"
	"github.com/microblog/microblog/migrate/schema"
)

func states(n int) []*schema.Schema {
	var out []*schema.Schema
	for i := 1; i <= n; i++ {
		out = append(out, wideSchema(i))
	}
	return out
}

// Ten processes running `db upgrade` at once apply each revision exactly once.
func TestConcurrentUpgradesApplyEachRevisionOnce(t *testing.T) {
	bin := buildScratchApp(t)
	revs := chain(t, states(5)...)
	for _, d := range migratetest.Dialects {
		t.Run(d, func(t *testing.T) {
			url := migratetest.URL(t, d)
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, "migrations", "versions"), 0o755); err != nil {
				t.Fatal(err)
			}
			for name, f := range repoFS(t, revs...) {
				if f.Data != nil {
					os.WriteFile(filepath.Join(dir, "migrations", name), f.Data, 0o644)
				}
			}
			var wg sync.WaitGroup
			results := make([]cliRun, 10)
			for i := range results {
				wg.Add(1)
				go func() {
					defer wg.Done()
					results[i] = runCLI(t, bin, dir, []string{"DATABASE_URL=" + url}, "db", "upgrade")
				}()
			}
			wg.Wait()
			ran := 0
			for i, r := range results {
				if r.code != 0 {
					t.Errorf("process %d: exit %d: %s", i, r.code, r.stderr)
				}
				ran += strings.Count(r.stderr, "Running upgrade")
			}
			if ran != len(revs) {
				t.Errorf("%d upgrades ran across the processes, want %d", ran, len(revs))
			}
			db, err := migratetest.OpenURL(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			repo, _ := migrate.LoadRepo(os.DirFS(filepath.Join(dir, "migrations")), "migrations")
			r := &migrate.Runner{DB: db.SQL, Dialect: db.Dialect, Repo: repo}
			hist, err := r.History(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(hist) != len(revs) {
				t.Fatalf("history has %d rows, want %d: %+v", len(hist), len(revs), hist)
			}
			if got, want := canonical(inspect(t, db), d), canonical(states(5)[4], d); got != want {
				t.Fatalf("schema after concurrent upgrades:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestHistoryAndEditedRevisions(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
		ctx := context.Background()
		revs := chain(t, states(3)...)
		fs := repoFS(t, revs[:2]...)
		r := runner(t, db, fs)
		if err := r.Upgrade(ctx, "head"); err != nil {
			t.Fatal(err)
		}
		if err := r.Downgrade(ctx, "-1"); err != nil {
			t.Fatal(err)
		}
		if err := r.Upgrade(ctx, "head"); err != nil {
			t.Fatal(err)
		}
		hist, err := r.History(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range hist {
			got = append(got, h.Revision+" "+h.Direction)
			if len(h.Checksum) != 64 || h.AppliedAt == "" || !strings.HasPrefix(h.ToolVersion, "migrate") {
				t.Errorf("history row %+v incomplete", h)
			}
		}
		if strings.Join(got, ", ") != "rev001 upgrade, rev002 upgrade, rev002 downgrade, rev002 upgrade" {
			t.Errorf("history = %v", got)
		}

		// Edit the applied first revision, add a third: upgrade refuses, names the file.
		var first string
		for name := range fs {
			if strings.HasPrefix(name, "versions/rev001") {
				first = name
			}
		}
		edited := fstest.MapFS{}
		for name, f := range repoFS(t, revs...) {
			edited[name] = f
		}
		edited[first] = &fstest.MapFile{Data: append(append([]byte{}, fs[first].Data...), []byte("# edited\n")...)}
		r2 := runner(t, db, edited)
		err = r2.Upgrade(ctx, "head")
		var ee *migrate.EditedError
		if !errors.As(err, &ee) || !strings.Contains(err.Error(), "rev001") || !strings.Contains(err.Error(), "--allow-edited") {
			t.Fatalf("upgrade over an edited revision: %v", err)
		}
		if cur := current(t, r2); cur[0] != "rev002" {
			t.Fatalf("refused upgrade moved the version to %v", cur)
		}
		if list, _ := r2.Edited(ctx); len(list) != 1 {
			t.Errorf("Edited() = %v", list)
		}
		r2.AllowEdited = true
		if err := r2.Upgrade(ctx, "head"); err != nil {
			t.Fatalf("upgrade with AllowEdited: %v", err)
		}
	})
}
