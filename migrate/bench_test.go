package migrate_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/migratetest"
	"github.com/microblog/microblog/migrate/schema"
)

// wideSchema has n tables of 8 columns and 2 indexes each; every table after the first
// refers to the one before it.
func wideSchema(n int) *schema.Schema {
	s := &schema.Schema{}
	for i := range n {
		name := fmt.Sprintf("t%03d", i)
		t := table(name, str("name", 64, false), str("email", 120, false), col("score", schema.Integer, true),
			col("created", schema.DateTime, false), col("active", schema.Boolean, false), col("note", schema.Text, true), col("parent_id", schema.Integer, true))
		index(t, true, "email")
		index(t, false, "created")
		if i > 0 {
			fk(t, "parent_id", fmt.Sprintf("t%03d", i-1))
		}
		s.Tables = append(s.Tables, t)
	}
	return s
}

// BenchmarkAutogenerate measures db migrate's work: replaying the history in memory and
// diffing it against the models (no-change includes parsing the revision files), for 10, 100 and 500 tables, from an empty history (one
// revision creating everything) and with no changes (history already matching).
func BenchmarkAutogenerate(b *testing.B) {
	for _, n := range []int{10, 100, 500} {
		models := wideSchema(n)
		b.Run(fmt.Sprintf("tables=%d/from-empty", n), func(b *testing.B) {
			for b.Loop() {
				if ops, _, err := migrate.Diff(&schema.Schema{}, models); err != nil || len(ops) != 3*n {
					b.Fatal(len(ops), err)
				}
			}
		})
		fs := repoFS(b, chain(b, models)...)
		b.Run(fmt.Sprintf("tables=%d/no-change", n), func(b *testing.B) {
			for b.Loop() {
				repo, err := migrate.LoadRepo(fs, "migrations") // parse the revision files, as db migrate does
				if err != nil {
					b.Fatal(err)
				}
				replayed, err := repo.SchemaAt(repo.Heads()...)
				if err != nil {
					b.Fatal(err)
				}
				if ops, _, err := migrate.Diff(replayed, models); err != nil || len(ops) != 0 {
					b.Fatal(len(ops), err)
				}
			}
		})
	}
}

// BenchmarkUpgradeChain applies a 100-revision chain (one new table with an index per
// revision) to a fresh SQLite database.
func BenchmarkUpgradeChain(b *testing.B) {
	var states []*schema.Schema
	for i := 1; i <= 100; i++ {
		states = append(states, wideSchema(i))
	}
	fs := repoFS(b, chain(b, states...)...)
	repo, err := migrate.LoadRepo(fs, "migrations")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		b.StopTimer()
		db := migratetest.Open(b, migrate.SQLite)
		b.StartTimer()
		r := &migrate.Runner{DB: db.SQL, Dialect: db.Dialect, Repo: repo}
		if err := r.Upgrade(context.Background(), "head"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpgradeWide loads a repository of one revision creating 500 tables (1,500
// operations) and applies it to a fresh SQLite database, as db upgrade does.
func BenchmarkUpgradeWide(b *testing.B) {
	fs := repoFS(b, chain(b, wideSchema(500))...)
	for b.Loop() {
		b.StopTimer()
		db := migratetest.Open(b, migrate.SQLite)
		b.StartTimer()
		repo, err := migrate.LoadRepo(fs, "migrations")
		if err != nil {
			b.Fatal(err)
		}
		r := &migrate.Runner{DB: db.SQL, Dialect: db.Dialect, Repo: repo}
		if err := r.Upgrade(context.Background(), "head"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadRepoChain parses the revision files of a 100-revision chain (one new
// table with its indexes per revision), as every db command does first.
func BenchmarkLoadRepoChain(b *testing.B) {
	var states []*schema.Schema
	for i := 1; i <= 100; i++ {
		states = append(states, wideSchema(i))
	}
	fs := repoFS(b, chain(b, states...)...)
	for b.Loop() {
		if repo, err := migrate.LoadRepo(fs, "migrations"); err != nil || len(repo.Revisions) != 100 {
			b.Fatal(err)
		}
	}
}
