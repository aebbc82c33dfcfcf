package cli_test

import (
	"context"
	"strings"
	"testing"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/search"
	"github.com/microblog/microblog/internal/testdb"
)

// `microblog search reindex` rebuilds the index with progress lines, on every dialect,
// and `db check` finds nothing to report about the index at head.
func TestSearchReindex(t *testing.T) {
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			t.Chdir(t.TempDir())
			env := map[string]string{"DATABASE_URL": testdb.URL(t, dialect)}
			if code, _, errOut := run(t, ctx, env, "search", "reindex"); code != 1 || !strings.Contains(errOut, "run `microblog db upgrade`") {
				t.Errorf("before any revision: exit %d, stderr %q; want 1 and a hint", code, errOut)
			}
			if code, _, errOut := run(t, ctx, env, "db", "upgrade"); code != 0 {
				t.Fatalf("db upgrade: %s", errOut)
			}
			// Neither autogenerate (models against revisions) nor the drift check (live
			// schema against revisions) sees the full-text index's objects.
			if code, out, errOut := run(t, ctx, env, "db", "check"); code != 0 || !strings.Contains(out, "No new upgrade operations detected") {
				t.Errorf("db check at head: exit %d\n%s%s", code, out, errOut)
			}
			db, err := database.Open(ctx, env["DATABASE_URL"])
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			exec := func(q string) {
				t.Helper()
				if _, err := db.SQL.ExecContext(ctx, q); err != nil {
					t.Fatal(err)
				}
			}
			exec(insertUser(dialect))
			for _, body := range []string{"the albatross glides", "an albatross lands", "gulls everywhere", "terns and more terns"} {
				exec("INSERT INTO post (body, timestamp, user_id, language) VALUES ('" + body + "', '2026-01-01 00:00:00', 1, 'en')")
			}
			code, out, errOut := run(t, ctx, env, "search", "reindex")
			if code != 0 || !strings.Contains(out, "Reindexed 4 posts in ") {
				t.Fatalf("search reindex: exit %d, stdout %q, stderr %q", code, out, errOut)
			}
			if !strings.Contains(errOut, "reindexed 0 of 4 posts (0%)\n") || !strings.Contains(errOut, "reindexed 4 of 4 posts (100%)\n") {
				t.Errorf("progress on a pipe: %q, want plain lines from 0%% to 100%%", errOut)
			}
			s := db.NewSession()
			defer s.Close()
			if ids, err := search.PostIDs(ctx, s, "albatross", 10, 0); err != nil || len(ids) != 2 {
				t.Errorf("albatross after reindex: %v, %v; want 2 posts", ids, err)
			}
		})
	}
}

func insertUser(dialect string) string {
	q := `"user"`
	if dialect == database.MySQL {
		q = "`user`"
	}
	return "INSERT INTO " + q + " (id, username, email) VALUES (1, 'gull', 'gull@example.com')"
}
