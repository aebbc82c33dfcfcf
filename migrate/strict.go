package migrate

import (
	"context"
	"database/sql"
	"fmt"
)

// strictSession puts a MySQL/MariaDB session into strict SQL mode (TRADITIONAL: strict
// for every table, no zero dates, errors instead of warnings) for the run, on the one
// connection the run uses, so that a statement that would cut, round or invent a value
// fails instead of succeeding with a warning. The session's mode is restored afterwards,
// for a program that lends the engine a connection from its own pool. Other dialects
// have no such mode: nothing to do.
func (m *Runner) strictSession(ctx context.Context, conn *sql.Conn) (restore func(), err error) {
	if m.Dialect != MySQL {
		return func() {}, nil
	}
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
