package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
)

// changeWatch tells whether anything was committed to a SQLite database since it last
// looked, by anyone: this process's connections, another process, the sqlite3 shell.
// It holds one connection of its own that never writes and asks it `PRAGMA
// data_version`, whose value changes exactly when another connection has committed
// since the same connection last asked (https://sqlite.org/pragma.html#pragma_data_version).
// The answer comes from the WAL index in shared memory: no page is read.
//
// Most looks do not get that far: in WAL mode the watch also maps the WAL index's header
// (walIndex), which every commit rewrites, and a look that finds it as it was when the
// last `PRAGMA data_version` began returns that look's version at once, without a lock
// or a system call. Only a header that moved asks SQLite.
type changeWatch struct {
	// looks shares `PRAGMA data_version`'s answers; its mutex also guards the fields
	// below up to closed.
	looks sharedLooks[int64]
	conn  *sql.Conn // taken on the first look
	// stmt is `PRAGMA data_version` prepared on conn's driver connection, and run there
	// (readVersion) without database/sql's statement, rows and scanning: a front-cached
	// page's look cost 11% of the server's CPU, about half of it database/sql's.
	stmt   driver.Stmt
	dest   []driver.Value
	closed bool // the pool is closing: no more looks

	// idx is the mapped WAL index (nil: not in WAL mode, no mmap, or closed), and seen
	// its header as read just before the latest `PRAGMA data_version`, with the version
	// that look gave. idxMu keeps the mapping alive while a look reads it.
	idxMu sync.RWMutex
	idx   *walIndex
	seen  atomic.Pointer[seenHeader]
	// pragmaLooks counts the looks that asked SQLite (for tests).
	pragmaLooks atomic.Int64
}

// seenHeader is the WAL index header as read before a `PRAGMA data_version`, and the
// version that look gave.
type seenHeader struct {
	header  walIndexHeader
	version uint64
}

// ChangeVersion returns a number that stays the same as long as nothing is committed to
// the database, by anyone, and changes after any commit: whatever a read made after a
// call saw is still what the database holds if a later call returns the same number.
// Read the version before the reads it is to vouch for.
//
// On SQLite it comes from the WAL index header and `PRAGMA data_version` (changeWatch);
// on PostgreSQL from the server's transaction snapshot (snapshotWatch), which moves with any commit in the
// whole cluster; on MySQL/MariaDB from the commits microblog's connections count
// (commitCounter: a write by another program is not counted). ok is false where no such
// number can be had: MySQL/MariaDB before EnableCommitCounter (or Open on a database
// where it was called), and an in-memory SQLite database (its one connection is the
// pool's). A caller then reads as it would without.
func (d *DB) ChangeVersion(ctx context.Context) (version uint64, ok bool, err error) {
	switch {
	case d.changes != nil:
		return d.changes.look(ctx, d.SQL)
	case d.snapshots != nil:
		return d.snapshots.look(ctx, d.SQL)
	case d.counter != nil:
		return d.counter.look(ctx, d.SQL)
	}
	return 0, false, nil
}

// sharedLooks numbers the answers of a look at the database (SQLite's data_version,
// PostgreSQL's snapshot) as they change, and shares looks between calls made at once.
// arrivals numbers the calls as they come; checked is the number of the last call that
// had arrived when the latest completed look began. One look runs at a time (mu), and a
// call whose number is at most checked takes that look's answer instead of asking again:
// the look began after the call did, so it saw every commit made before the call. Under
// load most calls share a look.
type sharedLooks[T comparable] struct {
	arrivals atomic.Uint64
	mu       sync.Mutex
	checked  uint64
	last     T
	version  uint64 // 0 until the first look, then 1, so that no caller's zero value matches
}

// share returns the version after a look begun since this call arrived: its own, made by
// ask under mu, or one that a call shortly before made. then, if not nil, is told the
// version of its own look, still under mu.
func (l *sharedLooks[T]) share(ask func() (T, error), then func(version uint64)) (uint64, error) {
	arrived := l.arrivals.Add(1)
	l.mu.Lock()
	defer l.mu.Unlock()
	if arrived <= l.checked {
		return l.version, nil
	}
	begun := l.arrivals.Load()
	state, err := ask()
	if err != nil {
		return 0, err
	}
	l.checked = begun
	if l.version == 0 || state != l.last {
		l.last = state
		l.version++
	}
	if then != nil {
		then(l.version)
	}
	return l.version, nil
}

// errWatchClosed ends a look that came after the pool began to close.
var errWatchClosed = errors.New("database: change version: closed")

func (w *changeWatch) look(ctx context.Context, db *sql.DB) (uint64, bool, error) {
	if v, ok := w.unchanged(); ok {
		return v, true, nil
	}
	var header walIndexHeader
	var mapped bool
	v, err := w.looks.share(func() (int64, error) {
		if w.closed {
			return 0, errWatchClosed
		}
		if w.conn == nil {
			if err := w.open(ctx, db); err != nil {
				return 0, err
			}
		}
		// The header is read before the look: a commit after this read moves it, so the
		// look's answer holds for as long as the header stays as read here.
		header, mapped = w.header()
		// Not cancellable: the look takes microseconds, and a context that can end makes
		// database/sql watch it with a goroutine of its own for every look.
		v, err := w.readVersion(context.WithoutCancel(ctx))
		if err != nil {
			return 0, fmt.Errorf("database: change version: %w", err)
		}
		return v, nil
	}, func(version uint64) {
		if mapped {
			w.seen.Store(&seenHeader{header: header, version: version})
		}
	})
	switch {
	case errors.Is(err, errWatchClosed):
		return 0, false, nil
	case err != nil:
		return 0, false, err
	}
	return v, true, nil
}

// unchanged returns the version of the latest look if the WAL index header is still as
// that look found it: nothing has been committed since.
func (w *changeWatch) unchanged() (uint64, bool) {
	seen := w.seen.Load()
	if seen == nil {
		return 0, false
	}
	header, mapped := w.header()
	return seen.version, mapped && header == seen.header
}

// header reads the mapped WAL index header; mapped is false without a mapping.
func (w *changeWatch) header() (h walIndexHeader, mapped bool) {
	w.idxMu.RLock()
	defer w.idxMu.RUnlock()
	if w.idx == nil {
		return h, false
	}
	return w.idx.header(), true
}

// snapshotWatch numbers PostgreSQL's transaction snapshots as they change. A snapshot
// (`txid_current_snapshot()`: the oldest transaction still running, one past the newest
// finished, those in progress) changes whenever a transaction that wrote ends: one that
// was running leaves the in-progress list, one started since raises the bound. A
// transaction that only read has no id and changes nothing. Its commit is done in the
// snapshot before the client hears of it, so a look after an acknowledged commit sees
// it. Transactions of every database of the server count: more changes than needed, never
// fewer.
//
// Looks are shared as changeWatch's are: one runs at a time, and a call takes the answer
// of a look that began after it arrived. Each look is a round trip; with one a request,
// 50 requests at once kept 50 server processes busy answering them on the same cores,
// and the home page's p99 reached 290–830 ms (docs/performance.md, section 17).
type snapshotWatch struct {
	looks sharedLooks[string]
	// queries counts the looks that asked the server (for tests).
	queries atomic.Int64
}

func (w *snapshotWatch) look(ctx context.Context, db *sql.DB) (uint64, bool, error) {
	v, err := w.looks.share(func() (string, error) {
		w.queries.Add(1)
		var snapshot string
		if err := db.QueryRowContext(ctx, "SELECT txid_current_snapshot()::text").Scan(&snapshot); err != nil {
			return "", fmt.Errorf("database: change version: %w", err)
		}
		return snapshot, nil
	}, nil)
	if err != nil {
		return 0, false, err
	}
	return v, true, nil
}

// open takes the watch's connection from the pool, for good, and maps the WAL index if
// the database is in WAL mode (it reads as before without). w.looks.mu is held.
func (w *changeWatch) open(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("database: change version: connect: %w", err)
	}
	w.conn, w.dest = conn, make([]driver.Value, 1)
	// This first read transaction opens the -shm file on the watch's connection, which
	// keeps it open (and whole) for as long as the mapping lives.
	if _, err := w.readVersion(ctx); err != nil {
		w.closeConn()
		return fmt.Errorf("database: change version: %w", err)
	}
	var mode, file string
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		w.closeConn()
		return fmt.Errorf("database: change version: journal mode: %w", err)
	}
	if err := conn.QueryRowContext(ctx, "SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&file); err != nil {
		w.closeConn()
		return fmt.Errorf("database: change version: file: %w", err)
	}
	if strings.EqualFold(mode, "wal") && file != "" {
		if idx, err := mapWALIndex(file + "-shm"); err == nil {
			w.idxMu.Lock()
			w.idx = idx
			w.idxMu.Unlock()
		}
	}
	return nil
}

// readVersion asks the watch's connection for `PRAGMA data_version`, preparing it on
// the driver's connection the first time. w.looks.mu is held.
func (w *changeWatch) readVersion(ctx context.Context) (int64, error) {
	w.pragmaLooks.Add(1)
	var v int64
	err := w.conn.Raw(func(dc any) error {
		if w.stmt == nil {
			p, ok := dc.(driver.ConnPrepareContext)
			if !ok {
				return fmt.Errorf("the driver's connection (%T) cannot prepare with a context", dc)
			}
			st, err := p.PrepareContext(ctx, "PRAGMA data_version")
			if err != nil {
				return err
			}
			w.stmt = st
		}
		q, ok := w.stmt.(driver.StmtQueryContext)
		if !ok {
			return fmt.Errorf("the driver's statement (%T) cannot query with a context", w.stmt)
		}
		rows, err := q.QueryContext(ctx, nil)
		if err != nil {
			return err
		}
		defer rows.Close()
		if err := rows.Next(w.dest); err != nil {
			return err
		}
		n, ok := w.dest[0].(int64)
		if !ok {
			return fmt.Errorf("PRAGMA data_version gave %T", w.dest[0])
		}
		v = n
		return nil
	})
	return v, err
}

// closeConn unmaps the WAL index, closes the statement and gives the connection back
// (in that order: the connection keeps the mapped file whole). w.looks.mu is held.
func (w *changeWatch) closeConn() {
	w.idxMu.Lock()
	if w.idx != nil {
		w.idx.unmap()
		w.idx = nil
	}
	w.seen.Store(nil)
	w.idxMu.Unlock()
	if w.conn == nil {
		return
	}
	if w.stmt != nil {
		_ = w.conn.Raw(func(any) error { return w.stmt.Close() })
	}
	w.conn.Close()
	w.conn, w.stmt = nil, nil
}

// close gives the watch's connection back, before the pool closes.
func (w *changeWatch) close() {
	w.looks.mu.Lock()
	defer w.looks.mu.Unlock()
	w.closeConn()
	w.closed = true
}
