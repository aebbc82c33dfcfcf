package testdb_test

import (
	"context"
	"testing"

	"github.com/microblog/microblog/internal/testdb"
)

func TestEachDialectGivesAnEmptyDatabase(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			db := testdb.Open(t, d)
			if db.Dialect != d {
				t.Fatalf("dialect %q, want %q", db.Dialect, d)
			}
			var one int
			if err := db.SQL.QueryRowContext(context.Background(), "SELECT 1").Scan(&one); err != nil || one != 1 {
				t.Fatalf("SELECT 1 = %d, %v", one, err)
			}
		})
	}
}
