package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The tutorial's nine revisions, in its order, with its ids and messages (reference §1.3),
// then the project's own.
var wantHistory = []string{
	"<base> -> e517276bb1c2, users table",
	"e517276bb1c2 -> 780739b227a7, posts table",
	"780739b227a7 -> 37f06a334dbf, new fields in user model",
	"37f06a334dbf -> ae346256b650, followers",
	"ae346256b650 -> 2b017edaa91f, add language to posts",
	"2b017edaa91f -> d049de007ccf, private messages",
	"d049de007ccf -> f7ac3d27bb1d, notifications",
	"f7ac3d27bb1d -> c81bac34faab, tasks",
	"c81bac34faab -> 834b1a697901, user tokens",
	"834b1a697901 -> 5f1c0a2e9d41, index followers by followed user",
	"5f1c0a2e9d41 -> 9c3e7b1d5a20, web sessions",
	"9c3e7b1d5a20 -> 2d8f4a6c1e37, rate limits",
	"2d8f4a6c1e37 -> 7b2e9f4c0a18, case-insensitive unique usernames and emails",
	"7b2e9f4c0a18 -> c05cb1c54b88, full precision times on a Flask-made MySQL database",
	"c05cb1c54b88 -> eb734d6789e7, username keys",
	"eb734d6789e7 -> 95ca808f003e, background jobs: job outbox, message and task indexes",
	"95ca808f003e -> b3ea10ae6597, user language",
	"b3ea10ae6597 -> 4c2b5f67ca6d, user disabled_at",
	"4c2b5f67ca6d -> 843767ed7abf, api tokens",
	"843767ed7abf -> ccdf2d4e5972, post index for timelines",
	"ccdf2d4e5972 -> 84fc1485177b, full-text search",
	"84fc1485177b -> 6a1d3f8b2c95 (head), materialized timelines",
}

// An operator has the binary and a database, not the source tree: every command that only
// reads revisions works from the ones built into the program; the ones that write
// revision files say that they need the repository.
func TestDBCommandsFromTheBinaryAlone(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	ctx := context.Background()
	env := map[string]string{"DATABASE_URL": "sqlite:///" + filepath.Join(dir, "app.db")}
	db := func(args ...string) (int, string, string) {
		t.Helper()
		return run(t, ctx, env, append([]string{"db"}, args...)...)
	}

	code, out, errOut := db("history")
	if code != 0 {
		t.Fatalf("db history: exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for i, j := 0, len(lines)-1; i < j; i, j = i+1, j-1 {
		lines[i], lines[j] = lines[j], lines[i]
	}
	if strings.Join(lines, "\n") != strings.Join(wantHistory, "\n") {
		t.Errorf("db history, oldest first:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(wantHistory, "\n"))
	}
	if !strings.Contains(errOut, "No migrations directory here; using the 22 revisions built into the program.") {
		t.Errorf("db history does not say where its revisions come from: %q", errOut)
	}

	if code, _, errOut := db("upgrade"); code != 0 || !strings.Contains(errOut, "Running upgrade c81bac34faab -> 834b1a697901, user tokens") {
		t.Fatalf("db upgrade: exit %d: %s", code, errOut)
	}
	if code, out, errOut := db("current"); code != 0 || strings.TrimSpace(out) != "6a1d3f8b2c95 (head)" {
		t.Errorf("db current: exit %d, %q %q", code, out, errOut)
	}
	if code, out, _ := db("heads"); code != 0 || strings.TrimSpace(out) != "6a1d3f8b2c95 (head)" {
		t.Errorf("db heads: exit %d, %q", code, out)
	}
	if code, out, _ := db("show", "834b"); code != 0 || !strings.Contains(out, "user tokens") || !strings.Contains(out, "builtin:migrations/versions/834b1a697901_user_tokens.yaml") {
		t.Errorf("db show 834b: exit %d, %q", code, out)
	}
	if code, out, errOut := db("check"); code != 0 {
		t.Errorf("db check: exit %d, %q %q", code, out, errOut)
	}
	if code, _, errOut := db("downgrade", "834b1a697901"); code != 0 || !strings.Contains(errOut, "Running downgrade 5f1c0a2e9d41 -> 834b1a697901") {
		t.Errorf("db downgrade: exit %d: %s", code, errOut)
	}
	if code, out, _ := db("current"); code != 0 || strings.TrimSpace(out) != "834b1a697901" {
		t.Errorf("db current after downgrade: exit %d, %q", code, out)
	}
	if code, out, errOut := db("upgrade", "--sql", "834b1a697901:head"); code != 0 || !strings.Contains(out, `CREATE TABLE "sessions"`) {
		t.Errorf("db upgrade --sql: exit %d, %q %q", code, out, errOut)
	}
	if code, _, errOut := db("stamp", "head"); code != 0 {
		t.Errorf("db stamp head: exit %d: %s", code, errOut)
	}
	if code, _, errOut := db("stamp", "834b1a697901"); code != 0 {
		t.Errorf("db stamp 834b1a697901: exit %d: %s", code, errOut)
	}
	if code, _, errOut := db("upgrade"); code != 0 || !strings.Contains(errOut, "Running upgrade 834b1a697901 -> 5f1c0a2e9d41") {
		t.Errorf("db upgrade after stamp: exit %d: %s", code, errOut)
	}

	for _, args := range [][]string{{"migrate", "-m", "x"}, {"revision", "-m", "x"}, {"merge", "834b", "7b2e"}, {"squash", "834b"}} {
		code, _, errOut := db(args...)
		if code != 1 || !strings.Contains(errOut, "This command writes revision files, so it needs the migration repository") {
			t.Errorf("db %s without a repository: exit %d, %q; want 1 and a message saying it needs the repository", args[0], code, errOut)
		}
	}
	if code, _, errOut := db("history", "-d", "elsewhere"); code != 1 || !strings.Contains(errOut, "Path doesn't exist: '"+filepath.Join(dir, "elsewhere")+"'") {
		t.Errorf("db history -d elsewhere: exit %d, %q; a directory named on the command line must exist", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "migrations")); err == nil {
		t.Error("a command created a migrations directory")
	}
}
