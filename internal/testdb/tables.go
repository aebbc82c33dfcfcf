package testdb

import (
	"context"
	"testing"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/bunschema"
	"github.com/microblog/microblog/migrations"
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

// Migrated returns a new database of the given dialect brought up to date with the
// application's own migrations, as `microblog run` does.
func Migrated(t testing.TB, dialect string) *database.DB {
	t.Helper()
	db := Open(t, dialect)
	if err := MigrateApp(db); err != nil {
		t.Fatalf("testdb: migrate %s: %v", dialect, err)
	}
	return db
}

// MigrateApp brings an open database up to date with the application's own migrations
// and, as the application's start does, counts commits on MySQL/MariaDB
// (database.DB.EnableCommitCounter).
func MigrateApp(db *database.DB) error {
	if err := migrate.UpgradeToHead(context.Background(), db.SQL, db.Dialect, migrations.FS, migrations.Dir, nil); err != nil {
		return err
	}
	return db.EnableCommitCounter(context.Background())
}
