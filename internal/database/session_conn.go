package database

import (
	"context"
	"database/sql"

	"github.com/uptrace/bun"
)

// sessionConn is the bun.IConn behind the session's query builders. Before every query it
// flushes the session (autoflush); it runs the query inside the session's transaction
// when one is open, and opens one for anything that is not a SELECT, so that writes made
// through the session are never visible before Commit.
type sessionConn struct{ s *Session }

func (c sessionConn) target(ctx context.Context, write bool) (bun.IConn, error) {
	s := c.s
	if !s.flushing {
		if err := s.flush(ctx); err != nil {
			return nil, err
		}
	}
	slot, _ := ctx.Value(slotKey{}).(*querySlot)
	if slot != nil {
		slot.session = s
		write = write || slot.op != "SELECT"
	}
	if write {
		if err := s.begin(ctx); err != nil {
			return nil, err
		}
	}
	if s.tx != nil {
		return s.tx.Tx, nil
	}
	return s.db.SQL, nil
}

func (c sessionConn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	conn, err := c.target(ctx, false)
	if err != nil {
		return nil, err
	}
	return conn.QueryContext(ctx, query, args...)
}

func (c sessionConn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	conn, err := c.target(ctx, true)
	if err != nil {
		return nil, err
	}
	return conn.ExecContext(ctx, query, args...)
}

// QueryRowContext cannot report a failed autoflush through *sql.Row; the query then runs
// on a cancelled context so that Scan fails, and the flush error is reported again by
// the next Commit, since the changes stay pending.
func (c sessionConn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	conn, err := c.target(ctx, false)
	if err != nil {
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		return c.s.db.SQL.QueryRowContext(cancelled, query, args...)
	}
	return conn.QueryRowContext(ctx, query, args...)
}

// trackingHook connects bun's query hooks to sessions: BeforeQuery puts an empty slot in
// the query's context, the session's connection fills it in, and AfterQuery tracks the
// models a session query loaded. Queries not made through a session leave the slot empty.
type trackingHook struct{}

type slotKey struct{}

type querySlot struct {
	op      string
	session *Session
}

func (trackingHook) BeforeQuery(ctx context.Context, e *bun.QueryEvent) context.Context {
	return context.WithValue(ctx, slotKey{}, &querySlot{op: e.Operation()})
}

func (trackingHook) AfterQuery(ctx context.Context, e *bun.QueryEvent) {
	slot, _ := ctx.Value(slotKey{}).(*querySlot)
	if slot == nil || slot.session == nil || e.Err != nil || e.Model == nil || slot.op != "SELECT" {
		return
	}
	if ctx.Value(untrackedKey{}) != nil {
		return
	}
	slot.session.trackLoaded(e.Model.Value())
}

type untrackedKey struct{}

// Untracked marks ctx so that the objects a session's SELECT loads with it are not
// tracked: a read-only listing (a page of posts with their authors) spares the snapshot
// and identity-map entry of every row, a tenth of a home page's CPU. Commit saves no
// change made to such objects; load them without this to change them.
func Untracked(ctx context.Context) context.Context {
	return context.WithValue(ctx, untrackedKey{}, true)
}
