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
type guardedConnector struct {
	driver.Connector
}

func (c guardedConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return guardedConn{conn}, nil
}

// dsnConnector is the connector of a driver that has no OpenConnector.
type dsnConnector struct {
	dsn string
	drv driver.Driver
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c dsnConnector) Driver() driver.Driver                        { return c.drv }

// guardConnector returns drv's connector for dsn behind the text guard.
func guardConnector(drv driver.Driver, dsn string) (driver.Connector, error) {
	if dc, ok := drv.(driver.DriverContext); ok {
		c, err := dc.OpenConnector(dsn)
		if err != nil {
			return nil, err
		}
		return guardedConnector{c}, nil
	}
	return guardedConnector{dsnConnector{dsn: dsn, drv: drv}}, nil
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
}

func (c guardedConn) Prepare(query string) (driver.Stmt, error) {
	if err := checkStatement(query, nil); err != nil {
		return nil, err
	}
	return c.Conn.Prepare(query)
}

func (c guardedConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := checkStatement(query, nil); err != nil {
		return nil, err
	}
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		return p.PrepareContext(ctx, query)
	}
	return c.Conn.Prepare(query)
}

func (c guardedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := checkStatement(query, args); err != nil {
		return nil, err
	}
	if e, ok := c.Conn.(driver.ExecerContext); ok {
		return e.ExecContext(ctx, query, args)
	}
	return nil, driver.ErrSkip
}

func (c guardedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := checkStatement(query, args); err != nil {
		return nil, err
	}
	if q, ok := c.Conn.(driver.QueryerContext); ok {
		return q.QueryContext(ctx, query, args)
	}
	return nil, driver.ErrSkip
}

func (c guardedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	return c.Conn.Begin() //nolint:staticcheck // the driver has nothing newer
}

func (c guardedConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c guardedConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c guardedConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c guardedConn) CheckNamedValue(nv *driver.NamedValue) error {
	if n, ok := c.Conn.(driver.NamedValueChecker); ok {
		return n.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// openGuarded opens t's connection pool behind the text guard. It connects to nothing.
func openGuarded(t Target) (*sql.DB, error) {
	probe, err := sql.Open(t.Driver, t.DSN) // only to find the registered driver
	if err != nil {
		return nil, err
	}
	drv := probe.Driver()
	probe.Close()
	c, err := guardConnector(drv, t.DSN)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(c), nil
}
