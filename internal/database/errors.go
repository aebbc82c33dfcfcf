package database

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	buntable "github.com/uptrace/bun/schema"
	"modernc.org/sqlite"

	"github.com/microblog/microblog/migrate/bunschema"
	"github.com/microblog/microblog/migrate/schema"
)

// ConstraintError is a write refused by an integrity constraint, with the constraint
// named the same way on every dialect (ix_user_username, fk_post_user_id_user, …).
type ConstraintError struct {
	Kind       string // "unique", "foreign key", "not null" or "check"
	Constraint string // name of the index or constraint, when known
	Table      string
	Columns    []string
	Err        error // the driver's error
}

func (e *ConstraintError) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind)
	b.WriteString(" constraint")
	if e.Constraint != "" {
		fmt.Fprintf(&b, " %q", e.Constraint)
	}
	if e.Table != "" {
		fmt.Fprintf(&b, " on %s", e.Table)
		if len(e.Columns) > 0 {
			fmt.Fprintf(&b, "(%s)", strings.Join(e.Columns, ", "))
		}
	}
	b.WriteString(" violated")
	if e.Err != nil {
		fmt.Fprintf(&b, ": %s", oneLine(e.Err))
	}
	return b.String()
}

func (e *ConstraintError) Unwrap() error { return e.Err }

// IsUnique reports whether err is a unique-constraint violation.
func IsUnique(err error) bool {
	var ce *ConstraintError
	return errors.As(err, &ce) && ce.Kind == "unique"
}

var (
	sqliteConstraint = regexp.MustCompile(`(UNIQUE|NOT NULL|CHECK|FOREIGN KEY) constraint failed(?:: (.*?))?(?: \(\d+\))?$`)
	mysqlKey         = regexp.MustCompile("(?:for key|CONSTRAINT) [`']([^`']+)[`']")
)

// describe turns a driver error into a ConstraintError when it is one; table is the
// table being written, used to name SQLite's constraints, which it reports by columns.
func (d *DB) describe(err error, table *buntable.Table) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		kind := map[string]string{"23505": "unique", "23503": "foreign key", "23502": "not null", "23514": "check"}[pgErr.Code]
		if kind == "" {
			return err
		}
		ce := &ConstraintError{Kind: kind, Constraint: pgErr.ConstraintName, Table: pgErr.TableName, Err: err}
		if pgErr.ColumnName != "" {
			ce.Columns = []string{pgErr.ColumnName}
		}
		return ce
	}
	var myErr *mysql.MySQLError
	if errors.As(err, &myErr) {
		kind := map[uint16]string{1062: "unique", 1451: "foreign key", 1452: "foreign key", 1048: "not null", 1364: "not null", 3819: "check", 4025: "check"}[myErr.Number]
		if kind == "" {
			return err
		}
		ce := &ConstraintError{Kind: kind, Err: err}
		if table != nil {
			ce.Table = table.Name
		}
		if m := mysqlKey.FindStringSubmatch(myErr.Message); m != nil {
			// MySQL 8 says 'table.index'; MariaDB says 'index'.
			name := m[1]
			if i := strings.LastIndexByte(name, '.'); i >= 0 {
				name = name[i+1:]
			}
			ce.Constraint = name
		}
		return ce
	}
	if m := sqliteConstraint.FindStringSubmatch(err.Error()); m != nil {
		ce := &ConstraintError{Kind: strings.ToLower(m[1]), Err: err}
		// An index on expressions is reported by name: "index 'uq_user_username_lower'".
		if name, ok := strings.CutPrefix(m[2], "index '"); ok {
			ce.Constraint = strings.TrimSuffix(name, "'")
			if table != nil {
				ce.Table = table.Name
			}
			return ce
		}
		var cols []string
		for _, tc := range strings.Split(m[2], ", ") {
			if t, c, ok := strings.Cut(tc, "."); ok {
				ce.Table = t
				cols = append(cols, c)
			}
		}
		ce.Columns = cols
		if ce.Kind == "unique" && table != nil && table.Name == ce.Table {
			ce.Constraint = uniqueName(table, cols)
		}
		if ce.Kind == "check" && len(cols) == 0 {
			ce.Constraint = m[2]
		}
		return ce
	}
	return err
}

// uniqueName finds the unique index or constraint of the model's table on exactly cols.
func uniqueName(table *buntable.Table, cols []string) string {
	s, err := bunschema.FromModels(table.ZeroIface)
	if err != nil || len(s.Tables) != 1 {
		return ""
	}
	t := s.Tables[0]
	same := func(a []string) bool { return strings.Join(a, ",") == strings.Join(cols, ",") }
	for _, ix := range t.Indexes {
		if ix.Unique && same(ix.Columns) {
			return ix.Name
		}
	}
	for _, u := range t.Uniques {
		if same(u.Columns) {
			return u.Name
		}
	}
	if t.PrimaryKey != nil && same(t.PrimaryKey.Columns) {
		return t.PrimaryKey.Name
	}
	return schema.IndexName(t.Name, cols)
}

// IsUnavailable reports whether err means that the database cannot be reached or is
// going away — the server is down, restarting, unreachable or dropped the connection, or
// (SQLite) another connection holds the lock for longer than busy_timeout — rather than
// that the statement itself failed. Such errors are transient: the request may succeed
// when retried a moment later, so the web app answers them with 503 and Retry-After
// instead of a 500.
func IsUnavailable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		// The caller gave up (a client went away, a deadline passed): whatever the driver
		// did to the connection then, the database did not fail.
		return false
	}
	if errors.Is(err, ErrSQLiteBusy) { // SQLite's write queue (sqlite_writer.go)
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Reported by a running server: trust its code over the wrapping.
		return pgUnavailable(pgErr.Code)
	}
	var myErr *mysql.MySQLError
	if errors.As(err, &myErr) {
		return mysqlUnavailable(myErr.Number)
	}
	var sqliteErr *sqlite.Error
	if errors.As(err, &sqliteErr) {
		// Primary result code 5 (extended codes keep it in the low byte).
		return sqliteErr.Code()&0xff == sqliteBusy
	}
	var connectErr *pgconn.ConnectError
	var netErr *net.OpError
	switch {
	case errors.As(err, &connectErr), errors.As(err, &netErr):
		return true
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, mysql.ErrInvalidConn), errors.Is(err, pgconn.ErrConnClosed):
		// pgx closes a connection whose exchange failed; a later use of it (a race with
		// database/sql's own check) says "conn closed".
		return true
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		// The server or the network closed the connection in the middle of an exchange
		// (pgx reports it so inside a transaction).
		return true
	}
	return false
}

const sqliteBusy = 5 // SQLITE_BUSY: "database is locked"

// pgUnavailable: class 08 (connection exception), 57P01 admin_shutdown, 57P02
// crash_shutdown, 57P03 cannot_connect_now.
func pgUnavailable(code string) bool {
	return strings.HasPrefix(code, "08") || code == "57P01" || code == "57P02" || code == "57P03"
}

// mysqlUnavailable: client errors 2006 (server has gone away) and 2013 (lost connection
// during query) as other connectors report them, 1053 (server shutdown in progress) and
// MariaDB's 1927 (connection was killed).
func mysqlUnavailable(number uint16) bool {
	switch number {
	case 2006, 2013, 1053, 1927:
		return true
	}
	return false
}

// IsDeadlock reports whether err is a transaction the database chose to abort so that
// others could go on — an InnoDB deadlock victim (1213) or a PostgreSQL deadlock or
// serialization failure (40P01, 40001) — which is worth trying again as it was.
func IsDeadlock(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1213
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40P01" || pe.Code == "40001"
	}
	return false
}
