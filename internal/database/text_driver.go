package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
)

// guardedConnector wraps a driver's connector so that every statement is checked by
// checkStatement before the driver sees it: the last line of defence behind textDialect,
// which also covers SQL written by hand (the migration engine, raw queries).
// On MySQL/MariaDB it also counts the connections' commits (counter, commitCounter).
type guardedConnector struct {
	driver.Connector
	counter *commitCounter
}

func (c guardedConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	gc := &guardedConn{Conn: conn}
	if c.counter != nil {
		gc.counting = &counting{counter: c.counter, shard: c.counter.conns.Add(1) % counterShards}
	}
	return gc, nil
}

// dsnConnector is the connector of a driver that has no OpenConnector.
type dsnConnector struct {
	dsn string
	drv driver.Driver
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c dsnConnector) Driver() driver.Driver                        { return c.drv }

// guardConnector returns drv's connector for dsn behind the text guard, counting
// commits in counter when not nil.
func guardConnector(drv driver.Driver, dsn string, counter *commitCounter) (driver.Connector, error) {
	if dc, ok := drv.(driver.DriverContext); ok {
		c, err := dc.OpenConnector(dsn)
		if err != nil {
			return nil, err
		}
		return guardedConnector{c, counter}, nil
	}
	return guardedConnector{dsnConnector{dsn: dsn, drv: drv}, counter}, nil
}

// checkStatement refuses a statement whose text or string arguments are not ValidText.
func checkStatement(query string, args []driver.NamedValue) error {
	if !ValidText(query) {
		return fmt.Errorf("%w (in the statement)", ErrInvalidText)
	}
	for _, a := range args {
		switch v := a.Value.(type) {
		case string:
			if !ValidText(v) {
				return fmt.Errorf("%w (argument %d)", ErrInvalidText, a.Ordinal)
			}
		}
	}
	return nil
}

// guardedConn passes everything to the driver's connection after checkStatement, and
// keeps the optional interfaces database/sql looks for: where the driver lacks one, the
// method answers as database/sql's own fallback would (driver.ErrSkip, or nothing to do).
type guardedConn struct {
	driver.Conn
	counting *counting // MySQL/MariaDB: commits counted (nil elsewhere)
}

func (c *guardedConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *guardedConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := checkStatement(query, nil); err != nil {
		return nil, err
	}
	var st driver.Stmt
	var err error
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		st, err = p.PrepareContext(ctx, query)
	} else {
		st, err = c.Conn.Prepare(query)
	}
	if err != nil || c.counting == nil || !writes(firstWord(query)) {
		return st, err
	}
	return countedStmt{Stmt: st, conn: c, query: query}, nil
}

func (c *guardedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := checkStatement(query, args); err != nil {
		return nil, err
	}
	e, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	if c.counting == nil {
		return e.ExecContext(ctx, query, args)
	}
	if len(args) > 0 {
		// The MySQL driver prepares a statement with arguments (database/sql does,
		// through PrepareContext, on ErrSkip): counted there, not twice.
		return nil, driver.ErrSkip
	}
	return c.counting.exec(ctx, c.Conn, query, func() (driver.Result, error) { return e.ExecContext(ctx, query, args) })
}

func (c *guardedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := checkStatement(query, args); err != nil {
		return nil, err
	}
	q, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	if c.counting == nil || !writes(firstWord(query)) {
		return q.QueryContext(ctx, query, args)
	}
	if len(args) > 0 {
		return nil, driver.ErrSkip // as in ExecContext
	}
	return c.counting.query(ctx, c.Conn, query, func() (driver.Rows, error) { return q.QueryContext(ctx, query, args) })
}

func (c *guardedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	var tx driver.Tx
	var err error
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		tx, err = b.BeginTx(ctx, opts)
	} else {
		tx, err = c.Conn.Begin() //nolint:staticcheck // the driver has nothing newer
	}
	if err != nil || c.counting == nil {
		return tx, err
	}
	c.counting.inTx = true
	return &countedTx{Tx: tx, ctx: ctx, conn: c.Conn, c: c.counting}, nil
}

func (c *guardedConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *guardedConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *guardedConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *guardedConn) CheckNamedValue(nv *driver.NamedValue) error {
	if n, ok := c.Conn.(driver.NamedValueChecker); ok {
		return n.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// openGuarded opens t's connection pool behind the text guard. It connects to nothing.
// On MySQL/MariaDB it returns the pool's commit counter too.
func openGuarded(t Target) (*sql.DB, *commitCounter, error) {
	probe, err := sql.Open(t.Driver, t.DSN) // only to find the registered driver
	if err != nil {
		return nil, nil, err
	}
	drv := probe.Driver()
	probe.Close()
	var counter *commitCounter
	if t.Dialect == MySQL {
		counter = &commitCounter{}
	}
	c, err := guardConnector(drv, t.DSN, counter)
	if err != nil {
		return nil, nil, err
	}
	return sql.OpenDB(c), counter, nil
}
