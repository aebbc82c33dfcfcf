package postgres

import (
	"context"
	"database/sql"
	"fmt"
)

// lockKey is the advisory lock key of the migration lock (arbitrary, fixed).
const lockKey = 7_305_146_271_001

// Lock takes a session-level advisory lock.
func (Dialect) Lock(ctx context.Context, conn *sql.Conn) (func(), error) {
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("SELECT pg_advisory_lock(%d)", lockKey)); err != nil {
		return nil, fmt.Errorf("migrate: take the migration lock: %w", err)
	}
	return func() {
		conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("SELECT pg_advisory_unlock(%d)", lockKey))
	}, nil
}

// Session does nothing.
func (Dialect) Session(context.Context, *sql.Conn) (func(), error) { return func() {}, nil }

// GuardLock locks the table as the op's ALTER TABLE would, so that no row can slip in
// between the check and the change.
func (d Dialect) GuardLock(table string) string {
	return fmt.Sprintf("LOCK TABLE %s IN ACCESS EXCLUSIVE MODE", d.Quote(table))
}
