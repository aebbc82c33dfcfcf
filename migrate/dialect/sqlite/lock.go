package sqlite

import (
	"context"
	"database/sql"
)

// Lock does nothing: SQLite has no session lock (Quirks.SessionLock is false), and each
// revision instead checks the version table under its transaction's write lock.
func (Dialect) Lock(context.Context, *sql.Conn) (func(), error) { return func() {}, nil }

// Session does nothing.
func (Dialect) Session(context.Context, *sql.Conn) (func(), error) { return func() {}, nil }

// GuardLock is "": a write transaction holds the whole database.
func (Dialect) GuardLock(string) string { return "" }
