package migrate_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/migratetest"
)

// TestFailedStatementSaysWhatStaysApplied: a revision whose statements commit one by one
// (always on MySQL; `transactional: false` elsewhere) fails at its second statement. The
// error says which statements stay applied (and the index is indeed there), not that
// nothing was applied; following its advice (undo by hand, delete the progress row,
// correct the file) the upgrade then completes.
func TestFailedStatementSaysWhatStaysApplied(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
		ctx := context.Background()
		head := "transactional: false\n"
		if db.Dialect == migrate.MySQL {
			head = ""
		}
		bad := second(head + "upgrade:\n  - create_index: {table: user, name: ix_user_name, columns: [username], unique: true}\n  - execute: {sql: \"THIS IS NOT SQL\"}\ndowngrade:\n  - drop_index: {table: user, name: ix_user_name}\n")
		fs := fstest.MapFS{"versions/a.yaml": {Data: []byte(goodFirst)}, "versions/b.yaml": {Data: []byte(bad)}}
		r := runner(t, db, fs)
		if err := r.Upgrade(ctx, "aaaaaaaaaaaa"); err != nil {
			t.Fatal(err)
		}
		err := r.Upgrade(ctx, "head")
		if err == nil {
			t.Fatal("accepted")
		}
		msg := err.Error()
		for _, w := range []string{"upgrade bbbbbbbbbbbb (migrations/versions/b.yaml) failed at statement 2 of 2", "statements 1 to 1 are applied and stay applied",
			"1. CREATE UNIQUE INDEX", "THIS IS NOT SQL", "resumes at statement 2", "delete the revision's row from migrate_progress"} {
			if !strings.Contains(msg, w) {
				t.Errorf("error lacks %q:\n%s", w, msg)
			}
		}
		if strings.Contains(msg, "nothing of it was applied") {
			t.Errorf("error says nothing was applied:\n%s", msg)
		}
		if inspect(t, db).Table("user").Index("ix_user_name") == nil {
			t.Fatal("the error says the index stays applied, but it is not there")
		}
		if cur := current(t, r); len(cur) != 1 || cur[0] != "aaaaaaaaaaaa" {
			t.Fatalf("version %v, want aaaaaaaaaaaa", cur)
		}
		// The way out the message gives.
		drop := `DROP INDEX "ix_user_name"`
		if db.Dialect == migrate.MySQL {
			drop = "DROP INDEX `ix_user_name` ON `user`"
		}
		for _, s := range []string{drop, "DELETE FROM migrate_progress WHERE revision = 'bbbbbbbbbbbb'"} {
			if _, err := db.SQL.ExecContext(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		fs["versions/b.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(bad, "THIS IS NOT SQL", "SELECT 1", 1))}
		if err := runner(t, db, fs).Upgrade(ctx, "head"); err != nil {
			t.Fatalf("upgrade after following the advice: %v", err)
		}
		if inspect(t, db).Table("user").Index("ix_user_name") == nil {
			t.Fatal("index missing after the corrected upgrade")
		}
	})
}
