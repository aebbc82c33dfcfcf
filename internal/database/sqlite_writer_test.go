package database_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/database"
)

// Fifty connections of one pool writing at once never meet SQLite's write lock held by
// one another: each connection is set to give up at once on a busy database
// (busy_timeout 0), and none does. Without the write queue, most of these transactions
// fail with SQLITE_BUSY; with busy_timeout 10 s, the unlucky ones waited 10 s and failed.
func TestSQLiteWritersOfOnePoolNeverBusy(t *testing.T) {
	ctx := context.Background()
	db, err := database.Open(ctx, "sqlite:///"+filepath.Join(t.TempDir(), "busy.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.SQL.ExecContext(ctx, "CREATE TABLE t (n INTEGER)"); err != nil {
		t.Fatal(err)
	}
	const workers, rounds = 50, 10
	db.SQL.SetMaxOpenConns(workers)
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := db.SQL.Conn(ctx)
			if err != nil {
				errs <- err
				return
			}
			defer conn.Close()
			if _, err := conn.ExecContext(ctx, "PRAGMA busy_timeout = 0"); err != nil {
				errs <- err
				return
			}
			for i := range rounds {
				tx, err := conn.BeginTx(ctx, nil)
				if err != nil {
					errs <- fmt.Errorf("worker %d begin %d: %w", w, i, err)
					continue
				}
				_, err = tx.ExecContext(ctx, "INSERT INTO t (n) VALUES (?)", w*rounds+i)
				time.Sleep(100 * time.Microsecond) // hold the lock a little, as a request does
				if err == nil {
					err = tx.Commit()
				} else {
					tx.Rollback()
				}
				if err != nil {
					errs <- fmt.Errorf("worker %d write %d: %w", w, i, err)
				}
				if _, err := conn.ExecContext(ctx, "UPDATE t SET n = n WHERE n = ?", w); err != nil {
					errs <- fmt.Errorf("worker %d autocommit update %d: %w", w, i, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	n := 0
	for err := range errs {
		if n == 0 {
			t.Errorf("first failure: %v", err)
		}
		n++
	}
	if n > 0 {
		t.Fatalf("%d of %d writes failed", n, 2*workers*rounds)
	}
	var rows int
	if err := db.SQL.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&rows); err != nil || rows != workers*rounds {
		t.Fatalf("rows = %d, %v; want %d", rows, err, workers*rounds)
	}
}

// A write waits for its turn at most busy_timeout and then fails with ErrSQLiteBusy, which
// counts as the database being briefly unavailable: a writer held up forever (or a
// goroutine that holds a transaction and writes through a second connection) never makes
// the others wait forever.
func TestSQLiteWriteTurnWaitsAtMostBusyTimeout(t *testing.T) {
	ctx := context.Background()
	target, err := database.ParseURL("sqlite:///" + filepath.Join(t.TempDir(), "turn.db"))
	if err != nil {
		t.Fatal(err)
	}
	short := target
	short.DSN = strings.Replace(target.DSN, "busy_timeout(10000)", "busy_timeout(200)", 1)
	db, err := database.OpenTarget(ctx, short)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.SQL.ExecContext(ctx, "CREATE TABLE t (n INTEGER)"); err != nil {
		t.Fatal(err)
	}
	holder, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	_, err = db.SQL.ExecContext(ctx, "INSERT INTO t (n) VALUES (1)")
	if !errors.Is(err, database.ErrSQLiteBusy) || !database.IsUnavailable(err) {
		t.Fatalf("write while another holds the turn: %v, want ErrSQLiteBusy (unavailable)", err)
	}
	if _, err := db.SQL.BeginTx(ctx, nil); !errors.Is(err, database.ErrSQLiteBusy) {
		t.Fatalf("transaction while another holds the turn: %v, want ErrSQLiteBusy", err)
	}
	var n int
	if err := db.SQL.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil {
		t.Fatalf("reads do not wait for the turn: %v", err)
	}
	holder.Rollback()
	if _, err := db.SQL.ExecContext(ctx, "INSERT INTO t (n) VALUES (1)"); err != nil {
		t.Fatalf("write after the turn is given back: %v", err)
	}
}

// BenchmarkSQLiteConcurrentWriters: 50 goroutines share b.N write transactions (each holds
// the lock 2 ms, as a request's write does under load), through the write queue and
// through modernc's driver as it was opened before (same DSN, busy_timeout 10 s). Reports
// the longest wait for a transaction and how many failed with SQLITE_BUSY.
func BenchmarkSQLiteConcurrentWriters(b *testing.B) {
	for _, driverName := range []string{"sqlite-serialized", "sqlite"} {
		b.Run(driverName, func(b *testing.B) {
			ctx := context.Background()
			target, err := database.ParseURL("sqlite:///" + filepath.Join(b.TempDir(), "bench.db"))
			if err != nil {
				b.Fatal(err)
			}
			db, err := sql.Open(driverName, target.DSN)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			if _, err := db.ExecContext(ctx, "CREATE TABLE t (n INTEGER)"); err != nil {
				b.Fatal(err)
			}
			var (
				mu      sync.Mutex
				maxWait time.Duration
				busy    int
				next    atomic.Int64
				wg      sync.WaitGroup
			)
			b.ResetTimer()
			for range 50 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for next.Add(1) <= int64(b.N) {
						start := time.Now()
						tx, err := db.BeginTx(ctx, nil)
						if err == nil {
							_, err = tx.ExecContext(ctx, "INSERT INTO t (n) VALUES (1)")
							time.Sleep(2 * time.Millisecond)
							if err == nil {
								err = tx.Commit()
							} else {
								tx.Rollback()
							}
						}
						waited := time.Since(start)
						mu.Lock()
						if err != nil {
							busy++
						}
						maxWait = max(maxWait, waited)
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(maxWait.Milliseconds()), "max-wait-ms")
			b.ReportMetric(float64(busy), "busy-failures")
		})
	}
}
