package database_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
)

const (
	bulkRows   = 100_000
	singleRows = 5_000
)

// BenchmarkSessionCommit measures the Session against raw database/sql on the same driver:
//
//	bulk:   100,000 users added, then one Commit        vs  prepared INSERTs in one transaction
//	single: 5,000 commits of one user each               vs  5,000 one-row transactions
//
// Run: go test ./internal/database -run '^$' -bench SessionCommit -benchtime 3x
// Each sub-benchmark reports rows/s; compare session/* with raw/* of the same dialect.
func BenchmarkSessionCommit(b *testing.B) {
	for _, d := range testdb.Dialects {
		b.Run(d, func(b *testing.B) {
			db := testdb.Migrated(b, d)
			insert := "INSERT INTO user (username, email, password_hash) VALUES (?, ?, ?)"
			switch d {
			case database.Postgres:
				insert = `INSERT INTO "user" (username, email, password_hash) VALUES ($1, $2, $3)`
			case database.MySQL:
				insert = "INSERT INTO `user` (username, email, password_hash) VALUES (?, ?, ?)"
			default:
				insert = `INSERT INTO "user" (username, email, password_hash) VALUES (?, ?, ?)`
			}
			b.Run("bulk/raw", func(b *testing.B) { benchRawBulk(b, db, insert) })
			b.Run("bulk/session", func(b *testing.B) { benchSessionBulk(b, db) })
			b.Run("single/raw", func(b *testing.B) { benchRawSingle(b, db, insert) })
			b.Run("single/session", func(b *testing.B) { benchSessionSingle(b, db) })
		})
	}
}

func clearUsers(b *testing.B, db *database.DB) {
	b.Helper()
	if _, err := db.Bun.NewDelete().Model((*models.User)(nil)).Where("1 = 1").Exec(context.Background()); err != nil {
		b.Fatal(err)
	}
}

func reportRows(b *testing.B, rows int, elapsed time.Duration) {
	b.ReportMetric(float64(rows)/elapsed.Seconds(), "rows/s")
}

func benchRawBulk(b *testing.B, db *database.DB, insert string) {
	ctx := context.Background()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		clearUsers(b, db)
		b.StartTimer()
		start := time.Now()
		tx, err := db.SQL.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		stmt, err := tx.PrepareContext(ctx, insert)
		if err != nil {
			b.Fatal(err)
		}
		for j := range bulkRows {
			name := fmt.Sprintf("u%d", j)
			if _, err := stmt.ExecContext(ctx, name, name+"@example.com", nil); err != nil {
				b.Fatal(err)
			}
		}
		stmt.Close()
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
	}
	reportRows(b, bulkRows*b.N, total)
}

func benchSessionBulk(b *testing.B, db *database.DB) {
	ctx := context.Background()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		clearUsers(b, db)
		b.StartTimer()
		start := time.Now()
		s := db.NewSession()
		for j := range bulkRows {
			name := fmt.Sprintf("u%d", j)
			if err := s.Add(&models.User{Username: name, Email: name + "@example.com"}); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.Commit(ctx); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
	}
	reportRows(b, bulkRows*b.N, total)
}

func benchRawSingle(b *testing.B, db *database.DB, insert string) {
	ctx := context.Background()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		clearUsers(b, db)
		b.StartTimer()
		start := time.Now()
		stmt, err := db.SQL.PrepareContext(ctx, insert)
		if err != nil {
			b.Fatal(err)
		}
		for j := range singleRows {
			name := fmt.Sprintf("u%d", j)
			tx, err := db.SQL.BeginTx(ctx, nil)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := tx.StmtContext(ctx, stmt).ExecContext(ctx, name, name+"@example.com", nil); err != nil {
				b.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
		}
		stmt.Close()
		total += time.Since(start)
	}
	reportRows(b, singleRows*b.N, total)
}

func benchSessionSingle(b *testing.B, db *database.DB) {
	ctx := context.Background()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		clearUsers(b, db)
		b.StartTimer()
		start := time.Now()
		s := db.NewSession() // one long-lived session, as the tutorial's db.session
		for j := range singleRows {
			name := fmt.Sprintf("u%d", j)
			if err := s.Add(&models.User{Username: name, Email: name + "@example.com"}); err != nil {
				b.Fatal(err)
			}
			if err := s.Commit(ctx); err != nil {
				b.Fatal(err)
			}
		}
		total += time.Since(start)
	}
	reportRows(b, singleRows*b.N, total)
}
