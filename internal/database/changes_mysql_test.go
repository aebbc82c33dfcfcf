package database_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/testdb"
)

// On MySQL/MariaDB the change version is the count of commits that wrote through
// microblog's connections. It moves after every kind of write a pool can make — a
// statement with and without arguments, a statement prepared once and run twice, a
// transaction begun by database/sql or by its text — and stays put for reads, rollbacks,
// a failed statement and a read-only transaction. A transaction's count is part of it:
// the version does not move before its COMMIT. A pool opened once the table exists
// counts too; a program that is not microblog is not counted (the front cache's
// the front cache's uncountedTrust bounds that). Concurrent writers on many connections all count, without
// waiting on each other for good.
func TestCommitCounterCountsWhatWrites(t *testing.T) {
	ctx := context.Background()
	url := testdb.URL(t, database.MySQL)
	db, err := database.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	exec := func(d *database.DB, stmt string, args ...any) error {
		_, err := d.SQL.ExecContext(ctx, stmt, args...)
		return err
	}
	if err := exec(db, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))"); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := db.ChangeVersion(ctx); ok || err != nil {
		t.Fatalf("before EnableCommitCounter: ok %v, err %v; want no version", ok, err)
	}
	if err := db.EnableCommitCounter(ctx); err != nil {
		t.Fatal(err)
	}
	if db.ChangeVersionSeesEveryWriter() {
		t.Fatal("MySQL's version says it sees every writer; it sees microblog's only")
	}
	version := func() uint64 { t.Helper(); return mustVersion(t, db) }
	v := version()
	step := func(what string, moves bool, do func() error) {
		t.Helper()
		if err := do(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		got := version()
		if moves && got == v {
			t.Fatalf("%s: version still %d", what, v)
		}
		if !moves && got != v {
			t.Fatalf("%s: version moved from %d to %d", what, v, got)
		}
		v = got
	}
	step("a read", false, func() error {
		var n int
		return db.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM t WHERE v <> ?", "x").Scan(&n)
	})
	step("an INSERT without arguments", true, func() error { return exec(db, "INSERT INTO t VALUES (1, 'one')") })
	step("an UPDATE with arguments", true, func() error { return exec(db, "UPDATE t SET v = ? WHERE id = ?", "uno", 1) })
	step("a failed INSERT (duplicate key)", false, func() error {
		if exec(db, "INSERT INTO t VALUES (1, 'again')") == nil {
			return fmt.Errorf("a duplicate key was accepted")
		}
		return nil
	})
	step("an INSERT run as a query (as bun runs MySQL's), its rows read", true, func() error {
		rows, err := db.SQL.QueryContext(ctx, "INSERT INTO t VALUES (10, 'ten') RETURNING id")
		if err != nil {
			return err
		}
		defer rows.Close()
		var id int
		for rows.Next() {
			if err := rows.Scan(&id); err != nil {
				return err
			}
		}
		if id != 10 {
			return fmt.Errorf("RETURNING gave %d", id)
		}
		return rows.Close()
	})
	step("the same in a transaction", true, func() error {
		tx, err := db.SQL.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		var id int
		if err := tx.QueryRowContext(ctx, "INSERT INTO t VALUES (11, 'eleven') RETURNING id").Scan(&id); err != nil {
			return err
		}
		return tx.Commit()
	})
	stmt, err := db.SQL.PrepareContext(ctx, "INSERT INTO t VALUES (?, ?)")
	if err != nil {
		t.Fatal(err)
	}
	step("a prepared INSERT", true, func() error { _, err := stmt.ExecContext(ctx, 2, "two"); return err })
	step("the same prepared INSERT again", true, func() error { _, err := stmt.ExecContext(ctx, 3, "three"); return err })
	stmt.Close()
	step("a transaction rolled back", false, func() error {
		tx, err := db.SQL.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM t"); err != nil {
			return err
		}
		return tx.Rollback()
	})
	step("a transaction that only read", false, func() error {
		tx, err := db.SQL.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM t").Scan(&n); err != nil {
			return err
		}
		return tx.Commit()
	})
	step("a transaction that wrote", true, func() error {
		tx, err := db.SQL.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO t VALUES (?, ?)", 4, "four"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM t WHERE id = 4"); err != nil {
			return err
		}
		if got := version(); got != v {
			return fmt.Errorf("the version moved before COMMIT")
		}
		return tx.Commit()
	})
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	step("a transaction begun by its text, rolled back", false, func() error {
		for _, s := range []string{"START TRANSACTION", "INSERT INTO t VALUES (5, 'five')", "ROLLBACK"} {
			if _, err := conn.ExecContext(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	step("a transaction begun by its text, committed", true, func() error {
		for _, s := range []string{"BEGIN", "INSERT INTO t VALUES (5, 'five')", "UPDATE t SET v = 'cinco' WHERE id = 5"} {
			if _, err := conn.ExecContext(ctx, s); err != nil {
				return err
			}
		}
		if got := version(); got != v {
			return fmt.Errorf("the version moved before COMMIT")
		}
		_, err := conn.ExecContext(ctx, "COMMIT")
		return err
	})
	conn.Close()

	other, err := database.Open(ctx, url) // the table exists: it counts from Open on
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	step("another microblog pool's write", true, func() error { return exec(other, "DELETE FROM t WHERE id = 5") })

	plain := testdb.OpenPlain(t, url)
	step("a write by a program that is not microblog (not counted)", false, func() error {
		_, err := plain.ExecContext(ctx, "INSERT INTO t VALUES (6, 'six')")
		return err
	})

	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 25 {
				id := 100 + i*25 + j
				if err := exec(other, "INSERT INTO t VALUES (?, ?)", id, "x"); err != nil {
					t.Error(err)
					return
				}
				tx, err := db.SQL.BeginTx(ctx, nil)
				if err == nil {
					_, err = tx.ExecContext(ctx, "UPDATE t SET v = 'y' WHERE id = ?", id)
				}
				if err == nil {
					err = tx.Commit()
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	var sum int64
	if err := plain.QueryRowContext(ctx, "SELECT SUM(n) FROM "+database.CommitCounterTable).Scan(&sum); err != nil {
		t.Fatal(err)
	}
	if bumps := database.CommitBumps(db) + database.CommitBumps(other); sum != bumps {
		t.Fatalf("the table counts %d commits, the pools wrote %d", sum, bumps)
	}
	if n := database.CommitBumps(db) + database.CommitBumps(other); n < 400 {
		t.Fatalf("%d commits counted, want at least the 400 of the concurrent writers", n)
	}
}
