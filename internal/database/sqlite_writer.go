package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"
)

// sqliteSerializedDriver is the name under which SQLite is opened: modernc's driver, with
// the writes of one connection pool admitted one at a time, in arrival order.
//
// Why: SQLite has one write lock per database, and a connection that finds it taken does
// not queue for it; its busy handler sleeps and retries, with backoff up to 100 ms. With
// many connections of one process writing at once, a waiter keeps losing to connections
// that arrive between its retries, and after busy_timeout (10 s) gives up with
// SQLITE_BUSY: the 500s and 10 s waits seen with 50 requests on one session. Here the
// process's own writers wait in a Go queue instead (FIFO, woken the moment the writer
// before them ends), so they meet SQLite's lock only after one another; busy_timeout is
// left to arbitrate between processes (a `microblog db` command beside `microblog run`).
// Reads are not gated: in WAL mode they never wait for the writer. A write waits for its
// turn at most busy_timeout, then fails with ErrSQLiteBusy.
//
// A write is a transaction (every BEGIN is BEGIN IMMEDIATE, _txlock=immediate) or a
// statement other than SELECT run outside a transaction through Exec. (A statement with
// RETURNING run outside a transaction through Query is not gated; the application's
// writes run in transactions.) A pool must not have one goroutine wait for a write on a
// second connection while it holds a transaction on a first: that would wait forever
// here, as it would have waited busy_timeout and failed before.
const sqliteSerializedDriver = "sqlite-serialized"

func init() {
	probe, err := sql.Open("sqlite", "")
	if err != nil {
		panic(err) // modernc registers "sqlite" in its init, which runs first
	}
	sql.Register(sqliteSerializedDriver, serialDriver{probe.Driver()})
	probe.Close()
}

type serialDriver struct{ drv driver.Driver }

func (d serialDriver) Open(dsn string) (driver.Conn, error) {
	c, _ := d.OpenConnector(dsn)
	return c.Connect(context.Background())
}

// OpenConnector is called once per sql.DB: its writers share one gate.
func (d serialDriver) OpenConnector(dsn string) (driver.Connector, error) {
	return &serialConnector{dsn: dsn, drv: d.drv, gate: make(chan struct{}, 1), wait: busyTimeout(dsn)}, nil
}

type serialConnector struct {
	dsn  string
	drv  driver.Driver
	gate chan struct{} // holds a token while a write runs
	wait time.Duration // the longest wait for the gate, the DSN's busy_timeout
}

// ErrSQLiteBusy is returned when a write waited busy_timeout for its turn: the writer
// before it was held up that long (by another process's lock, as a rule). Like
// SQLITE_BUSY, it means the database is unavailable for a moment (IsUnavailable).
var ErrSQLiteBusy = errors.New("database is locked: waited busy_timeout for the write before (SQLITE_BUSY)")

// busyTimeout reads _pragma=busy_timeout(N) (milliseconds) from a DSN; 10 s without one.
func busyTimeout(dsn string) time.Duration {
	_, rest, ok := strings.Cut(dsn, "busy_timeout(")
	if n, err := strconv.Atoi(strings.SplitN(rest, ")", 2)[0]); ok && err == nil && n >= 0 {
		return time.Duration(n) * time.Millisecond
	}
	return 10 * time.Second
}

func (c *serialConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &serialConn{Conn: conn, gate: c.gate, wait: c.wait}, nil
}

func (c *serialConnector) Driver() driver.Driver { return serialDriver{c.drv} }

// serialConn is used by one goroutine at a time (database/sql's rule), so inTx needs no lock.
type serialConn struct {
	driver.Conn
	gate chan struct{}
	wait time.Duration
	inTx bool
	tx   *serialTx // the open transaction, so that Close can give its turn back
	// stmts are the statements kept prepared for reuse (see reuseStatement).
	stmts map[string]driver.Stmt
}

// acquire waits for the write turn, at most busy_timeout: were the writer before held up
// by another process's lock, every queued writer would otherwise wait its own full
// busy_timeout in turn after it.
func (c *serialConn) acquire(ctx context.Context) error {
	select {
	case c.gate <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(c.wait)
	defer t.Stop()
	select {
	case c.gate <- struct{}{}:
		return nil
	case <-t.C:
		return ErrSQLiteBusy
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *serialConn) release() { <-c.gate }

func (c *serialConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if err := c.acquire(ctx); err != nil {
		return nil, err
	}
	var tx driver.Tx
	var err error
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		tx, err = b.BeginTx(ctx, opts)
	} else {
		tx, err = c.Conn.Begin() //nolint:staticcheck // the driver has nothing newer
	}
	if err != nil {
		c.release()
		return nil, err
	}
	c.inTx = true
	c.tx = &serialTx{Tx: tx, conn: c}
	return c.tx, nil
}

// Close gives back the turn of a transaction that was never ended.
func (c *serialConn) Close() error {
	if c.tx != nil {
		c.tx.end(nil)
	}
	c.closeStmts()
	return c.Conn.Close()
}

func (c *serialConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

type serialTx struct {
	driver.Tx
	conn *serialConn
	once sync.Once
}

func (t *serialTx) end(err error) error {
	t.once.Do(func() { t.conn.inTx, t.conn.tx = false, nil; t.conn.release() })
	return err
}

func (t *serialTx) Commit() error   { return t.end(t.Tx.Commit()) }
func (t *serialTx) Rollback() error { return t.end(t.Tx.Rollback()) }

func (c *serialConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	if !c.inTx && !isSelect(query) {
		if err := c.acquire(ctx); err != nil {
			return nil, err
		}
		defer c.release()
	}
	if st := c.cachedStmt(ctx, query); st != nil {
		return st.(driver.StmtExecContext).ExecContext(ctx, args)
	}
	return e.ExecContext(ctx, query, args)
}

func isSelect(query string) bool {
	q := strings.TrimSpace(query)
	return len(q) >= 6 && strings.EqualFold(q[:6], "SELECT")
}

func (c *serialConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if st := c.cachedStmt(ctx, query); st != nil {
		return st.(driver.StmtQueryContext).QueryContext(ctx, args)
	}
	if q, ok := c.Conn.(driver.QueryerContext); ok {
		return q.QueryContext(ctx, query, args)
	}
	return nil, driver.ErrSkip
}

func (c *serialConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		return p.PrepareContext(ctx, query)
	}
	return c.Conn.Prepare(query)
}

func (c *serialConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *serialConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *serialConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *serialConn) CheckNamedValue(nv *driver.NamedValue) error {
	if n, ok := c.Conn.(driver.NamedValueChecker); ok {
		return n.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}
