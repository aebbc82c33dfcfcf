package migrate_test

import (
	"os/exec"
	"strings"
	"testing"
)

// Nothing under migrate, tests included, depends on the application: migrate could
// become a module of its own. Its tests open databases and read fixtures through
// migrate/internal (migratetest, dburl, testdata/apphistory), never through the app's
// packages.
func TestImportsNothingOfTheApp(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to list the dependencies: %v", err)
	}
	out, err := exec.Command(goTool, "list", "-deps", "-test", "-f", "{{.ImportPath}}", "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	const module, lib = "github.com/microblog/microblog", "github.com/microblog/microblog/migrate"
	var seen int
	for _, p := range strings.Fields(string(out)) {
		if p != module && !strings.HasPrefix(p, module+"/") && !strings.HasPrefix(p, module+"_") {
			continue
		}
		seen++
		// Test packages list as "…/migrate/x.test" and "…/migrate/x_test".
		if p != lib && !strings.HasPrefix(p, lib+"/") && !strings.HasPrefix(p, lib+".") && !strings.HasPrefix(p, lib+"_") {
			t.Errorf("migrate depends on the application's package %s", p)
		}
	}
	if seen == 0 {
		t.Fatalf("go list listed none of the module's packages:\n%s", out)
	}
}
