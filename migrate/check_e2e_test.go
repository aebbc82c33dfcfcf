package migrate_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microblog/microblog/internal/testdb"
)

// TestCheck: db check passes when all agree and names each kind of disagreement.
func TestCheck(t *testing.T) {
	bin := buildScratchApp(t)
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			url := testdb.URL(t, d)
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
		})
	}
}

// The offline flags: --sql with --dialect needs no database at all; --dry-run reads the
// live database's revision and changes nothing.
func TestOfflineFlags(t *testing.T) {
	bin := buildScratchApp(t)
	dir := t.TempDir()
	url := testdb.URL(t, "sqlite")
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
