package migratecmd_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/migratetest"
	"github.com/microblog/microblog/migrate/schema"
)

// tableRevision is a revision creating table name.
func tableRevision(id string, down []string, name string) *migrate.Revision {
	r := &migrate.Revision{ID: id, Down: down, Message: "add " + name, CreateDate: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	r.Upgrade = []*migrate.Op{{Kind: migrate.OpCreateTable, Def: table(name, str("name", 20, true))}}
	r.Downgrade = []*migrate.Op{{Kind: migrate.OpDropTable, Name: name}}
	return r
}

// The engine's errors are Go's (migrate.ErrUnknownRevision …); the db commands print them
// in Alembic's words (reference/flask-migrate-cli.md, "Errors"), exactly as before the
// engine changed, and the error they return still matches the engine's sentinel.
func TestEngineErrorsInAlembicWords(t *testing.T) {
	forEachDialectURL(t, func(t *testing.T, db *migratetest.DB, url string) {
		dir := t.TempDir()
		a := tableRevision("abc100000001", nil, "ta")
		b := tableRevision("abc200000001", []string{a.ID}, "tb")
		c := tableRevision("cde300000001", []string{a.ID}, "tc")
		writeRepo(t, dir, a, b)
		models := func() (*schema.Schema, error) { return sch(), nil }
		run := func(args ...string) error {
			t.Helper()
			_, _, err := runDB(t, dir, url, models, strings.NewReader(""), args...)
			return err
		}
		check := func(err error, sentinel error, want string) {
			t.Helper()
			if err == nil || err.Error() != want || !errors.Is(err, sentinel) {
				t.Errorf("error %v\nwant   %s (matching %v)", err, want, sentinel)
			}
		}

		check(run("upgrade", "deadbeef0000"), migrate.ErrUnknownRevision, "Can't locate revision identified by 'deadbeef0000'")
		check(run("upgrade", "head-x"), migrate.ErrUnknownRevision, "Can't locate revision identified by 'head-x'")
		check(run("upgrade", "+5"), migrate.ErrRelativeRevision, "Relative revision +5 didn't produce 5 migrations")
		check(run("show", "abc"), migrate.ErrAmbiguousRevision, "Multiple revisions start with 'abc': abc100000001, abc200000001")

		writeRepo(t, dir, c) // a second head
		check(run("upgrade"), migrate.ErrMultipleHeads, "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads")
		// What Alembic has no message for stays in the engine's words.
		if err := run("upgrade", "abc1@head"); !errors.Is(err, migrate.ErrMultipleHeads) || !strings.HasPrefix(err.Error(), "migrate: target abc1@head matches 2 heads") {
			t.Errorf("abc1@head with two heads: %v", err)
		}

		// The database records a revision whose file is gone.
		if err := run("upgrade", "heads"); err != nil {
			t.Fatal(err)
		}
		files, _ := filepath.Glob(filepath.Join(dir, "migrations", "versions", c.ID+"*"))
		for _, f := range files {
			os.Remove(f)
		}
		repoDir := filepath.Join(dir, "migrations")
		check(run("upgrade"), migrate.ErrUnknownRevision, "Can't locate revision identified by '"+c.ID+"' (recorded in alembic_version but not in "+repoDir+")")

		// A directory that is not a repository (no versions/ in it).
		if err := os.RemoveAll(filepath.Join(repoDir, "versions")); err != nil {
			t.Fatal(err)
		}
		check(run("history"), migrate.ErrNoRepository, "Path doesn't exist: '"+repoDir+"'.  Please use the 'init' command to create a new scripts folder.")
	})
}
