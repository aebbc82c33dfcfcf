package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
)

// refuseSessionWrites makes the database itself refuse every new or changed session row
// (a trigger), while reading sessions keeps working.
func refuseSessionWrites(t *testing.T, db *database.DB) {
	t.Helper()
	var stmts []string
	switch db.Dialect {
	case database.SQLite:
		for _, op := range []string{"INSERT", "UPDATE"} {
			stmts = append(stmts, `CREATE TRIGGER sessions_refused_`+op+` BEFORE `+op+` ON sessions BEGIN SELECT RAISE(ABORT, 'session writes refused by the test'); END`)
		}
	case database.Postgres:
		stmts = []string{
			`CREATE FUNCTION sessions_refused() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'session writes refused by the test'; END $$`,
			`CREATE TRIGGER sessions_refused BEFORE INSERT OR UPDATE ON sessions FOR EACH ROW EXECUTE FUNCTION sessions_refused()`,
		}
	case database.MySQL:
		for _, op := range []string{"INSERT", "UPDATE"} {
			stmts = append(stmts, `CREATE TRIGGER sessions_refused_`+op+` BEFORE `+op+` ON sessions FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'session writes refused by the test'`)
		}
	}
	for _, q := range stmts {
		if _, err := db.SQL.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// When the session cannot be saved after the handler committed the post, the client
// still gets the handler's redirect (the "post is live" flash is lost, and the failure is
// logged once): answering 500 for a stored post makes users post it twice.
func TestCommittedPostIsNotReportedFailedWhenSessionSaveFails(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			s, _, logs := newDialectSite(t, d, nil)
			b := signedIn(t, s, "john", false)
			refuseSessionWrites(t, s.db)
			p := b.post("/index", url.Values{"post": {"stored once"}})
			expect(t, "post while sessions cannot be saved", p, http.StatusFound, "/index")
			n, err := s.db.Bun.NewSelect().Model((*models.Post)(nil)).Where("body = ?", "stored once").Count(context.Background())
			if err != nil || n != 1 {
				t.Fatalf("posts stored: %d, %v; want 1", n, err)
			}
			if got := strings.Count(logs.String(), "session not saved"); got != 1 {
				t.Errorf("%d log lines for the failed save, want 1:\n%s", got, logs.String())
			}
			if strings.Contains(logs.String(), "internal error") {
				t.Errorf("the failed save was reported as an internal error:\n%s", logs.String())
			}
			expect(t, "home", b.get("/index"), http.StatusOK, "", "stored once")
		})
	}
}
