package migratecmd_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/migratetest"
	"github.com/microblog/microblog/migrate/internal/scratch"
)

// TestMain lets the scripts run the scratch application, built from this package's
// commands, as the command scratchapp (testscript re-executes the test binary).
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"scratchapp": func() { os.Exit(scratch.Main()) },
	})
}

// TestScripts runs the command-line scripts of testdata/script once per dialect, each
// script on a new empty database whose URL is in $DATABASE_URL ($DIALECT names the
// dialect). Besides testscript's own commands, the scripts have:
//
//	revision VAR SLUG   set $VAR to the ID of the revision file migrations/versions/*_SLUG.yaml
//	sql STATEMENT       run a statement on the database (to change the schema by hand)
//	schema FILE         compare the database's schema (migratetest.Canonical) with FILE
func TestScripts(t *testing.T) {
	for _, d := range migratetest.Dialects {
		t.Run(d, func(t *testing.T) {
			migratetest.Require(t, d) // skips, or fails under RequireEnv, before any script
			testscript.Run(t, testscript.Params{
				Dir:                 filepath.Join("testdata", "script"),
				RequireExplicitExec: true,
				RequireUniqueNames:  true,
				Setup: func(e *testscript.Env) error {
					e.Setenv("DIALECT", d)
					e.Setenv("DATABASE_URL", migratetest.URL(e.T().(testing.TB), d))
					return nil
				},
				Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
					"revision": cmdRevision,
					"sql":      cmdSQL,
					"schema":   cmdSchema,
				},
			})
		})
	}
}

func cmdRevision(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: revision VAR SLUG")
	}
	files, err := filepath.Glob(ts.MkAbs(filepath.Join("migrations", "versions", "*_"+args[1]+".yaml")))
	ts.Check(err)
	if len(files) != 1 {
		ts.Fatalf("revision files *_%s.yaml: %v, want one", args[1], files)
	}
	id, _, _ := strings.Cut(filepath.Base(files[0]), "_")
	ts.Setenv(args[0], id)
}

func cmdSQL(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sql STATEMENT")
	}
	db, err := migratetest.OpenURL(context.Background(), ts.Getenv("DATABASE_URL"))
	ts.Check(err)
	defer db.Close()
	_, err = db.SQL.ExecContext(context.Background(), args[0])
	ts.Check(err)
}

func cmdSchema(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: schema FILE")
	}
	ctx := context.Background()
	db, err := migratetest.OpenURL(ctx, ts.Getenv("DATABASE_URL"))
	ts.Check(err)
	defer db.Close()
	s, err := migrate.Inspect(ctx, db.SQL, db.Dialect)
	ts.Check(err)
	if got, want := migratetest.Canonical(s, db.Dialect), ts.ReadFile(args[0]); got != want {
		ts.Fatalf("schema of the database:\n%s\nwant (%s):\n%s", got, args[0], want)
	}
}
