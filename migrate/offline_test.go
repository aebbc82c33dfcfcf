package migrate_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/migratetest"
)

// scriptStatements keeps the schema and version statements of an offline script, the
// ones an online run passes to Trace.
func scriptStatements(script string) []string {
	var out []string
	for _, part := range strings.Split(script, ";\n\n") {
		part = strings.TrimSpace(part)
		for strings.HasPrefix(part, "--") { // drop comment lines before a statement
			_, rest, _ := strings.Cut(part, "\n")
			part = strings.TrimSpace(rest)
		}
		if part == "" || part == "BEGIN" || part == "COMMIT" || strings.HasPrefix(part, "PRAGMA") || strings.HasPrefix(part, "CREATE TABLE IF NOT EXISTS") {
			continue
		}
		out = append(out, part)
	}
	return out
}

// Offline SQL equals what an online run executes, upgrade and downgrade, including a
// SQLite table rebuild (several changes at once alter user and post).
func TestOfflineSQLEqualsOnlineRun(t *testing.T) {
	sc := scenarios[len(scenarios)-1]
	forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
		ctx := context.Background()
		revs := chain(t, sc.before(), sc.after())
		r := runner(t, db, repoFS(t, revs...))
		var online []string
		r.Trace = func(s string) { online = append(online, s) }

		script, err := r.Script(nil, "head", true)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Upgrade(ctx, "head"); err != nil {
			t.Fatal(err)
		}
		if offline := scriptStatements(script); !slices.Equal(offline, online) {
			t.Fatalf("upgrade: offline script differs from the online run\noffline:\n%s\n\nonline:\n%s", strings.Join(offline, ";\n"), strings.Join(online, ";\n"))
		}
		if db.Dialect == migrate.SQLite && !strings.Contains(script, "PRAGMA foreign_keys=OFF;\n\nBEGIN;") {
			t.Errorf("SQLite rebuild script lacks the foreign-key pragma before BEGIN:\n%s", script)
		}

		online = nil
		script, err = r.Script([]string{revs[1].ID}, revs[0].ID, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Downgrade(ctx, revs[0].ID); err != nil {
			t.Fatal(err)
		}
		if offline := scriptStatements(script); !slices.Equal(offline, online) || len(online) == 0 {
			t.Fatalf("downgrade: offline script differs from the online run\noffline:\n%s\n\nonline:\n%s", strings.Join(offline, ";\n"), strings.Join(online, ";\n"))
		}
	})
}
