package migrate_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/migratetest"
	"github.com/microblog/microblog/migrate/schema"
)

// TestKilledAtEveryStatementBoundary kills `db upgrade` (SIGKILL) before every statement
// of a three-revision upgrade — and, where statements commit one by one (MySQL), also
// right after each statement ran but before its progress was recorded — then runs it
// again: the database always ends at the head revision, with the expected schema and
// every row it had.
func TestKilledAtEveryStatementBoundary(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and reruns a process at every statement boundary; skipped with -short")
	}
	bin := buildScratchApp(t)
	sc := scenarios[len(scenarios)-1] // several changes at once: SQLite rebuilds two tables
	final := func() *schema.Schema {
		s := sc.after()
		p := s.Table("post")
		p.ForeignKeys = nil // dropping a foreign key: two statements on MySQL
		s.Tables = append(s.Tables, table("audit", str("what", 64, false)))
		return s
	}()
	start := sc.before()
	revs := chain(t, start, sc.after(), final)

	for _, d := range migratetest.Dialects {
		t.Run(d, func(t *testing.T) {
			// Count the statements of a clean run.
			count := func() (traced, executed int) {
				db := migratetest.Open(t, d)
				r := runner(t, db, repoFS(t, revs...))
				if err := r.Upgrade(context.Background(), revs[0].ID); err != nil {
					t.Fatal(err)
				}
				r.Trace = func(string) { traced++ }
				r.Executed = func(string) { executed++ }
				if err := r.Upgrade(context.Background(), "head"); err != nil {
					t.Fatal(err)
				}
				return
			}
			traced, executed := count()
			if traced < 10 {
				t.Fatalf("only %d statements traced", traced)
			}
			modes := []struct {
				env string
				n   int
			}{{"SCRATCH_KILL_BEFORE", traced}, {"SCRATCH_KILL_AFTER", executed}}
			for _, mode := range modes {
				for k := 1; k <= mode.n; k++ {
					t.Run(fmt.Sprintf("%s=%d", mode.env, k), func(t *testing.T) {
						crashAndRecover(t, bin, d, revs, start, final, mode.env, k)
					})
				}
			}
		})
	}
}

func crashAndRecover(t *testing.T, bin, dialect string, revs []*migrate.Revision, start, final *schema.Schema, env string, k int) {
	url := migratetest.URL(t, dialect)
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "migrations", "versions"), 0o755)
	for name, f := range repoFS(t, revs...) {
		if f.Data != nil {
			os.WriteFile(filepath.Join(dir, "migrations", name), f.Data, 0o644)
		}
	}
	base := []string{"DATABASE_URL=" + url}
	if r := runCLI(t, bin, dir, base, "db", "upgrade", revs[0].ID); r.code != 0 {
		t.Fatalf("first revision: %s", r.stderr)
	}
	db, err := migratetest.OpenURL(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fillRows(t, db, start, 0)

	killed := runCLI(t, bin, dir, append(base, fmt.Sprintf("%s=%d", env, k)), "db", "upgrade")
	if killed.code != -1 {
		t.Fatalf("the run was not killed (exit %d): %s", killed.code, killed.stderr)
	}
	again := runCLI(t, bin, dir, base, "db", "upgrade")
	if again.code != 0 {
		t.Fatalf("rerun after the kill failed: %s", again.stderr)
	}
	r := runner(t, db, repoFS(t, revs...))
	if cur := current(t, r); len(cur) != 1 || cur[0] != revs[len(revs)-1].ID {
		t.Fatalf("version after the rerun: %v", cur)
	}
	if g, w := canonical(inspect(t, db), dialect), canonical(final, dialect); g != w {
		t.Fatalf("schema after the rerun:\n%s\nwant:\n%s\nrerun log:\n%s", g, w, again.stderr)
	}
	for _, tb := range []string{"user", "post"} {
		q := fmt.Sprintf(`SELECT count(*) FROM "%s"`, tb)
		if dialect == migrate.MySQL {
			q = fmt.Sprintf("SELECT count(*) FROM `%s`", tb)
		}
		var n int
		if err := db.SQL.QueryRow(q).Scan(&n); err != nil || n != 2 {
			t.Fatalf("%s has %d rows after the crash and rerun (%v), want 2", tb, n, err)
		}
	}
}

// An interrupted non-transactional revision whose file is then edited is not resumed:
// the statements already run came from the old file.
func TestResumeRefusesAnEditedRevision(t *testing.T) {
	bin := buildScratchApp(t)
	revs := chain(t, states(3)...)
	for _, r := range revs {
		r.NonTransactional = true // statement by statement on every dialect, as MySQL always is
	}
	for _, d := range migratetest.Dialects {
		t.Run(d, func(t *testing.T) {
			url := migratetest.URL(t, d)
			dir := t.TempDir()
			os.MkdirAll(filepath.Join(dir, "migrations", "versions"), 0o755)
			files := repoFS(t, revs...)
			for name, f := range files {
				if f.Data != nil {
					os.WriteFile(filepath.Join(dir, "migrations", name), f.Data, 0o644)
				}
			}
			env := []string{"DATABASE_URL=" + url}
			if r := runCLI(t, bin, dir, append(env, "SCRATCH_KILL_AFTER=5"), "db", "upgrade"); r.code != -1 {
				t.Fatalf("not killed: %d %s", r.code, r.stderr)
			}
			// Find the revision the run was in, and edit its file.
			var partial string
			for name := range files {
				if strings.Contains(name, "rev002") {
					partial = filepath.Join(dir, "migrations", name)
				}
			}
			original, _ := os.ReadFile(partial)
			os.WriteFile(partial, append(append([]byte{}, original...), []byte("# edited while half-applied\n")...), 0o644)
			r := runCLI(t, bin, dir, env, "db", "upgrade")
			if r.code != 1 || !strings.Contains(r.stderr, "the file has changed since") {
				t.Fatalf("rerun over an edited half-applied revision: %d %q", r.code, r.stderr)
			}
			os.WriteFile(partial, original, 0o644)
			r = runCLI(t, bin, dir, env, "db", "upgrade")
			if r.code != 0 || !strings.Contains(r.stderr, "Resuming upgrade rev002") {
				t.Fatalf("rerun with the file restored: %d %q", r.code, r.stderr)
			}
		})
	}
}
