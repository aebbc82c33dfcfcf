package database_test

import (
	"context"
	"database/sql"
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
			insert := userInsert(d)
			b.Run("bulk/raw", func(b *testing.B) {
				benchRounds(b, bulkRows, func() time.Duration { return rawBulkRound(b, db, insert) })
			})
			b.Run("bulk/raw-multirow", func(b *testing.B) {
				benchRounds(b, bulkRows, func() time.Duration { return rawMultiRowRound(b, db, insert) })
			})
			b.Run("bulk/session", func(b *testing.B) {
				benchRounds(b, bulkRows, func() time.Duration { return sessionBulkRound(b, db) })
			})
			b.Run("single/raw", func(b *testing.B) {
				benchRounds(b, singleRows, func() time.Duration { return rawSingleRound(b, db, insert) })
			})
			b.Run("single/session", func(b *testing.B) {
				benchRounds(b, singleRows, func() time.Duration { return sessionSingleRound(b, db, nil) })
			})
		})
	}
}

// userInsert is the INSERT of the row the session writes: models.User's insert hook sets
// last_seen and username_key (a hash, so its unique index is written at random places).
func userInsert(d string) string {
	switch d {
	case database.Postgres:
		return `INSERT INTO "user" (username, email, password_hash, last_seen, username_key) VALUES ($1, $2, $3, $4, $5)`
	case database.MySQL:
		return "INSERT INTO `user` (username, email, password_hash, last_seen, username_key) VALUES (?, ?, ?, ?, ?)"
	}
	return `INSERT INTO "user" (username, email, password_hash, last_seen, username_key) VALUES (?, ?, ?, ?, ?)`
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

// The rounds below each write their rows into an emptied user table and return the time
// the writing took (emptying it is not counted).

// rawTxRound prepares query in one transaction, lets write run it, and commits.
func rawTxRound(b *testing.B, db *database.DB, query string, write func(ctx context.Context, stmt *sql.Stmt)) time.Duration {
	ctx := context.Background()
	clearUsers(b, db)
	start := time.Now()
	tx, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	stmt, err := tx.PrepareContext(ctx, query)
	if err != nil {
		b.Fatal(err)
	}
	write(ctx, stmt)
	stmt.Close()
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

func rawBulkRound(b *testing.B, db *database.DB, insert string) time.Duration {
	return rawTxRound(b, db, insert, func(ctx context.Context, stmt *sql.Stmt) {
		for j := range bulkRows {
			if _, err := stmt.ExecContext(ctx, rowArgs(nil, j)...); err != nil {
				b.Fatal(err)
			}
		}
	})
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

func rawMultiRowRound(b *testing.B, db *database.DB, insert string) time.Duration {
	const batch = 1000
	args := make([]any, 0, 5*batch)
	return rawTxRound(b, db, multiRowInsert(insert, batch), func(ctx context.Context, stmt *sql.Stmt) {
		for j := 0; j < bulkRows; j += batch {
			args = args[:0]
			for k := j; k < j+batch; k++ {
				args = rowArgs(args, k)
			}
			if _, err := stmt.ExecContext(ctx, args...); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func sessionBulkRound(b *testing.B, db *database.DB) time.Duration {
	ctx := context.Background()
	clearUsers(b, db)
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
	return time.Since(start)
}

func rawSingleRound(b *testing.B, db *database.DB, insert string) time.Duration {
	return rawOneRowRounds(b, db, insert, true)
}

// rawAutocommitRound is rawSingleRound without BEGIN and COMMIT: each prepared INSERT is
// a transaction of its own, as the session's one-row commits are on SQLite.
func rawAutocommitRound(b *testing.B, db *database.DB, insert string) time.Duration {
	return rawOneRowRounds(b, db, insert, false)
}

// rawOneRowRounds writes singleRows rows one INSERT at a time on one prepared statement,
// each in a transaction of its own when inTx, else as a statement alone.
func rawOneRowRounds(b *testing.B, db *database.DB, insert string, inTx bool) time.Duration {
	ctx := context.Background()
	clearUsers(b, db)
	start := time.Now()
	stmt, err := db.SQL.PrepareContext(ctx, insert)
	if err != nil {
		b.Fatal(err)
	}
	for j := range singleRows {
		if !inTx {
			if _, err := stmt.ExecContext(ctx, rowArgs(nil, j)...); err != nil {
				b.Fatal(err)
			}
			continue
		}
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
	return time.Since(start)
}

// collected sums what sessions spent checking tracked objects and in the collections
// they asked for (see database's collector).
type collected struct {
	scans, collecting time.Duration
	collections       int
}

func sessionSingleRound(b *testing.B, db *database.DB, c *collected) time.Duration {
	ctx := context.Background()
	clearUsers(b, db)
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
	took := time.Since(start)
	if c != nil {
		scans, collecting, n := database.CollectorTotals(s)
		c.scans, c.collecting, c.collections = c.scans+scans, c.collecting+collecting, c.collections+n
	}
	return took
}

// benchRounds runs round b.N times and reports rows/s over the rounds' own times.
func benchRounds(b *testing.B, rows int, round func() time.Duration) {
	var total time.Duration
	for i := 0; i < b.N; i++ {
		total += round()
	}
	reportRows(b, rows*b.N, total)
}

// BenchmarkSessionRatio measures what BenchmarkSessionCommit compares, the session against
// the fastest raw database/sql method (bulk: raw-multirow; single: raw), as pairs of
// rounds run one after the other, in alternating order (raw first in even pairs, session
// first in odd ones), so that a machine whose speed drifts during the run (one shared
// with other work) slows both sides alike. It reports session/raw, the session's rows/s
// over raw's: the sum of raw's times over the sum of the session's.
//
// Run: go test ./internal/database -run '^$' -bench SessionRatio -benchtime 6x
func BenchmarkSessionRatio(b *testing.B) {
	for _, d := range testdb.Dialects {
		b.Run(d, func(b *testing.B) {
			db := testdb.Migrated(b, d)
			insert := userInsert(d)
			pairs := func(b *testing.B, rows int, raw, session func() time.Duration) (sessionTime time.Duration) {
				var rawTime time.Duration
				for i := 0; i < b.N; i++ {
					if i%2 == 0 {
						rawTime += raw()
						sessionTime += session()
					} else {
						sessionTime += session()
						rawTime += raw()
					}
				}
				b.ReportMetric(float64(rows*b.N)/rawTime.Seconds(), "raw-rows/s")
				b.ReportMetric(float64(rows*b.N)/sessionTime.Seconds(), "session-rows/s")
				b.ReportMetric(rawTime.Seconds()/sessionTime.Seconds(), "session/raw")
				return sessionTime
			}
			b.Run("bulk", func(b *testing.B) {
				pairs(b, bulkRows, func() time.Duration { return rawMultiRowRound(b, db, insert) }, func() time.Duration { return sessionBulkRound(b, db) })
			})
			b.Run("single", func(b *testing.B) {
				var c collected
				// The session's one-row commits run without BEGIN and COMMIT on SQLite
				// (Session.commitsAlone), so it is also measured against raw INSERTs
				// that do the same, each round after the pair's.
				var autocommit time.Duration
				session := func() time.Duration { return sessionSingleRound(b, db, &c) }
				if d == database.SQLite {
					session = func() time.Duration {
						took := sessionSingleRound(b, db, &c)
						autocommit += rawAutocommitRound(b, db, insert)
						return took
					}
				}
				took := pairs(b, singleRows, func() time.Duration { return rawSingleRound(b, db, insert) }, session)
				if autocommit > 0 {
					b.ReportMetric(autocommit.Seconds()/took.Seconds(), "session/raw-autocommit")
				}
				// The shares of the session's time spent checking tracked objects and
				// waiting for the collections it asked for (see database's collector).
				b.ReportMetric(c.scans.Seconds()/took.Seconds(), "scan-share")
				b.ReportMetric(c.collecting.Seconds()/took.Seconds(), "collect-share")
				b.ReportMetric(float64(c.collections)/float64(b.N), "collections/round")
			})
		})
	}
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

// BenchmarkCollection measures what a garbage collection that a session asks for
// (runtime.GC) costs in this test binary, and reports the live heap it walks: a
// collection walks everything the program keeps, such as the word lists of a
// password-strength library linked into it (see internal/password/strength).
//
// Run: go test ./internal/database -run '^$' -bench Collection
func BenchmarkCollection(b *testing.B) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	for b.Loop() {
		runtime.GC()
	}
	b.ReportMetric(float64(m.HeapAlloc)/(1<<20), "live-heap-MB")
}
