package cli_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestSeedCommand(t *testing.T) {
	ctx := context.Background()
	env := map[string]string{"DATABASE_URL": "sqlite:///" + filepath.Join(t.TempDir(), "seed.db")}
	code, out, errOut := run(t, ctx, env, "seed", "--users", "12", "--posts-per-user", "3", "--follows", "2", "--until", "2026-11-01")
	if code != 0 || !strings.Contains(out, "Seeded 12 users, 36 posts, 24 follows, 24 messages") ||
		!strings.Contains(out, `password is "microblog-demo"`) || !strings.Contains(out, "post: 36/36 rows (100%)") {
		t.Fatalf("seed: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "Running upgrade") {
		t.Errorf("seed did not apply the migrations first: %s", errOut)
	}
	code, _, errOut = run(t, ctx, env, "seed", "--users", "12")
	if code != 1 || !strings.Contains(errOut, "the database is not empty: table user has rows") {
		t.Errorf("second seed: exit %d, %s; want 1 and a refusal", code, errOut)
	}
	for args, want := range map[string]string{
		"--users 5 --follows 5": "--follows 5: want 0 to 4",
		"--until yesterday":     `--until "yesterday": want a date`,
		"--users x":             `invalid argument "x"`,
	} {
		code, _, errOut := run(t, ctx, env, append([]string{"seed"}, strings.Fields(args)...)...)
		if code != 2 || !strings.Contains(errOut, want) {
			t.Errorf("seed %s: exit %d, %q; want 2 and %q", args, code, errOut, want)
		}
	}
}
