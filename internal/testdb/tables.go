package testdb

import (
	"context"
	"testing"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/migrate/bunschema"
)

// CreateTables creates the tables, foreign keys and indexes of the given models with
// bun's DDL, for tests of code that needs a schema but not the migration history.
func CreateTables(t testing.TB, db *database.DB, models ...any) {
	t.Helper()
	ctx := context.Background()
	s, err := bunschema.FromModels(models...)
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range models {
		if _, err := db.Bun.NewCreateTable().Model(m).WithForeignKeys().Exec(ctx); err != nil {
			t.Fatalf("testdb: create table %s: %v", s.Tables[i].Name, err)
		}
		for _, ix := range s.Tables[i].Indexes {
			q := db.Bun.NewCreateIndex().Model(m).Index(ix.Name).Column(ix.Columns...)
			if ix.Unique {
				q = q.Unique()
			}
			if _, err := q.Exec(ctx); err != nil {
				t.Fatalf("testdb: create index %s: %v", ix.Name, err)
			}
		}
	}
}
