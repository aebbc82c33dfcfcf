package migrate_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/migratetest"
)

// buildScratchApp compiles the scratch application once per test binary run.
func buildScratchApp(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "scratchapp")
	out, err := exec.Command("go", "build", "-o", bin, "./internal/scratchapp").CombinedOutput()
	if err != nil {
		t.Fatalf("build scratch app: %v\n%s", err, out)
	}
	return bin
}

type cliRun struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, bin, dir string, env []string, args ...string) cliRun {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return cliRun{code, out.String(), errb.String()}
}

// TestSeedWalkthrough replays chapter 4's console session on a scratch project.
func TestSeedWalkthrough(t *testing.T) {
	bin := buildScratchApp(t)
	for _, d := range migratetest.Dialects {
		t.Run(d, func(t *testing.T) {
			url := migratetest.URL(t, d)
			dir := t.TempDir()
			env := []string{"DATABASE_URL=" + url, "SCRATCH_MODELS=users"}
			abs, _ := filepath.Abs(dir)

			r := runCLI(t, bin, dir, env, "db", "init")
			wantInit := "Creating directory " + abs + "/migrations ...  done\n" +
				"Creating directory " + abs + "/migrations/versions ...  done\n" +
				"Generating " + abs + "/migrations/script.yaml.tmpl ...  done\n" +
				"Generating " + abs + "/migrations/README ...  done\n"
			if r.code != 0 || r.stdout != wantInit {
				t.Fatalf("db init: exit %d\n%s%s\nwant:\n%s", r.code, r.stdout, r.stderr, wantInit)
			}
			if r := runCLI(t, bin, dir, env, "db", "init"); r.code != 1 || !strings.Contains(r.stderr, "Directory migrations already exists and is not empty") {
				t.Errorf("second db init: exit %d, %q", r.code, r.stderr)
			}

			r = runCLI(t, bin, dir, env, "db", "migrate", "-m", "users table")
			wantDetected := "INFO  [alembic.autogenerate.compare] Detected added table 'user'\n" +
				"INFO  [alembic.autogenerate.compare] Detected added index 'ix_user_email' on '['email']'\n" +
				"INFO  [alembic.autogenerate.compare] Detected added index 'ix_user_username' on '['username']'\n"
			gen := regexp.MustCompile(`^Generating ` + regexp.QuoteMeta(abs) + `/migrations/versions/([0-9a-f]{12})_users_table\.yaml \.\.\.  done\n$`)
			m := gen.FindStringSubmatch(r.stdout)
			if r.code != 0 || r.stderr != wantDetected || m == nil {
				t.Fatalf("db migrate: exit %d\nstdout: %q\nstderr: %q", r.code, r.stdout, r.stderr)
			}
			rev1 := m[1]

			db, err := migratetest.OpenURL(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if s := inspect(t, db); len(s.Tables) != 0 {
				t.Fatalf("db migrate touched the database: %s", canonical(s, d))
			}

			r = runCLI(t, bin, dir, env, "db", "upgrade")
			if r.code != 0 || !strings.Contains(r.stderr, "INFO  [alembic.runtime.migration] Running upgrade  -> "+rev1+", users table\n") {
				t.Fatalf("db upgrade: exit %d, %q", r.code, r.stderr)
			}
			wantSchema := "table user\n" +
				"  col id integer null=false default=false auto=true\n" +
				"  col username varchar(64) null=false default=false auto=false\n" +
				"  col email varchar(120) null=false default=false auto=false\n" +
				"  col password_hash varchar(256) null=true default=false auto=false\n" +
				"  pk [id]\n" +
				"  index ix_user_email [email] unique=true\n" +
				"  index ix_user_username [username] unique=true\n"
			if got := canonical(inspect(t, db), d); got != wantSchema {
				t.Fatalf("schema after upgrade:\n%s\nwant exactly:\n%s", got, wantSchema)
			}

			env[1] = "SCRATCH_MODELS=users,posts"
			r = runCLI(t, bin, dir, env, "db", "migrate", "-m", "posts table")
			wantDetected = "INFO  [alembic.autogenerate.compare] Detected added table 'post'\n" +
				"INFO  [alembic.autogenerate.compare] Detected added index 'ix_post_timestamp' on '['timestamp']'\n" +
				"INFO  [alembic.autogenerate.compare] Detected added index 'ix_post_user_id' on '['user_id']'\n"
			if r.code != 0 || r.stderr != wantDetected || !strings.Contains(r.stdout, "_posts_table.yaml ...  done") {
				t.Fatalf("second db migrate: exit %d\nstdout: %q\nstderr: %q", r.code, r.stdout, r.stderr)
			}
			files, _ := filepath.Glob(filepath.Join(dir, "migrations", "versions", "*.yaml"))
			r = runCLI(t, bin, dir, env, "db", "migrate", "-m", "nothing")
			if r.code != 0 || r.stderr != "INFO  [alembic.env] No changes in schema detected.\n" || r.stdout != "" {
				t.Fatalf("third db migrate: exit %d\nstdout: %q\nstderr: %q", r.code, r.stdout, r.stderr)
			}
			if again, _ := filepath.Glob(filepath.Join(dir, "migrations", "versions", "*.yaml")); len(again) != len(files) {
				t.Fatalf("no-change migrate wrote a file: %v", again)
			}
			r = runCLI(t, bin, dir, env, "db", "upgrade")
			if r.code != 0 || !strings.Contains(r.stderr, "Running upgrade "+rev1+" -> ") {
				t.Fatalf("second upgrade: exit %d, %q", r.code, r.stderr)
			}
			r = runCLI(t, bin, dir, env, "db", "current")
			if r.code != 0 || !strings.HasSuffix(r.stdout, " (head)\n") {
				t.Fatalf("db current: %q", r.stdout)
			}
			r = runCLI(t, bin, dir, env, "db", "history")
			if lines := strings.Split(strings.TrimSpace(r.stdout), "\n"); len(lines) != 2 || lines[1] != "<base> -> "+rev1+", users table" {
				t.Fatalf("db history: %q", r.stdout)
			}
			r = runCLI(t, bin, dir, env, "db", "downgrade")
			if r.code != 0 || !strings.Contains(r.stderr, " -> "+rev1+", posts table") {
				t.Fatalf("db downgrade: exit %d, %q", r.code, r.stderr)
			}
			if got := canonical(inspect(t, db), d); got != wantSchema {
				t.Fatalf("schema after downgrade:\n%s\nwant:\n%s", got, wantSchema)
			}
			r = runCLI(t, bin, dir, env, "db", "downgrade", "base")
			if r.code != 0 || !strings.Contains(r.stderr, "Running downgrade "+rev1+" -> , users table") {
				t.Fatalf("db downgrade base: exit %d, %q", r.code, r.stderr)
			}
			if s := inspect(t, db); len(s.Tables) != 0 {
				t.Fatalf("tables left at base: %s", canonical(s, d))
			}
			r = runCLI(t, bin, dir, env, "db", "show", rev1[:6])
			if r.code != 0 || !strings.HasPrefix(r.stdout, "Rev: "+rev1+"\nParent: <base>\n") || !strings.Contains(r.stdout, "users table") {
				t.Errorf("db show %s: exit %d, %q", rev1[:6], r.code, r.stdout)
			}
			r = runCLI(t, bin, dir, env, "db", "heads")
			if r.code != 0 || strings.Count(r.stdout, " (head)\n") != 1 {
				t.Errorf("db heads: %q", r.stdout)
			}
			// stamp records a revision without running it: adopting an existing database.
			r = runCLI(t, bin, dir, env, "db", "stamp", rev1)
			if r.code != 0 {
				t.Fatalf("db stamp: exit %d, %q", r.code, r.stderr)
			}
			if r := runCLI(t, bin, dir, env, "db", "current"); strings.TrimSpace(r.stdout) != rev1 {
				t.Errorf("db current after stamp: %q", r.stdout)
			}
			if s := inspect(t, db); len(s.Tables) != 0 {
				t.Errorf("stamp created tables: %s", canonical(s, d))
			}
			if r := runCLI(t, bin, dir, env, "db", "upgrade", "deadbeef0000"); r.code != 1 || !strings.Contains(r.stderr, "Can't locate revision identified by 'deadbeef0000'") {
				t.Errorf("unknown target: exit %d, %q", r.code, r.stderr)
			}
			_ = migrate.SQLite
		})
	}
}
