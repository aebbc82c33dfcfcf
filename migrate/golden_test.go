package migrate_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/microblog/microblog/migrate"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// The SQL a real app's revisions (the fixture in testdata/apphistory) render to on each
// dialect, as golden files: any change in rendering shows up as a diff to review
// (go test ./migrate -run Golden -update).
func TestGoldenSQL(t *testing.T) {
	repo, err := migrate.LoadRepo(appHistory, appHistoryDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{migrate.SQLite, migrate.Postgres, migrate.MySQL} {
		for _, dir := range []struct {
			name   string
			from   []string
			target string
			up     bool
		}{{"upgrade", nil, "head", true}, {"downgrade", repo.Heads(), "base", false}} {
			t.Run(d+"/"+dir.name, func(t *testing.T) {
				r := &migrate.Runner{Repo: repo, Dialect: d}
				got, err := r.Script(dir.from, dir.target, dir.up)
				if err != nil {
					t.Fatal(err)
				}
				path := filepath.Join("testdata", "golden", "app_"+dir.name+"_"+d+".sql")
				if *update {
					os.MkdirAll(filepath.Dir(path), 0o755)
					if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if got != string(want) {
					t.Errorf("%s differs from the rendered SQL; review and run with -update:\n%s", path, got)
				}
			})
		}
	}
}
