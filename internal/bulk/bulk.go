// Package bulk writes many rows quickly inside one transaction, on every dialect: COPY on
// PostgreSQL (through pgx under database/sql), multi-row INSERT statements prepared once
// and reused on SQLite and MySQL/MariaDB. Nothing that guards consistency is switched off:
// foreign keys, unique indexes and triggers apply to every row as they do to the app's own
// writes, and either the whole transaction commits or nothing does.
package bulk

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/microblog/microblog/internal/database"
)

// maxParams bounds the placeholders of one INSERT on MySQL/MariaDB, which allows 65535:
// statements of a few thousand values are as fast and keep packets small. SQLite's
// statements go up to its limit (sqliteMaxParams).
const maxParams = 4000

// maxRows bounds the rows of one INSERT on MySQL/MariaDB whatever the number of columns.
const maxRows = 500

// Tx is one transaction of bulk writes. It belongs to one goroutine.
type Tx struct {
	dialect string
	sqlTx   *sql.Tx // SQLite, MySQL
	pgTx    pgx.Tx  // PostgreSQL
	stmts   map[string]*sql.Stmt
}

// Run runs fn in one transaction on a connection of its own and commits when fn returns
// nil; otherwise, or when ctx ends, nothing fn wrote stays.
func Run(ctx context.Context, db *database.DB, fn func(context.Context, *Tx) error) error {
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		return fmt.Errorf("bulk: connect: %w", err)
	}
	defer conn.Close()
	if db.Dialect == database.Postgres {
		return conn.Raw(func(dc any) error {
			pc := database.PgxConn(dc)
			if pc == nil {
				return errors.New("bulk: the PostgreSQL connection is not pgx's")
			}
			ptx, err := pc.Begin(ctx)
			if err != nil {
				return fmt.Errorf("bulk: begin: %w", err)
			}
			if err := fn(ctx, &Tx{dialect: db.Dialect, pgTx: ptx}); err != nil {
				_ = ptx.Rollback(context.WithoutCancel(ctx))
				return err
			}
			if err := ptx.Commit(ctx); err != nil {
				return fmt.Errorf("bulk: commit: %w", err)
			}
			return nil
		})
	}
	if db.Dialect == database.SQLite {
		restore, err := sqliteLoadSettings(ctx, conn)
		if err != nil {
			return err
		}
		defer restore()
	}
	stx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("bulk: begin: %w", err)
	}
	t := &Tx{dialect: db.Dialect, sqlTx: stx, stmts: map[string]*sql.Stmt{}}
	if err := fn(ctx, t); err != nil {
		_ = stx.Rollback()
		return err
	}
	if err := stx.Commit(); err != nil {
		return fmt.Errorf("bulk: commit: %w", err)
	}
	return nil
}

// Dialect is the dialect of the transaction's database.
func (t *Tx) Dialect() string { return t.dialect }

// Insert writes rows (each one value per column, in the order of cols) into table.
// Values are what the drivers take: int64, float64, bool, string, []byte, time.Time (in
// UTC) or nil for NULL.
func (t *Tx) Insert(ctx context.Context, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if t.pgTx != nil {
		if _, err := t.pgTx.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("bulk: copy into %s: %w", table, err)
		}
		return nil
	}
	per := max(1, min(maxRows, maxParams/len(cols)))
	if t.dialect == database.SQLite {
		per = max(1, sqliteMaxParams/len(cols))
	}
	args := make([]any, 0, per*len(cols))
	for len(rows) > 0 {
		n := min(per, len(rows))
		stmt, err := t.insertStmt(ctx, table, cols, n)
		if err != nil {
			return err
		}
		args = args[:0]
		for _, r := range rows[:n] {
			if len(r) != len(cols) {
				return fmt.Errorf("bulk: insert into %s: a row has %d values for %d columns", table, len(r), len(cols))
			}
			args = append(args, r...)
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("bulk: insert into %s: %w", table, cause(ctx, err))
		}
		rows = rows[n:]
	}
	return nil
}

// insertStmt prepares (once per transaction) the INSERT of n rows into table.
func (t *Tx) insertStmt(ctx context.Context, table string, cols []string, n int) (*sql.Stmt, error) {
	key := fmt.Sprintf("%s(%s)%d", table, strings.Join(cols, ","), n)
	if s, ok := t.stmts[key]; ok {
		return s, nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (", Quote(t.dialect, table))
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(Quote(t.dialect, c))
	}
	b.WriteString(") VALUES ")
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	s, err := t.sqlTx.PrepareContext(ctx, b.String())
	if err != nil {
		return nil, fmt.Errorf("bulk: prepare insert into %s: %w", table, cause(ctx, err))
	}
	t.stmts[key] = s
	return s, nil
}

// cause is ctx's error when ctx has ended, err otherwise: when ctx ends, database/sql
// rolls the transaction back and closes its statements from another goroutine, so a
// statement running at that moment may fail with "sql: statement is closed" or
// "sql: transaction has already been committed or rolled back" instead.
func cause(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	return err
}

// Exec runs one statement in the transaction. Placeholders are the dialect's own ($1 on
// PostgreSQL, ? elsewhere).
func (t *Tx) Exec(ctx context.Context, query string, args ...any) error {
	var err error
	if t.pgTx != nil {
		_, err = t.pgTx.Exec(ctx, query, args...)
	} else {
		_, err = t.sqlTx.ExecContext(ctx, query, args...)
	}
	if err != nil {
		return fmt.Errorf("bulk: %w", err)
	}
	return nil
}

// Row is one row of a query's result.
type Row interface{ Scan(dest ...any) error }

// QueryRow runs a query that returns one row in the transaction. Placeholders are the
// dialect's own.
func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) Row {
	if t.pgTx != nil {
		return t.pgTx.QueryRow(ctx, query, args...)
	}
	return t.sqlTx.QueryRowContext(ctx, query, args...)
}

// ResetSequence makes the next generated value of table's autoincrement column col one
// more than the largest stored, after rows were written with explicit ids. Only
// PostgreSQL needs it: SQLite and MySQL/MariaDB move their counters past explicit ids
// themselves.
func (t *Tx) ResetSequence(ctx context.Context, table, col string) error {
	if t.pgTx == nil {
		return nil
	}
	q := fmt.Sprintf("SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT MAX(%s) FROM %s), 0) + 1, false)",
		Quote(t.dialect, col), Quote(t.dialect, table))
	if _, err := t.pgTx.Exec(ctx, q, Quote(t.dialect, table), col); err != nil {
		return fmt.Errorf("bulk: reset the sequence of %s.%s: %w", table, col, err)
	}
	return nil
}

// Quote quotes an identifier for the dialect.
func Quote(dialect, name string) string {
	if dialect == database.MySQL {
		return "`" + strings.ReplaceAll(name, "`", "``") + "`"
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// DeferIndexesAndForeignKeys speeds up loading a large table on PostgreSQL, whose foreign keys
// check each row with a query of its own and whose indexes grow one row at a time: it
// drops table's foreign keys and its indexes that back no constraint (the primary key
// stays) inside the transaction, and returns restore, which adds them back with their
// exact definitions (read from the catalog) — building each index in one sort and checking
// every row's foreign keys in one join. Call restore before the transaction ends: if a
// row has no parent or breaks a unique index, it fails and the transaction rolls back,
// so no state without them is ever committed or seen (the table stays locked until the
// end). On SQLite it defers the indexes only (deferSQLiteIndexes). On MySQL/MariaDB it
// does nothing: there DROP INDEX and CREATE INDEX commit the transaction.
func (t *Tx) DeferIndexesAndForeignKeys(ctx context.Context, table string) (restore func(context.Context) error, err error) {
	if t.dialect == database.SQLite {
		return t.deferSQLiteIndexes(ctx, table)
	}
	if t.pgTx == nil {
		return func(context.Context) error { return nil }, nil
	}
	q := Quote(t.dialect, table)
	type def struct{ drop, create string }
	var defs []def
	collect := func(query string, mk func(name, definition string) def) error {
		rows, err := t.pgTx.Query(ctx, query, q)
		if err != nil {
			return fmt.Errorf("bulk: the constraints of %s: %w", table, err)
		}
		defer rows.Close()
		for rows.Next() {
			var name, definition string
			if err := rows.Scan(&name, &definition); err != nil {
				return fmt.Errorf("bulk: the constraints of %s: %w", table, err)
			}
			defs = append(defs, mk(name, definition))
		}
		return rows.Err()
	}
	err = collect("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'f' ORDER BY conname",
		func(name, definition string) def {
			return def{"ALTER TABLE " + q + " DROP CONSTRAINT " + Quote(t.dialect, name), "ALTER TABLE " + q + " ADD CONSTRAINT " + Quote(t.dialect, name) + " " + definition}
		})
	if err != nil {
		return nil, err
	}
	err = collect(`SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		WHERE i.indrelid = $1::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY c.relname`,
		func(name, definition string) def {
			return def{"DROP INDEX " + Quote(t.dialect, name), definition}
		})
	if err != nil {
		return nil, err
	}
	for _, d := range defs {
		if _, err := t.pgTx.Exec(ctx, d.drop); err != nil {
			return nil, fmt.Errorf("bulk: %s: %w", d.drop, err)
		}
	}
	return func(ctx context.Context) error {
		for _, d := range defs {
			if _, err := t.pgTx.Exec(ctx, d.create); err != nil {
				return fmt.Errorf("bulk: restore on %s: %s: %w", table, d.create, err)
			}
		}
		return nil
	}, nil
}
