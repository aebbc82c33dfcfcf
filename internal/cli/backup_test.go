package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/testdb"
)

// db backup copies a SQLite database that a running site is using into a new file that
// is a complete database (at head, with its rows); it never overwrites a file, and sends
// PostgreSQL and MariaDB users to their own tools.
func TestDBBackup(t *testing.T) {
	repo, _ := filepath.Abs(filepath.Join("..", "..", "migrations"))
	dir := t.TempDir()
	t.Chdir(dir)
	env := map[string]string{"DATABASE_URL": "sqlite:///" + filepath.Join(dir, "app.db"), "LOG_TO_STDOUT": "1", "JOB_QUEUE": testdb.RandomName("test-")}
	addr := freeAddr(t)
	p := start(t, env, "run", "--addr", addr)
	waitProbe(t, p, "http://"+addr, "/readyz", 200)
	db, err := database.Open(context.Background(), env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.SQL.Exec(`INSERT INTO "user" (username, username_key, email, last_seen) VALUES ('susan', 'susan', 'susan@example.com', '2026-01-01 00:00:00')`); err != nil {
		t.Fatal(err)
	}

	file := filepath.Join(dir, "back'up ü.db") // a quote and a non-ASCII letter in the name
	code, out, errOut := run(t, context.Background(), env, "db", "backup", file)
	if code != 0 || !strings.HasPrefix(out, "Backed up sqlite:///") {
		t.Fatalf("db backup: exit %d, %q %q", code, out, errOut)
	}
	backup := map[string]string{"DATABASE_URL": "sqlite:///" + file}
	if code, out, errOut := run(t, context.Background(), backup, "db", "current", "-d", repo); code != 0 || !strings.HasSuffix(strings.TrimSpace(out), "(head)") {
		t.Errorf("db current on the backup: exit %d, %q %q", code, out, errOut)
	}
	bdb, err := database.Open(context.Background(), backup["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	var name, check string
	if err := bdb.SQL.QueryRow(`SELECT username FROM "user"`).Scan(&name); err != nil || name != "susan" {
		t.Errorf("the backup's user: %q %v", name, err)
	}
	if err := bdb.SQL.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check of the backup: %q %v", check, err)
	}

	before, _ := os.ReadFile(file)
	if code, _, errOut := run(t, context.Background(), env, "db", "backup", file); code != 1 || !strings.Contains(errOut, "exists: give a new file name") {
		t.Errorf("backup onto an existing file: exit %d, %q", code, errOut)
	}
	if after, _ := os.ReadFile(file); string(after) != string(before) {
		t.Error("the existing file was changed")
	}
	if code, _, errOut := run(t, context.Background(), env, "db", "backup", "a\x00b"); code != 2 || !strings.Contains(errOut, `FILE "a\x00b"`) {
		t.Errorf("a NUL in the name: exit %d, %q", code, errOut)
	}
	for dbURL, tool := range map[string]string{"postgres://u@127.0.0.1:1/db": "pg_dump", "mysql://u@127.0.0.1:1/db": "mariadb-dump"} {
		if code, _, errOut := run(t, context.Background(), map[string]string{"DATABASE_URL": dbURL}, "db", "backup", filepath.Join(dir, "x.db")); code != 1 || !strings.Contains(errOut, tool) {
			t.Errorf("%s: exit %d, %q; want a pointer to %s", dbURL, code, errOut, tool)
		}
	}
}
