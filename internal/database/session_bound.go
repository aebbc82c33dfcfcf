package database

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Param is where a value goes in a query started with Session.NewSelectBound: bun leaves
// it in the statement's text as a placeholder, bound at run time to the next argument.
const Param = bun.Safe("?")

// NewSelectBound starts a SELECT bound to the session, as NewSelect does, whose values
// are bound arguments instead of text written into the statement: the query is built with
// Param wherever a value goes, and args are those values in the order their Params appear
// in the statement's text (JOIN clauses come before WHERE). The text is then the same
// from one call to the next, so that SQLite's connection keeps the statement prepared and
// PostgreSQL's driver its prepared statement, instead of parsing and planning every read
// again: a page's reads are the bulk of its time (docs/performance.md). On MySQL, whose
// driver would prepare, run and close a bound statement (three round trips where a text
// takes one), bun writes the values into the text as NewSelect does.
//
// Only queries whose rows are read to the end may be bound (Scan, Count, Exists), since
// SQLite runs one prepared statement one query at a time.
func (s *Session) NewSelectBound(args ...any) *bun.SelectQuery {
	return s.db.Bun.NewSelect().Conn(boundConn{db: s.db, args: args, conn: func(ctx context.Context) (bun.IConn, error) {
		return sessionConn{s}.target(ctx, false)
	}})
}

// NewSelectBound is Session.NewSelectBound outside any session: the query runs on the
// pool and tracks nothing.
func (db *DB) NewSelectBound(args ...any) *bun.SelectQuery {
	return db.Bun.NewSelect().Conn(boundConn{db: db, args: args, conn: func(context.Context) (bun.IConn, error) {
		return db.SQL, nil
	}})
}

// boundConn is the connection of a bound SELECT: it binds args to the placeholders bun
// left in the statement and runs it, marked to be kept prepared, on what conn returns
// (the session's transaction or the pool, after the session's autoflush).
type boundConn struct {
	db   *DB
	args []any
	conn func(context.Context) (bun.IConn, error)
}

func (c boundConn) QueryContext(ctx context.Context, query string, _ ...any) (*sql.Rows, error) {
	query, args, err := c.db.bind(query, c.args)
	if err != nil {
		return nil, err
	}
	conn, err := c.conn(ctx)
	if err != nil {
		return nil, err
	}
	return conn.QueryContext(reuseStatement(ctx), query, args...)
}

func (c boundConn) QueryRowContext(ctx context.Context, query string, _ ...any) *sql.Row {
	query, args, err := c.db.bind(query, c.args)
	var conn bun.IConn
	if err == nil {
		conn, err = c.conn(ctx)
	}
	if err != nil {
		// *sql.Row cannot carry the error: the query runs on a cancelled context so that
		// Scan fails, as sessionConn does for a failed autoflush.
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		return c.db.SQL.QueryRowContext(cancelled, query)
	}
	return conn.QueryRowContext(reuseStatement(ctx), query, args...)
}

func (c boundConn) ExecContext(_ context.Context, query string, _ ...any) (sql.Result, error) {
	return nil, fmt.Errorf("database: a bound SELECT cannot run %q as a statement", query)
}

// bind turns bun's text with placeholders left by Param into the statement and
// arguments for the database's dialect: $1, $2… and times in UTC on PostgreSQL; on
// SQLite times as the UTC text bun writes (so that they compare with stored times as
// bun's did); on MySQL the values written into the text by bun.
func (db *DB) bind(query string, args []any) (string, []any, error) {
	if n := strings.Count(query, "?"); n != len(args) {
		return "", nil, fmt.Errorf("database: bound query has %d placeholders for %d arguments: %s", n, len(args), query)
	}
	switch db.Dialect {
	case MySQL:
		return db.Bun.QueryGen().FormatQuery(query, args...), nil, nil
	case Postgres:
		args = utcTimes(args, false)
		var b strings.Builder
		b.Grow(len(query) + 2*len(args))
		n := 0
		for {
			i := strings.IndexByte(query, '?')
			if i < 0 {
				b.WriteString(query)
				break
			}
			n++
			b.WriteString(query[:i])
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			query = query[i+1:]
		}
		return b.String(), args, nil
	}
	return query, utcTimes(args, true), nil
}

// utcTimes is args with every time in UTC, as bun writes times (pgx would send a time
// in another zone to a timestamp column as its wall clock), and as bun's text when
// asText (SQLite compares the stored text).
func utcTimes(args []any, asText bool) []any {
	var out []any // a copy, made at the first time found: args belong to the caller
	for i, a := range args {
		t, ok := a.(time.Time)
		if !ok {
			continue
		}
		if out == nil {
			out = append([]any(nil), args...)
		}
		if asText {
			out[i] = t.UTC().Format(bunTimeLayout)
		} else {
			out[i] = t.UTC()
		}
	}
	if out == nil {
		return args
	}
	return out
}
