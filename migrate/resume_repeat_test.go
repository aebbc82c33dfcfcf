package migrate_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/migratetest"
	"github.com/microblog/microblog/migrate/schema"
)

// manyTables is one schema of n tables, each with a column and an index: one revision
// from empty makes 2n statements.
func manyTables(n int) *schema.Schema {
	s := &schema.Schema{}
	for i := range n {
		s.Tables = append(s.Tables, index(table(fmt.Sprintf("t%04d", i), str("name", 32, false)), false, "name"))
	}
	return s
}

// killRepo writes one non-transactional revision creating want's tables into a new
// project directory (statement by statement on every dialect, as MySQL always is).
func killRepo(t *testing.T, want *schema.Schema) (string, []*migrate.Revision) {
	t.Helper()
	revs := chain(t, want)
	revs[0].NonTransactional = true
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "migrations", "versions"), 0o755)
	for name, f := range repoFS(t, revs...) {
		if f.Data != nil {
			os.WriteFile(filepath.Join(dir, "migrations", name), f.Data, 0o644)
		}
	}
	return dir, revs
}

// finishAndCheck runs the upgrade without a kill and checks that it completes with the
// whole schema.
func finishAndCheck(t *testing.T, bin, dir, url string, revs []*migrate.Revision, want *schema.Schema, history string) {
	t.Helper()
	r := runCLI(t, bin, dir, []string{"DATABASE_URL=" + url}, "db", "upgrade")
	if r.code != 0 {
		t.Fatalf("the run after the kills failed (%s): %s", history, r.stderr)
	}
	db, err := migratetest.OpenURL(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rn := runner(t, db, repoFS(t, revs...))
	if cur := current(t, rn); len(cur) != 1 || cur[0] != revs[0].ID {
		t.Fatalf("version after the kills (%s): %v", history, cur)
	}
	if g, w := canonical(inspect(t, db), db.Dialect), canonical(want, db.Dialect); g != w {
		t.Fatalf("schema after the kills (%s):\n%s\nwant:\n%s", history, g, w)
	}
}

func killedRun(t *testing.T, bin, dir, url, env string, k int) cliRun {
	t.Helper()
	r := runCLI(t, bin, dir, []string{"DATABASE_URL=" + url, fmt.Sprintf("%s=%d", env, k)}, "db", "upgrade")
	if r.code != -1 {
		t.Fatalf("%s=%d: the run was not killed (exit %d): %s", env, k, r.code, r.stderr)
	}
	return r
}

// TestResumeSurvivesAKillRightAfterTheSkip: a run killed after a statement ran but before
// its progress was recorded; the rerun finds that statement done and skips it, runs the
// next one and is killed again before recording it; a third run completes. Before the
// skip was recorded, the third run checked only the first unrecorded statement and ran
// the second again ("Table 't0001' already exists" on MariaDB, on every rerun).
func TestResumeSurvivesAKillRightAfterTheSkip(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a process many times; skipped with -short")
	}
	bin := buildScratchApp(t)
	want := manyTables(10)
	for _, d := range migratetest.Dialects {
		t.Run(d, func(t *testing.T) {
			for _, k := range []int{1, 2, 7} { // a create_table, an index, a create_table mid-run
				t.Run(fmt.Sprint(k), func(t *testing.T) {
					url := migratetest.URL(t, d)
					dir, revs := killRepo(t, want)
					killedRun(t, bin, dir, url, "SCRATCH_KILL_AFTER", k)
					second := killedRun(t, bin, dir, url, "SCRATCH_KILL_AFTER", 1)
					if !strings.Contains(second.stderr, fmt.Sprintf("at statement %d of", k)) {
						t.Fatalf("the second run did not resume at statement %d: %s", k, second.stderr)
					}
					finishAndCheck(t, bin, dir, url, revs, want, fmt.Sprintf("killed after statement %d, then right after the skip", k))
				})
			}
		})
	}
}

// TestResumeAfterSixRandomKills: one revision creating 100 tables, SIGKILLed six times in
// a row at random moments, then run again: it completes with every table. Each kill is
// one of: after a statement ran but before its progress was recorded, early in the run
// (where a resumed run has just skipped a statement); before a statement; or from
// outside, after a random delay, wherever the run is then (a run that finishes first
// just ends the series). The seed and the kills are in the failure message.
func TestResumeAfterSixRandomKills(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a process many times; skipped with -short")
	}
	bin := buildScratchApp(t)
	want := manyTables(100)
	for _, d := range migratetest.Dialects {
		t.Run(d, func(t *testing.T) {
			seed := uint64(time.Now().UnixNano())
			rng := rand.New(rand.NewPCG(seed, 0))
			url := migratetest.URL(t, d)
			dir, revs := killRepo(t, want)
			var history []string
			for range 6 {
				var r cliRun
				switch rng.IntN(4) {
				case 0, 1: // most often: the kill that strands a resumed run's skip
					k := 1 + rng.IntN(2)
					history = append(history, fmt.Sprintf("SCRATCH_KILL_AFTER=%d", k))
					r = killedRun(t, bin, dir, url, "SCRATCH_KILL_AFTER", k)
				case 2:
					k := 1 + rng.IntN(25) // 6 × 25 < 200 statements: the run is killed
					history = append(history, fmt.Sprintf("SCRATCH_KILL_BEFORE=%d", k))
					r = killedRun(t, bin, dir, url, "SCRATCH_KILL_BEFORE", k)
				default:
					delay := time.Duration(20+rng.IntN(400)) * time.Millisecond
					r = runKilledAfter(t, bin, dir, url, delay)
					history = append(history, fmt.Sprintf("SIGKILL after %v (exit %d)", delay, r.code))
				}
				if r.code == 0 {
					break // finished before the kill
				}
				if r.code != -1 {
					t.Fatalf("a run failed instead of being killed (seed %d: %s): %s", seed, strings.Join(history, ", "), r.stderr)
				}
			}
			finishAndCheck(t, bin, dir, url, revs, want, fmt.Sprintf("seed %d: %s", seed, strings.Join(history, ", ")))
		})
	}
}

// runKilledAfter runs db upgrade and SIGKILLs it after delay, if it is still running.
func runKilledAfter(t *testing.T, bin, dir, url string, delay time.Duration) cliRun {
	t.Helper()
	cmd := exec.Command(bin, "db", "upgrade")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DATABASE_URL="+url)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(delay, func() { cmd.Process.Kill() })
	err := cmd.Wait()
	timer.Stop()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return cliRun{code, out.String(), errb.String()}
}
