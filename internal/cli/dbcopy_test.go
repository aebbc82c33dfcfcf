package cli_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/testdb"
)

func TestDBCopyCommand(t *testing.T) {
	ctx := context.Background()
	src := "sqlite:///" + filepath.Join(t.TempDir(), "src.db")
	env := map[string]string{"DATABASE_URL": src}
	if code, out, errOut := run(t, ctx, env, "seed", "--users", "5", "--posts-per-user", "4", "--follows", "2"); code != 0 {
		t.Fatalf("seed: %d\n%s\n%s", code, out, errOut)
	}
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			to := testdb.URL(t, dialect)
			code, out, errOut := run(t, ctx, env, "db", "copy", "--to", to, "--batch-size", "3")
			if code != 0 || !strings.Contains(out, "The target has no revision: upgrading it") ||
				!strings.Contains(out, "post: 20/20 rows (100%)") || !strings.Contains(out, "every table verified") {
				t.Fatalf("db copy: exit %d\n%s\n%s", code, out, errOut)
			}
			// The copy is a site: it takes a seeded user's password (checked by seed's and
			// web's tests) and counts the same rows.
			dst, err := database.Open(ctx, to)
			if err != nil {
				t.Fatal(err)
			}
			defer dst.Close()
			var posts int
			if err := dst.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM post").Scan(&posts); err != nil || posts != 20 {
				t.Errorf("the target has %d posts (%v), want 20", posts, err)
			}
			// The target's schema is still the models' (PostgreSQL's load drops and adds
			// back the foreign keys).
			if code, out, errOut := run(t, ctx, map[string]string{"DATABASE_URL": to}, "db", "check"); code != 0 {
				t.Errorf("db check on the target: exit %d\n%s\n%s", code, out, errOut)
			}
			code, out, errOut = run(t, ctx, env, "db", "copy", "--to", to)
			if code != 0 || !strings.Contains(out, "kept (copied before)") || !strings.Contains(out, "Copied 0 rows") {
				t.Errorf("second db copy: exit %d\n%s\n%s", code, out, errOut)
			}
		})
	}
	for args, want := range map[string]string{
		"db copy":             "--to: missing",
		"db copy --to " + src: "--from and --to name the same database",
		"db copy --to sqlite:///x.db --batch-size 0": "--batch-size 0: want 1 to 100000",
		"db copy --to ftp://x":                       `unsupported scheme "ftp"`,
		"db copy --from sqlite:///" + filepath.Join(t.TempDir(), "typo.db") + " --to " + src: "typo.db: no such file or directory",
	} {
		code, _, errOut := run(t, ctx, env, strings.Fields(args)...)
		if code != 2 || !strings.Contains(errOut, want) {
			t.Errorf("%s: exit %d, %q; want 2 and %q", args, code, errOut, want)
		}
	}
}
