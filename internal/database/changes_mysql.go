package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync/atomic"
	"unicode"
)

// CommitCounterTable is the table in which MySQL/MariaDB connections count their commits
// (commitCounter). It is the database layer's, not a model's: the migration engine leaves
// it out of the schema it inspects.
const CommitCounterTable = "microblog_changes"

// counterShards spreads the count over rows, so that two transactions committing at once
// seldom wait for each other's row.
const counterShards = 64

// commitCounter gives MySQL/MariaDB the change version that SQLite and PostgreSQL give
// by themselves. Neither server has a number a client can read without privileges that
// moves when a commit becomes visible, so the connections count their own: a transaction
// that wrote adds one to its connection's row of CommitCounterTable just before COMMIT,
// in the same transaction, and a write outside a transaction is made one (BEGIN, the
// statement, the count, COMMIT) — but for a write run as a query, counted once its rows
// are closed (query). The version is the sum of the rows, read in a statement
// of its own: it changes exactly when a transaction that wrote through microblog has
// committed, and a page read after the sum saw at least what the sum counted.
//
// Counting starts on a database where the table exists: Open looks for it, and
// EnableCommitCounter (the application's start) creates it. Writes from elsewhere — the
// mariadb shell, another program — are not counted: the front cache bounds how long it
// trusts a MySQL version (internal/web).
type commitCounter struct {
	enabled atomic.Bool
	conns   atomic.Uint32 // numbers new connections, for their shard
	looks   sharedLooks[int64]
	bumps   atomic.Int64 // the counts written (for tests)
}

// EnableCommitCounter creates CommitCounterTable on MySQL/MariaDB if it is missing and
// starts counting this pool's commits, so that ChangeVersion answers there. Every
// process that writes to the database should call it (microblog run, worker and seed
// do, as they bring the database to head); a process that opens the database after the
// table exists counts from Open on. Elsewhere it does nothing.
func (d *DB) EnableCommitCounter(ctx context.Context) error {
	if d.counter == nil {
		return nil
	}
	_, err := d.SQL.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS "+CommitCounterTable+
		" (shard INT NOT NULL PRIMARY KEY, n BIGINT NOT NULL) ENGINE=InnoDB")
	if err != nil {
		return fmt.Errorf("database: create %s: %w", CommitCounterTable, err)
	}
	d.counter.enabled.Store(true)
	return nil
}

// ChangeVersionSeesEveryWriter tells whether ChangeVersion moves for a commit by any
// program (SQLite, PostgreSQL), or only for microblog's own (MySQL/MariaDB, whose
// commits the database layer counts): a caller that keeps what it read under a version
// should then keep it for a bounded time only.
func (d *DB) ChangeVersionSeesEveryWriter() bool { return d.counter == nil }

// detect turns counting on when the table exists; an error (no such table) leaves it off.
func (c *commitCounter) detect(ctx context.Context, db *sql.DB) {
	var n int
	if db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+CommitCounterTable+" WHERE shard < 0").Scan(&n) == nil {
		c.enabled.Store(true)
	}
}

func (c *commitCounter) look(ctx context.Context, db *sql.DB) (uint64, bool, error) {
	if !c.enabled.Load() {
		return 0, false, nil
	}
	v, err := c.looks.share(func() (int64, error) {
		var sum int64
		if err := db.QueryRowContext(ctx, "SELECT COALESCE(SUM(n), 0) FROM "+CommitCounterTable).Scan(&sum); err != nil {
			return 0, fmt.Errorf("database: change version: %w", err)
		}
		return sum, nil
	}, nil)
	if err != nil {
		return 0, false, err
	}
	return v, true, nil
}

// counting is a connection's part: its shard, whether a transaction is open on it (begun
// by BeginTx or by its text), and whether a statement in that transaction may have written.
type counting struct {
	counter     *commitCounter
	shard       uint32
	inTx, wrote bool
}

// end forgets the transaction, and tells whether it wrote.
func (c *counting) end() (wrote bool) {
	wrote = c.inTx && c.wrote
	c.inTx, c.wrote = false, false
	return wrote
}

func (c *counting) on() bool { return c != nil && c.counter.enabled.Load() }

// bump adds one to the connection's row, on conn (inside the transaction under way).
func (c *counting) bump(ctx context.Context, conn driver.Conn) error {
	e, ok := conn.(driver.ExecerContext)
	if !ok {
		return errors.New("database: count a commit: the driver cannot execute")
	}
	_, err := e.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s (shard, n) VALUES (%d, 1) ON DUPLICATE KEY UPDATE n = n + 1", CommitCounterTable, c.shard), nil)
	if err != nil {
		return fmt.Errorf("database: count a commit: %w", err)
	}
	c.counter.bumps.Add(1)
	return nil
}

// exec runs a statement through run, counted: inside a transaction it marks the
// transaction as one that wrote; outside one, a writing statement is run in a
// transaction of its own with the count.
func (c *counting) exec(ctx context.Context, conn driver.Conn, query string, run func() (driver.Result, error)) (driver.Result, error) {
	if !c.on() {
		return run()
	}
	word := firstWord(query)
	switch word {
	case "BEGIN", "START": // a transaction begun by its text: counted as BeginTx's
		res, err := run()
		if err == nil {
			c.inTx = true
		}
		return res, err
	case "COMMIT":
		if c.end() {
			if err := c.bump(ctx, conn); err != nil {
				return nil, err
			}
		}
		return run()
	case "ROLLBACK":
		c.end()
		return run()
	}
	if !writes(word) {
		return run()
	}
	if c.inTx {
		c.wrote = true
		return run()
	}
	b, ok := conn.(driver.ConnBeginTx)
	if !ok {
		return nil, errors.New("database: count a commit: the driver cannot begin")
	}
	tx, err := b.BeginTx(ctx, driver.TxOptions{})
	if err != nil {
		return nil, err
	}
	res, err := run()
	if err == nil {
		err = c.bump(ctx, conn)
	}
	if err != nil {
		tx.Rollback()
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return res, nil
}

// query marks the open transaction as one that wrote when a query writes (bun runs
// MySQL's INSERTs as queries); outside a transaction such a query is counted once its
// rows are closed (the connection cannot run the count while they are being read). Its
// write is committed by then whatever the count does: a count that fails leaves the
// version behind, for the front cache's uncountedTrust at most, and never loses the write.
func (c *counting) query(ctx context.Context, conn driver.Conn, query string, run func() (driver.Rows, error)) (driver.Rows, error) {
	if !c.on() || !writes(firstWord(query)) {
		return run()
	}
	if c.inTx {
		c.wrote = true
		return run()
	}
	rows, err := run()
	if err != nil {
		return nil, err
	}
	return &countedRows{Rows: rows, ctx: ctx, conn: conn, c: c}, nil
}

// countedRows counts the commit of the statement that gave them when they are closed.
type countedRows struct {
	driver.Rows
	ctx    context.Context
	conn   driver.Conn
	c      *counting
	closed bool
}

func (r *countedRows) Close() error {
	err := r.Rows.Close()
	if r.closed {
		return err
	}
	r.closed = true
	if berr := r.c.bump(context.WithoutCancel(r.ctx), r.conn); err == nil {
		err = berr
	}
	return err
}

// countedTx is a transaction begun by BeginTx: it counts its commit when it wrote.
type countedTx struct {
	driver.Tx
	ctx  context.Context
	conn driver.Conn
	c    *counting
}

func (t *countedTx) Commit() error {
	if t.c.end() && t.c.on() {
		if err := t.c.bump(t.ctx, t.conn); err != nil {
			t.Tx.Rollback()
			return err
		}
	}
	return t.Tx.Commit()
}

func (t *countedTx) Rollback() error {
	t.c.end()
	return t.Tx.Rollback()
}

// countedStmt is a prepared statement that writes: its runs are counted as the
// connection's statements are.
type countedStmt struct {
	driver.Stmt
	conn  *guardedConn
	query string
}

func (s countedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.conn.counting.exec(ctx, s.conn.Conn, s.query, func() (driver.Result, error) {
		if e, ok := s.Stmt.(driver.StmtExecContext); ok {
			return e.ExecContext(ctx, args)
		}
		return s.Stmt.Exec(namedToValues(args)) //nolint:staticcheck // the driver has nothing newer
	})
}

func (s countedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.conn.counting.query(ctx, s.conn.Conn, s.query, func() (driver.Rows, error) {
		if q, ok := s.Stmt.(driver.StmtQueryContext); ok {
			return q.QueryContext(ctx, args)
		}
		return s.Stmt.Query(namedToValues(args)) //nolint:staticcheck // the driver has nothing newer
	})
}

func namedToValues(args []driver.NamedValue) []driver.Value {
	vs := make([]driver.Value, len(args))
	for i, a := range args {
		vs[i] = a.Value
	}
	return vs
}

// writes tells whether a statement whose first keyword is word (firstWord) may change
// data: anything but the statements that only read or set up the session. Unknown
// statements count as writes (a needless count costs a cached page; a missed one would
// keep a stale page).
func writes(word string) bool {
	switch word {
	case "SELECT", "SHOW", "EXPLAIN", "DESCRIBE", "DESC", "SET", "USE", "BEGIN", "START",
		"COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "LOCK", "UNLOCK", "VALUES", "TABLE":
		return false
	}
	return true
}

// firstWord is a statement's first keyword, in capitals.
func firstWord(query string) string {
	q := strings.TrimLeftFunc(query, func(r rune) bool { return unicode.IsSpace(r) || r == '(' })
	end := strings.IndexFunc(q, func(r rune) bool { return !unicode.IsLetter(r) })
	if end < 0 {
		end = len(q)
	}
	return strings.ToUpper(q[:end])
}

// The column details and further result sets of the driver's rows, where it has them.

func (r *countedRows) HasNextResultSet() bool {
	n, ok := r.Rows.(driver.RowsNextResultSet)
	return ok && n.HasNextResultSet()
}

func (r *countedRows) NextResultSet() error {
	if n, ok := r.Rows.(driver.RowsNextResultSet); ok {
		return n.NextResultSet()
	}
	return io.EOF
}

func (r *countedRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

func (r *countedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *countedRows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if t, has := r.Rows.(driver.RowsColumnTypeNullable); has {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}
