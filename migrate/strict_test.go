package migrate_test

import (
	"context"
	"strings"
	"testing"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/migratetest"
	"github.com/microblog/microblog/migrate/schema"
)

// MySQL/MariaDB runs of the engine are in strict SQL mode, whatever the server's default:
// a statement that would store a zero date (which MariaDB's default mode accepts, and
// which is what it wrote into existing rows for a NOT NULL DATETIME column) fails. The
// connection's own mode is given back afterwards. (SQLite and PostgreSQL have no such
// mode; their behaviour is covered by the guard tests.)
func TestMySQLRunsInStrictMode(t *testing.T) {
	db := migratetest.Open(t, migrate.MySQL)
	db.SQL.SetMaxOpenConns(1) // one connection: the run's, and the test's after it
	ctx := context.Background()
	start := sch(table("event", col("at", schema.DateTime, true)))
	first := chain(t, start)[0]
	seen := handRevision("rev002", first.ID, []*migrate.Op{{Kind: migrate.OpExecute, SQL: "CREATE TABLE mode_seen AS SELECT @@SESSION.sql_mode AS m"}},
		[]*migrate.Op{{Kind: migrate.OpExecute, SQL: "DROP TABLE mode_seen"}})
	zero := handRevision("rev003", "rev002", []*migrate.Op{{Kind: migrate.OpExecute, SQL: "INSERT INTO event (at) VALUES ('0000-00-00 00:00:00')"}}, nil)
	r := runner(t, db, repoFS(t, first, seen, zero))
	var before string
	if err := db.SQL.QueryRow("SELECT @@SESSION.sql_mode").Scan(&before); err != nil {
		t.Fatal(err)
	}
	if err := r.Upgrade(ctx, "rev002"); err != nil {
		t.Fatal(err)
	}
	var during, after string
	if err := db.SQL.QueryRow("SELECT m FROM mode_seen").Scan(&during); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"STRICT_ALL_TABLES", "STRICT_TRANS_TABLES", "NO_ZERO_DATE", "NO_ZERO_IN_DATE", "ERROR_FOR_DIVISION_BY_ZERO"} {
		if !strings.Contains(during, want) {
			t.Errorf("sql_mode during the run = %q, lacks %s", during, want)
		}
	}
	if err := db.SQL.QueryRow("SELECT @@SESSION.sql_mode").Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("the connection's sql_mode after the run = %q, want it given back: %q", after, before)
	}
	if err := r.Upgrade(ctx, "head"); err == nil || !strings.Contains(err.Error(), "Incorrect datetime value") {
		t.Errorf("a zero date written by a revision: err = %v, want MariaDB's refusal", err)
	}
	if n := rowCount(t, db, "event"); n != 0 {
		t.Errorf("event rows after the refused revision = %d", n)
	}
	// The server's own default mode would have taken it: the strictness is the engine's.
	if strings.Contains(before, "NO_ZERO_DATE") {
		t.Logf("the server's default mode already refuses zero dates: %q", before)
	} else if _, err := db.SQL.Exec("INSERT INTO event (at) VALUES ('0000-00-00 00:00:00')"); err != nil {
		t.Errorf("outside the engine the server's mode %q refused a zero date too (%v): this test shows nothing", before, err)
	}
}
