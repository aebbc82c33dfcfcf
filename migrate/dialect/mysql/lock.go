package mysql

import (
	"context"
	"database/sql"
	"fmt"
)

// lockName is the name of the migration lock.
const lockName = "migrate.alembic_version"

// Lock takes a named lock (GET_LOCK), waiting up to 10 minutes.
func (Dialect) Lock(ctx context.Context, conn *sql.Conn) (func(), error) {
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, 600)", lockName).Scan(&got); err != nil {
		return nil, fmt.Errorf("migrate: take the migration lock: %w", err)
	}
	if got.Int64 != 1 {
		return nil, fmt.Errorf("migrate: the migration lock is held by another run (waited 10 minutes)")
	}
	return func() { conn.ExecContext(context.WithoutCancel(ctx), "SELECT RELEASE_LOCK(?)", lockName) }, nil
}

// Session puts the session into strict SQL mode (TRADITIONAL: strict for every table, no
// zero dates, errors instead of warnings) for the run, so that a statement that would
// cut, round or invent a value fails instead of succeeding with a warning. The session's
// mode is restored afterwards, for a program that lends the engine a connection from its
// own pool.
func (Dialect) Session(ctx context.Context, conn *sql.Conn) (func(), error) {
	var mode string
	if err := conn.QueryRowContext(ctx, "SELECT @@SESSION.sql_mode").Scan(&mode); err != nil {
		return nil, fmt.Errorf("migrate: read sql_mode: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "SET SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'TRADITIONAL')"); err != nil {
		return nil, fmt.Errorf("migrate: set strict sql_mode: %w", err)
	}
	return func() {
		conn.ExecContext(context.WithoutCancel(ctx), "SET SESSION sql_mode = ?", mode)
	}, nil
}

// GuardLock is "": without transactional DDL the guard runs just before the statement.
func (Dialect) GuardLock(string) string { return "" }
