package bulk

import (
	"context"
	"database/sql"
	"fmt"
)

// sqliteMaxParams is SQLite's limit on the placeholders of one statement
// (SQLITE_MAX_VARIABLE_NUMBER, 32766 since SQLite 3.32). SQLite takes statements that
// large gladly: every statement is a savepoint, at which FTS5 tables flush their pending
// terms into a new segment (merged later) and the pager copies each page it changes for
// the first time since the savepoint into the statement journal; fewer, larger statements
// do both fewer times.
const sqliteMaxParams = 32766

// sqliteLoadCache is the page cache (KiB) of the loading connection: enough for the
// pages that inserts in key order keep touching (the table's last pages, the FTS5
// segments being merged) and for building the deferred indexes; more only adds memory.
const sqliteLoadCache = 64 << 10

// sqliteLoadSettings sets the loading connection up for a large write and returns what
// puts it back as it was, so that the pool's connection serves the app afterwards:
//   - a larger page cache (sqliteLoadCache);
//   - temp_store MEMORY: the statement journal (see sqliteMaxParams), at most a
//     statement's changed pages, is then kept in memory instead of being written to a
//     temporary file once it exceeds 64 KiB — with random inserts into indexes that was
//     the bulk of the load's system time;
//   - a rollback journal instead of WAL when it can have one (rollbackJournal).
func sqliteLoadSettings(ctx context.Context, conn *sql.Conn) (restore func(), err error) {
	var cache, temp int
	if err := conn.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&cache); err != nil {
		return nil, fmt.Errorf("bulk: cache size: %w", err)
	}
	if err := conn.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&temp); err != nil {
		return nil, fmt.Errorf("bulk: temp store: %w", err)
	}
	restore = func() {
		ctx := context.WithoutCancel(ctx)
		_, _ = conn.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = %d", cache))
		_, _ = conn.ExecContext(ctx, fmt.Sprintf("PRAGMA temp_store = %d", temp))
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = %d", -sqliteLoadCache)); err != nil {
		return nil, fmt.Errorf("bulk: cache size: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA temp_store = MEMORY"); err != nil {
		restore()
		return nil, fmt.Errorf("bulk: temp store: %w", err)
	}
	if rollbackJournal(ctx, conn) {
		r := restore
		restore = func() {
			r()
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA journal_mode = WAL")
		}
	}
	return restore, nil
}

// rollbackJournal switches a database in WAL mode to a rollback journal for the load
// and reports whether it did (the caller switches back after the commit). In WAL mode
// every page of the load is written twice, to the WAL and then, at the checkpoint that
// follows the commit, to the database; with a rollback journal once, and the journal
// holds only the pages that existed before, which for a new database is next to
// nothing: the seed's 330 MB are written once instead of twice. A crash or a rollback
// still leaves the database as it was. The cost: from the first time the load's page
// cache spills until the commit, the database is locked against the readers of other
// connections (in WAL mode they would read the state before the load); the loads (seed,
// db copy) are into empty databases. The switch is only tried, without waiting: if
// another connection is reading, the load keeps WAL.
func rollbackJournal(ctx context.Context, conn *sql.Conn) bool {
	var mode string
	var timeout int
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		return false
	}
	if err := conn.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&timeout); err != nil {
		return false
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA busy_timeout = 0"); err != nil {
		return false
	}
	err := conn.QueryRowContext(ctx, "PRAGMA journal_mode = DELETE").Scan(&mode)
	_, _ = conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA busy_timeout = %d", timeout))
	return err == nil && mode == "delete"
}

// deferSQLiteIndexes is DeferIndexesAndForeignKeys on SQLite: it drops table's indexes
// made by CREATE INDEX (those of PRIMARY KEY and UNIQUE constraints, which have no SQL
// of their own, stay) and returns what creates them again from their statements in
// sqlite_schema. An index built at the end is one sort; kept during the load, an index
// whose key comes in random order (post.timestamp, followers.followed_id) costs a B-tree
// descent and a page write per row. Foreign keys stay: SQLite checks them with a lookup
// of the parent's primary key, and cannot drop them without rebuilding the table.
func (t *Tx) deferSQLiteIndexes(ctx context.Context, table string) (restore func(context.Context) error, err error) {
	rows, err := t.sqlTx.QueryContext(ctx, "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name", table)
	if err != nil {
		return nil, fmt.Errorf("bulk: the indexes of %s: %w", table, err)
	}
	defer rows.Close()
	var names, creates []string
	for rows.Next() {
		var name, create string
		if err := rows.Scan(&name, &create); err != nil {
			return nil, fmt.Errorf("bulk: the indexes of %s: %w", table, err)
		}
		names = append(names, name)
		creates = append(creates, create)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("bulk: the indexes of %s: %w", table, err)
	}
	rows.Close()
	for _, name := range names {
		if _, err := t.sqlTx.ExecContext(ctx, "DROP INDEX "+Quote(t.dialect, name)); err != nil {
			return nil, fmt.Errorf("bulk: drop index %s: %w", name, err)
		}
	}
	return func(ctx context.Context) error {
		for _, create := range creates {
			if _, err := t.sqlTx.ExecContext(ctx, create); err != nil {
				return fmt.Errorf("bulk: restore on %s: %s: %w", table, create, err)
			}
		}
		return nil
	}, nil
}
