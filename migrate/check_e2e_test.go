package migrate_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microblog/microblog/migrate/internal/migratetest"
)

// TestCheck: db check passes when all agree and names each kind of disagreement.
func TestCheck(t *testing.T) {
	bin := buildScratchApp(t)
	for _, d := range migratetest.Dialects {
		t.Run(d, func(t *testing.T) {
			url := migratetest.URL(t, d)
			dir := t.TempDir()
			users := []string{"DATABASE_URL=" + url, "SCRATCH_MODELS=users"}
			both := []string{"DATABASE_URL=" + url, "SCRATCH_MODELS=users,posts"}
			runCLI(t, bin, dir, users, "db", "init")
			runCLI(t, bin, dir, users, "db", "migrate", "-m", "users table")
			runCLI(t, bin, dir, users, "db", "upgrade")
			if r := runCLI(t, bin, dir, users, "db", "check"); r.code != 0 || !strings.Contains(r.stdout, "No new upgrade operations detected") {
				t.Fatalf("check when all agree: exit %d %q %q", r.code, r.stdout, r.stderr)
			}
			r := runCLI(t, bin, dir, both, "db", "check")
			if r.code != 1 || !strings.Contains(r.stderr, "New upgrade operations detected (run db migrate): Detected added table 'post'") || strings.Contains(r.stderr, "not up to date") {
				t.Errorf("check with new models: exit %d %q", r.code, r.stderr)
			}
			runCLI(t, bin, dir, both, "db", "migrate", "-m", "posts table")
			r = runCLI(t, bin, dir, both, "db", "check")
			if r.code != 1 || !strings.Contains(r.stderr, "Target database is not up to date") || strings.Contains(r.stderr, "New upgrade") {
				t.Errorf("check with a pending revision: exit %d %q", r.code, r.stderr)
			}
			runCLI(t, bin, dir, both, "db", "upgrade")
			files, _ := filepath.Glob(filepath.Join(dir, "migrations", "versions", "*users_table.yaml"))
			data, _ := os.ReadFile(files[0])
			os.WriteFile(files[0], append(data, []byte("# edited after it ran\n")...), 0o644)
			r = runCLI(t, bin, dir, both, "db", "check")
			if r.code != 1 || !strings.Contains(r.stderr, "edited since they ran") || strings.Contains(r.stderr, "not up to date") {
				t.Errorf("check with an edited revision: exit %d %q", r.code, r.stderr)
			}
			if r := runCLI(t, bin, dir, both, "db", "current", "-v"); r.code != 0 || !strings.Contains(r.stdout, "upgrade ") || !strings.Contains(r.stdout, "checksum ") {
				t.Errorf("current -v: %q", r.stdout)
			}
			// Restore the file, then change the schema by hand: check reports the drift.
			os.WriteFile(files[0], data, 0o644)
			if r := runCLI(t, bin, dir, both, "db", "check"); r.code != 0 {
				t.Fatalf("check after restoring the file: %q", r.stderr)
			}
			db, err := migratetest.OpenURL(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			stmt := `CREATE INDEX ix_by_hand ON post (body)`
			if _, err := db.SQL.Exec(stmt); err != nil {
				t.Fatal(err)
			}
			db.Close()
			r = runCLI(t, bin, dir, both, "db", "check")
			if r.code != 1 || !strings.Contains(r.stderr, `The database schema differs from what its revisions describe (changed by hand?): table "post" differs`) {
				t.Errorf("check with a hand-made index: exit %d %q", r.code, r.stderr)
			}
			r = runCLI(t, bin, dir, both, "db", "history", "-i", "-v")
			if r.code != 0 || !strings.Contains(r.stdout, "(head) (current)") || strings.Count(r.stdout, "Ran: upgrade ") != 2 {
				t.Errorf("history -i -v: %q", r.stdout)
			}
		})
	}
}

// The offline flags: --sql with --dialect needs no database at all; --dry-run reads the
// live database's revision and changes nothing.
func TestOfflineFlags(t *testing.T) {
	bin := buildScratchApp(t)
	dir := t.TempDir()
	url := migratetest.URL(t, "sqlite")
	env := []string{"DATABASE_URL=" + url, "SCRATCH_MODELS=users"}
	runCLI(t, bin, dir, env, "db", "init")
	runCLI(t, bin, dir, env, "db", "migrate", "-m", "users table", "--rev-id", "aaaaaaaaaaaa")
	noDB := []string{"DATABASE_URL=postgres://nobody@127.0.0.1:1/none", "SCRATCH_MODELS=users"}
	r := runCLI(t, bin, dir, noDB, "db", "upgrade", "--sql", "--dialect", "postgres", "base:head")
	if r.code != 0 || !strings.Contains(r.stdout, "BEGIN;\n\nCREATE TABLE \"user\" (\n\t\"id\" SERIAL NOT NULL") || !strings.Contains(r.stdout, "INSERT INTO \"alembic_version\" (version_num) VALUES ('aaaaaaaaaaaa');") {
		t.Fatalf("upgrade --sql --dialect postgres: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, bin, dir, noDB, "db", "downgrade", "--sql", "--dialect", "mysql", "head:base")
	if r.code != 0 || !strings.Contains(r.stdout, "DROP TABLE `user`;") || strings.Contains(r.stdout, "BEGIN;") {
		t.Fatalf("downgrade --sql --dialect mysql: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, bin, dir, env, "db", "upgrade", "--dry-run")
	if r.code != 0 || !strings.Contains(r.stdout, "-- Running upgrade  -> aaaaaaaaaaaa, users table") {
		t.Fatalf("upgrade --dry-run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, bin, dir, env, "db", "current"); strings.TrimSpace(r.stdout) != "" {
		t.Fatalf("--dry-run changed the database: now at %q", r.stdout)
	}
}

// The graph commands through the CLI: a branch, the refusal to upgrade two heads, a merge.
func TestBranchAndMergeCommands(t *testing.T) {
	bin := buildScratchApp(t)
	dir := t.TempDir()
	env := []string{"DATABASE_URL=" + migratetest.URL(t, "sqlite"), "SCRATCH_MODELS=users"}
	runCLI(t, bin, dir, env, "db", "init")
	for _, args := range [][]string{
		{"revision", "-m", "a", "--rev-id", "a1"},
		{"revision", "-m", "b", "--rev-id", "b1"},
		{"revision", "-m", "c", "--rev-id", "c1", "--head", "a1", "--branch-label", "side"},
	} {
		if r := runCLI(t, bin, dir, env, append([]string{"db"}, args...)...); r.code != 0 {
			t.Fatalf("db %v: %s", args, r.stderr)
		}
	}
	if r := runCLI(t, bin, dir, env, "db", "heads"); r.stdout != "b1 (head)\nc1 (head)\n" {
		t.Errorf("heads = %q", r.stdout)
	}
	if r := runCLI(t, bin, dir, env, "db", "branches"); !strings.HasPrefix(r.stdout, "a1 (branchpoint)\n") || !strings.Contains(r.stdout, "-> c1 (head), c") {
		t.Errorf("branches = %q", r.stdout)
	}
	if r := runCLI(t, bin, dir, env, "db", "revision", "-m", "d"); r.code != 1 || !strings.Contains(r.stderr, "Multiple heads are present") {
		t.Errorf("revision with two heads: %d %q", r.code, r.stderr)
	}
	if r := runCLI(t, bin, dir, env, "db", "upgrade"); r.code != 1 || !strings.Contains(r.stderr, "Multiple head revisions are present") {
		t.Errorf("upgrade with two heads: %d %q", r.code, r.stderr)
	}
	if r := runCLI(t, bin, dir, env, "db", "upgrade", "side@head"); r.code != 0 {
		t.Errorf("upgrade side@head: %q", r.stderr)
	}
	if r := runCLI(t, bin, dir, env, "db", "merge", "-m", "merge", "--rev-id", "m1", "b1", "c1"); r.code != 0 {
		t.Fatalf("merge: %q", r.stderr)
	}
	if r := runCLI(t, bin, dir, env, "db", "upgrade"); r.code != 0 || !strings.Contains(r.stderr, "Running upgrade b1, c1 -> m1, merge") {
		t.Errorf("upgrade after merge: %d %q", r.code, r.stderr)
	}
	if r := runCLI(t, bin, dir, env, "db", "history"); !strings.HasPrefix(r.stdout, "b1, c1 -> m1 (head) (mergepoint), merge\n") {
		t.Errorf("history = %q", r.stdout)
	}
	if r := runCLI(t, bin, dir, env, "db", "graph", "--dot"); !strings.Contains(r.stdout, `"c1" -> "m1";`) {
		t.Errorf("graph --dot = %q", r.stdout)
	}
	if r := runCLI(t, bin, dir, env, "db", "history", "--graph"); !strings.HasPrefix(r.stdout, "* m1 (head) merge\n|\\\n") {
		t.Errorf("history --graph = %q", r.stdout)
	}
}

// Rename detection through the CLI: without a hint (and no terminal) a warning names the
// hint and the drop+add is written; with --rename the rows are kept.
func TestRenameHintsInTheCLI(t *testing.T) {
	bin := buildScratchApp(t)
	dir := t.TempDir()
	url := migratetest.URL(t, "sqlite")
	users := []string{"DATABASE_URL=" + url, "SCRATCH_MODELS=users"}
	account := []string{"DATABASE_URL=" + url, "SCRATCH_MODELS=account"}
	runCLI(t, bin, dir, users, "db", "init")
	runCLI(t, bin, dir, users, "db", "migrate", "-m", "users")
	r := runCLI(t, bin, dir, account, "db", "migrate", "-m", "rename", "--rev-id", "dropadd00000")
	if r.code != 0 || !strings.Contains(r.stderr, "WARNING  [migrate] user -> account looks like a rename") || !strings.Contains(r.stderr, "--rename user=account") || !strings.Contains(r.stderr, "Detected removed table 'user'") {
		t.Fatalf("migrate without a hint: %d %q", r.code, r.stderr)
	}
	os.Remove(filepath.Join(dir, "migrations", "versions", "dropadd00000_rename.yaml"))
	r = runCLI(t, bin, dir, account, "db", "migrate", "-m", "rename", "--rename", "user=account")
	if r.code != 0 || !strings.Contains(r.stderr, "Detected renamed table 'user' to 'account'") || strings.Contains(r.stderr, "WARNING") || strings.Contains(r.stderr, "removed table") {
		t.Fatalf("migrate with --rename: %d %q", r.code, r.stderr)
	}
	if r := runCLI(t, bin, dir, account, "db", "upgrade"); r.code != 0 {
		t.Fatalf("upgrade: %q", r.stderr)
	}
}

// On a terminal, migrate asks whether a same-shape drop and add is a rename. `script`
// (util-linux) gives the command a pseudo-terminal; the answer comes on its input.
func TestRenameQuestionOnATerminal(t *testing.T) {
	scriptBin, err := exec.LookPath("script")
	if err != nil {
		t.Skip("the terminal test needs util-linux's script, which is not installed")
	}
	bin := buildScratchApp(t)
	dir := t.TempDir()
	url := migratetest.URL(t, "sqlite")
	runCLI(t, bin, dir, []string{"DATABASE_URL=" + url, "SCRATCH_MODELS=users"}, "db", "init")
	runCLI(t, bin, dir, []string{"DATABASE_URL=" + url, "SCRATCH_MODELS=users"}, "db", "migrate", "-m", "users")
	cmd := exec.Command(scriptBin, "-q", "-c", bin+" db migrate -m rename", "/dev/null")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DATABASE_URL="+url, "SCRATCH_MODELS=account")
	cmd.Stdin = strings.NewReader("y\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(string(out), "Is user -> account a rename (keeping the data)? [y/N]") || !strings.Contains(string(out), "Detected renamed table 'user' to 'account'") {
		t.Fatalf("terminal session:\n%s", out)
	}
}
