package migrate_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/migratetest"
)

const (
	provFirst  = "a1b2c3d4e5f6"
	provSecond = "b7c8d9e0f1a2"
)

// providerFS copies testdata/provider (two revisions: a table, then a column and an
// index) into memory, so that a test can add or edit revisions.
func providerFS(t *testing.T) fstest.MapFS {
	t.Helper()
	out := fstest.MapFS{}
	err := fs.WalkDir(os.DirFS("testdata/provider"), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile("testdata/provider/" + p)
		out[p] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestProviderUpgradeDowngrade(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
		ctx := context.Background()
		var events []migrate.Event
		var logs bytes.Buffer
		p, err := migrate.NewProvider(db.SQL, db.Dialect, os.DirFS("testdata/provider"),
			migrate.WithProgress(func(e migrate.Event) { events = append(events, e) }),
			migrate.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
		if err != nil {
			t.Fatal(err)
		}
		if pending, err := p.Pending(ctx); err != nil || !slices.Equal(pending, []string{provFirst, provSecond}) {
			t.Fatalf("Pending on a new database = %v, %v", pending, err)
		}
		results, err := p.Upgrade(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(results) != 2 {
			t.Fatalf("Upgrade ran %d revisions, want 2: %+v", len(results), results)
		}
		want := []struct {
			rev, msg string
			down     []string
		}{{provFirst, "notes", nil}, {provSecond, "note authors", []string{provFirst}}}
		for i, w := range want {
			r := results[i]
			if r.Revision != w.rev || r.Message != w.msg || !slices.Equal(r.Down, w.down) || r.Direction != migrate.DirectionUp {
				t.Errorf("result %d = %+v, want %s %q down %v upgrade", i, r, w.rev, w.msg, w.down)
			}
			if r.Duration <= 0 || r.Statements < 1 {
				t.Errorf("result %d: duration %v, %d statements", i, r.Duration, r.Statements)
			}
		}
		// The second revision adds a column and an index: at least two statements.
		if results[1].Statements < 2 {
			t.Errorf("%s ran %d statements, want at least 2", provSecond, results[1].Statements)
		}
		if _, err := db.SQL.ExecContext(ctx, "INSERT INTO note (body, author) VALUES ('hi', 'ana')"); err != nil {
			t.Fatalf("the upgraded schema: %v", err)
		}
		// Statement events are checked in TestWatchCountsStatements.
		events = slices.DeleteFunc(events, func(e migrate.Event) bool { return e.Kind == migrate.EventStatement })
		var order []string
		for i, e := range events {
			order = append(order, e.Kind.String()+" "+e.Result.Revision)
			if e.Total != 2 || e.Index != i/2+1 {
				t.Errorf("event %d: index %d of %d", i, e.Index, e.Total)
			}
			if i > 0 && e.Elapsed < events[i-1].Elapsed {
				t.Errorf("event %d: elapsed %v went back from %v", i, e.Elapsed, events[i-1].Elapsed)
			}
		}
		if wantOrder := []string{"start " + provFirst, "done " + provFirst, "start " + provSecond, "done " + provSecond}; !slices.Equal(order, wantOrder) {
			t.Errorf("events %v, want %v", order, wantOrder)
		}
		if events[3].Result.Duration != results[1].Duration {
			t.Errorf("done event duration %v, result %v", events[3].Result.Duration, results[1].Duration)
		}
		for _, rev := range []string{provFirst, provSecond} {
			if !strings.Contains(logs.String(), "revision="+rev) || !strings.Contains(logs.String(), "elapsed=") {
				t.Errorf("log has no progress line for %s:\n%s", rev, logs.String())
			}
		}
		if cur, err := p.Current(ctx); err != nil || !slices.Equal(cur, []string{provSecond}) {
			t.Fatalf("Current = %v, %v", cur, err)
		}
		if pending, err := p.Pending(ctx); err != nil || len(pending) != 0 {
			t.Fatalf("Pending at head = %v, %v", pending, err)
		}
		if again, err := p.Upgrade(ctx, "heads"); err != nil || len(again) != 0 {
			t.Fatalf("Upgrade at head = %+v, %v", again, err)
		}

		down, err := p.Downgrade(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(down) != 1 || down[0].Revision != provSecond || down[0].Direction != migrate.DirectionDown || down[0].Statements < 2 {
			t.Fatalf("Downgrade -1 = %+v", down)
		}
		if _, err := db.SQL.ExecContext(ctx, "INSERT INTO note (body, author) VALUES ('hi', 'ana')"); err == nil {
			t.Fatal("the column author is still there after the downgrade")
		}
		down, err = p.Downgrade(ctx, "base")
		if err != nil || len(down) != 1 || down[0].Revision != provFirst {
			t.Fatalf("Downgrade base = %+v, %v", down, err)
		}
		if cur, err := p.Current(ctx); err != nil || len(cur) != 0 {
			t.Fatalf("Current after downgrade to base = %v, %v", cur, err)
		}
		if _, err := db.SQL.ExecContext(ctx, "INSERT INTO note (body) VALUES ('hi')"); err == nil {
			t.Fatal("table note is still there at base")
		}
	})
}

func TestProviderFailingRevisionWrapsCause(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
		ctx := context.Background()
		src := providerFS(t)
		bad := handRevision("c0ffee000003", provSecond,
			[]*migrate.Op{{Kind: migrate.OpExecute, SQL: "INSERT INTO no_such_table (x) VALUES (1)"}},
			[]*migrate.Op{{Kind: migrate.OpExecute, SQL: "DELETE FROM note"}})
		data, err := bad.Marshal("")
		if err != nil {
			t.Fatal(err)
		}
		src["versions/c0ffee000003_bad.yaml"] = &fstest.MapFile{Data: data}
		p, err := migrate.NewProvider(db.SQL, db.Dialect, src)
		if err != nil {
			t.Fatal(err)
		}
		results, err := p.Upgrade(ctx, "heads")
		if err == nil {
			t.Fatal("an upgrade through a failing revision succeeded")
		}
		var re *migrate.RevisionError
		if !errors.As(err, &re) || re.Revision != "c0ffee000003" || re.Direction != migrate.DirectionUp {
			t.Fatalf("error %v (%T) is not a RevisionError for c0ffee000003", err, err)
		}
		if !strings.Contains(err.Error(), "no_such_table") || !strings.HasPrefix(err.Error(), "migrate: upgrade to heads: ") {
			t.Errorf("error %q", err)
		}
		var cause bool
		switch db.Dialect {
		case migrate.SQLite:
			var e *sqlite.Error
			cause = errors.As(err, &e)
		case migrate.Postgres:
			var e *pgconn.PgError
			cause = errors.As(err, &e) && e.Code == "42P01" // undefined_table
		case migrate.MySQL:
			var e *mysql.MySQLError
			cause = errors.As(err, &e) && e.Number == 1146 // ER_NO_SUCH_TABLE
		}
		if !cause {
			t.Errorf("the driver's error is not in the chain of %v", err)
		}
		if len(results) != 2 || results[0].Revision != provFirst || results[1].Revision != provSecond {
			t.Errorf("results before the failure = %+v", results)
		}
		if cur, err := p.Current(ctx); err != nil || !slices.Equal(cur, []string{provSecond}) {
			t.Errorf("Current after the failure = %v, %v", cur, err)
		}
	})
}

func TestProviderEditedRevision(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
		ctx := context.Background()
		src := providerFS(t)
		p, err := migrate.NewProvider(db.SQL, db.Dialect, src)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Upgrade(ctx, provFirst); err != nil {
			t.Fatal(err)
		}
		f := src["versions/"+provFirst+"_notes.yaml"]
		f.Data = append(f.Data, "# edited after it ran\n"...)
		p, err = migrate.NewProvider(db.SQL, db.Dialect, src)
		if err != nil {
			t.Fatal(err)
		}
		results, err := p.Upgrade(ctx, "heads")
		var ee *migrate.EditedError
		if !errors.Is(err, migrate.ErrEditedRevision) || !errors.As(err, &ee) || len(ee.Revisions) != 1 || !strings.HasPrefix(ee.Revisions[0], provFirst) {
			t.Fatalf("upgrade past an edited revision: %v", err)
		}
		if len(results) != 0 {
			t.Fatalf("refused upgrade ran %+v", results)
		}
		p, err = migrate.NewProvider(db.SQL, db.Dialect, src, migrate.WithAllowEdited(true))
		if err != nil {
			t.Fatal(err)
		}
		if results, err := p.Upgrade(ctx, "heads"); err != nil || len(results) != 1 || results[0].Revision != provSecond {
			t.Fatalf("upgrade with WithAllowEdited = %+v, %v", results, err)
		}
	})
}

func TestNewProviderRefusesBadInput(t *testing.T) {
	db := migratetest.Open(t, migrate.SQLite)
	for name, c := range map[string]struct {
		dialect string
		src     fs.FS
		want    string
	}{
		"unknown dialect": {"oracle", os.DirFS("testdata/provider"), `unknown dialect "oracle"`},
		"NUL in dialect":  {"sqlite\x00", os.DirFS("testdata/provider"), `unknown dialect "sqlite\x00"`},
		"no source":       {migrate.SQLite, nil, "no revision source"},
		"no versions":     {migrate.SQLite, fstest.MapFS{}, "migrations is not a migration repository"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := migrate.NewProvider(db.SQL, c.dialect, c.src)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "migrate: new provider: ") {
				t.Fatalf("NewProvider(%q) = %v, want an error with %q", c.dialect, err, c.want)
			}
		})
	}
}
