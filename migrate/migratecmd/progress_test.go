package migratecmd_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/migratetest"
	"github.com/microblog/microblog/migrate/migratecmd"
)

// tablesRevision is a revision creating n tables prefix_0 … prefix_{n-1}: n statements.
func tablesRevision(id string, down []string, prefix string, n int) *migrate.Revision {
	r := tableRevision(id, down, prefix+"_0")
	for i := 1; i < n; i++ {
		name := fmt.Sprintf("%s_%d", prefix, i)
		r.Upgrade = append(r.Upgrade, &migrate.Op{Kind: migrate.OpCreateTable, Def: table(name, str("name", 20, true))})
		r.Downgrade = append([]*migrate.Op{{Kind: migrate.OpDropTable, Name: name}}, r.Downgrade...)
	}
	return r
}

// runDBTo runs the db command tree with its error stream on stderr (a terminal, a file)
// and trace seeing each statement before it runs.
func runDBTo(t *testing.T, dir, url string, stderr io.Writer, trace func(string), args ...string) error {
	t.Helper()
	cmd := migratecmd.NewCommand(migratecmd.Options{
		Directory: filepath.Join(dir, "migrations"),
		Open: func(ctx context.Context) (*sql.DB, string, error) {
			db, err := migratetest.OpenURL(ctx, url)
			if err != nil {
				return nil, "", err
			}
			return db.SQL, db.Dialect, nil
		},
		Trace: trace,
	})
	cmd.SetIn(strings.NewReader(""))
	cmd.SetOut(io.Discard)
	cmd.SetErr(stderr)
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	cmd.SetArgs(args)
	return cmd.ExecuteContext(context.Background())
}

// Off a terminal (a file, a pipe) db upgrade and downgrade write Alembic's lines only: no
// progress bar, no escape codes, no carriage returns.
func TestProgressOffATerminalIsPlainLines(t *testing.T) {
	forEachDialectURL(t, func(t *testing.T, db *migratetest.DB, url string) {
		dir := t.TempDir()
		first := tablesRevision("aaaa00000001", nil, "first", 5)
		second := tablesRevision("bbbb00000001", []string{first.ID}, "second", 5)
		writeRepo(t, dir, first, second)
		for _, args := range [][]string{{"upgrade"}, {"downgrade", "base"}} {
			f, err := os.Create(filepath.Join(dir, "stderr"))
			if err != nil {
				t.Fatal(err)
			}
			err = runDBTo(t, dir, url, f, nil, args...)
			f.Close()
			if err != nil {
				t.Fatalf("db %v: %v", args, err)
			}
			out, err := os.ReadFile(filepath.Join(dir, "stderr"))
			if err != nil {
				t.Fatal(err)
			}
			if strings.ContainsAny(string(out), "\x1b\r") || strings.Contains(string(out), "statement") {
				t.Errorf("db %v off a terminal wrote a progress bar:\n%q", args, out)
			}
			wants := []string{"Running upgrade  -> " + first.ID + ", add first_0", "Running upgrade " + first.ID + " -> " + second.ID + ", add second_0"}
			if args[0] == "downgrade" {
				wants = []string{"Running downgrade " + second.ID + " -> " + first.ID + ", add second_0", "Running downgrade " + first.ID + " -> , add first_0"}
			}
			for _, want := range wants {
				if !strings.Contains(string(out), want) {
					t.Errorf("db %v: no line %q in\n%s", args, want, out)
				}
			}
			for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
				if !strings.HasPrefix(line, "INFO  [alembic.runtime.migration] ") {
					t.Errorf("db %v: line %q is not Alembic's", args, line)
				}
			}
		}
	})
}
