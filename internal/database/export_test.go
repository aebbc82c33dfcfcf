package database

import (
	"context"
	"time"
)

// TrackedCount reports how many objects the session tracks, for tests.
func TrackedCount(s *Session) int {
	n := 0
	s.eachTracked(func(any, *tracked) { n++ })
	return n
}

// UseBunInserts makes db's sessions write INSERTs through bun's literal text, the way
// they did before boundInsert, so that tests can compare what both store.
func UseBunInserts(db *DB, on bool) { db.bunInserts = on }

// BoundInsert reports whether db's sessions write obj's model with bound arguments.
func BoundInsert(db *DB, obj any) bool {
	m, err := db.modelOf(obj)
	return err == nil && m.bound != nil
}

// CachedStmts reports how many statements the SQLite connection that db's pool hands
// out next keeps prepared (see reuseStatement); -1 for another driver.
func CachedStmts(db *DB) int {
	conn, err := db.SQL.Conn(context.Background())
	if err != nil {
		return -1
	}
	defer conn.Close()
	n := -1
	_ = conn.Raw(func(dc any) error {
		if g, ok := dc.(*guardedConn); ok {
			dc = g.Conn
		}
		if c, ok := dc.(*serialConn); ok {
			n = len(c.stmts)
		}
		return nil
	})
	return n
}

// CachedStmtTexts is the text of the statements counted by CachedStmts.
func CachedStmtTexts(db *DB) []string {
	conn, err := db.SQL.Conn(context.Background())
	if err != nil {
		return nil
	}
	defer conn.Close()
	var out []string
	_ = conn.Raw(func(dc any) error {
		if g, ok := dc.(*guardedConn); ok {
			dc = g.Conn
		}
		if c, ok := dc.(*serialConn); ok {
			for q := range c.stmts {
				out = append(out, q)
			}
		}
		return nil
	})
	return out
}

// CollectorTotals reports the time s spent checking tracked objects and in the
// collections it asked for, and how many it asked for.
func CollectorTotals(s *Session) (scans, collecting time.Duration, collections int) {
	return s.collector.scans, s.collector.collecting, s.collector.collections
}

// AloneCommits reports how many of s's commits wrote their one INSERT without a
// transaction of the session's (commitsAlone).
func AloneCommits(s *Session) int { return s.aloneCommits }

// InsertsAlone reports whether db's sessions may write one new obj alone
// (boundInsert.alone).
func InsertsAlone(db *DB, obj any) bool {
	m, err := db.modelOf(obj)
	return err == nil && m.bound != nil && m.bound.alone
}

// ChangeLooks counts the change version's looks that asked SQLite (`PRAGMA
// data_version`), and says whether the watch reads the WAL index header instead.
func ChangeLooks(db *DB) (looks int64, mapped bool) {
	db.changes.idxMu.RLock()
	defer db.changes.idxMu.RUnlock()
	return db.changes.pragmaLooks.Load(), db.changes.idx != nil
}

// SnapshotQueries counts the change version's looks that asked PostgreSQL.
func SnapshotQueries(db *DB) int64 { return db.snapshots.queries.Load() }

// CommitBumps counts the commits the MySQL/MariaDB commit counter wrote.
func CommitBumps(db *DB) int64 { return db.counter.bumps.Load() }
