package database_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
	"github.com/microblog/microblog/internal/username"
)

const (
	bulkRows   = 100_000
	singleRows = 5_000
)

// BenchmarkSessionCommit measures the Session against raw database/sql on the same driver:
//
//	bulk:   100,000 users added, then one Commit        vs  prepared INSERTs in one transaction (raw),
//	                                                        and prepared multi-row INSERTs of 1,000
//	                                                        rows in one transaction (raw-multirow,
//	                                                        the fastest plain database/sql way)
//	single: 5,000 commits of one user each               vs  5,000 one-row transactions
//
// Run: go test ./internal/database -run '^$' -bench SessionCommit -benchtime 3x
// Each sub-benchmark reports rows/s; compare session/* with raw/* of the same dialect.
func BenchmarkSessionCommit(b *testing.B) {
	for _, d := range testdb.Dialects {
		b.Run(d, func(b *testing.B) {
			db := testdb.Migrated(b, d)
			// The same row the session writes: models.User's insert hook sets last_seen
			// and username_key (a hash, so its unique index is written at random places).
			var insert string
			switch d {
			case database.Postgres:
				insert = `INSERT INTO "user" (username, email, password_hash, last_seen, username_key) VALUES ($1, $2, $3, $4, $5)`
			case database.MySQL:
				insert = "INSERT INTO `user` (username, email, password_hash, last_seen, username_key) VALUES (?, ?, ?, ?, ?)"
			default:
				insert = `INSERT INTO "user" (username, email, password_hash, last_seen, username_key) VALUES (?, ?, ?, ?, ?)`
			}
			b.Run("bulk/raw", func(b *testing.B) { benchRawBulk(b, db, insert) })
			b.Run("bulk/raw-multirow", func(b *testing.B) { benchRawMultiRow(b, db, insert) })
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

// rowArgs appends the values of user j as the session would write them.
func rowArgs(args []any, j int) []any {
	name := fmt.Sprintf("u%d", j)
	return append(args, name, name+"@example.com", nil, time.Now().UTC(), username.Key(name))
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
			if _, err := stmt.ExecContext(ctx, rowArgs(nil, j)...); err != nil {
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

// multiRowInsert turns a one-row INSERT of five values into one of rows rows (numbering
// PostgreSQL's placeholders on).
func multiRowInsert(insert string, rows int) string {
	head, _, _ := strings.Cut(insert, " VALUES ")
	var b strings.Builder
	b.WriteString(head + " VALUES ")
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		if strings.Contains(insert, "$1") {
			n := 5*r + 1
			fmt.Fprintf(&b, "($%d, $%d, $%d, $%d, $%d)", n, n+1, n+2, n+3, n+4)
		} else {
			b.WriteString("(?, ?, ?, ?, ?)")
		}
	}
	return b.String()
}

func benchRawMultiRow(b *testing.B, db *database.DB, insert string) {
	const batch = 1000
	ctx := context.Background()
	query := multiRowInsert(insert, batch)
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
		stmt, err := tx.PrepareContext(ctx, query)
		if err != nil {
			b.Fatal(err)
		}
		args := make([]any, 0, 5*batch)
		for j := 0; j < bulkRows; j += batch {
			args = args[:0]
			for k := j; k < j+batch; k++ {
				args = rowArgs(args, k)
			}
			if _, err := stmt.ExecContext(ctx, args...); err != nil {
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
			tx, err := db.SQL.BeginTx(ctx, nil)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := tx.StmtContext(ctx, stmt).ExecContext(ctx, rowArgs(nil, j)...); err != nil {
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

// BenchmarkSessionScan measures what a flush costs per object the session tracks: a
// session that wrote 1,000 users (still referenced, so still tracked) commits one more.
// Every flush compares each tracked object with its snapshot.
//
// Run: go test ./internal/database -run '^$' -bench SessionScan
func BenchmarkSessionScan(b *testing.B) {
	ctx := context.Background()
	db := testdb.Migrated(b, database.SQLite)
	s := db.NewSession()
	users := make([]*models.User, 1000)
	for i := range users {
		name := fmt.Sprintf("kept%d", i)
		users[i] = &models.User{Username: name, Email: name + "@example.com"}
		if err := s.Add(users[i]); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Commit(ctx); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		name := fmt.Sprintf("u%d", i)
		i++
		if err := s.Add(&models.User{Username: name, Email: name + "@example.com"}); err != nil {
			b.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			b.Fatal(err)
		}
	}
	if n := database.TrackedCount(s); n < len(users) {
		b.Fatalf("%d objects tracked, want at least the %d kept users", n, len(users))
	}
	runtime.KeepAlive(users)
}
