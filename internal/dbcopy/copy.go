// Package dbcopy copies a microblog site's data from one database to another of any
// dialect (SQLite, PostgreSQL, MySQL/MariaDB): every table of the app's models, parents
// before children, in batches (COPY on PostgreSQL, multi-row INSERTs elsewhere), each
// table in one transaction of the target. It then moves PostgreSQL's sequences past the
// copied ids and verifies every table: same row count and same checksum, computed in Go
// over values normalised alike on every dialect.
//
// The source is read in one read-only snapshot, so the copy is consistent even if the
// site keeps running (its later writes are not copied). An interrupted copy can be run
// again: tables the target already holds identically are kept, the others are empty
// (their transaction rolled back) and are copied. A target holding anything else is
// refused. See docs/deploy-copy.md.
package dbcopy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/microblog/microblog/internal/bulk"
	"github.com/microblog/microblog/internal/database"
)

// Errors Copy returns (wrapped, with details).
var (
	ErrTargetNotEmpty = errors.New("dbcopy: the target is not empty")
	ErrRevision       = errors.New("dbcopy: revisions differ")
	ErrVerify         = errors.New("dbcopy: verification failed")
	ErrSameDatabase   = errors.New("dbcopy: the source and the target are the same database")
)

// DefaultBatchSize is the rows per INSERT batch or COPY when Options.BatchSize is 0.
const DefaultBatchSize = 5000

// Options tune a copy.
type Options struct {
	BatchSize int
	// Progress, when not nil, is called as rows of a table are written.
	Progress func(table string, done, total int)
	// Log receives a line per step (nil: none).
	Log io.Writer
}

// TableResult is what happened to one table.
type TableResult struct {
	Name     string
	Rows     int64
	Checksum string
	// Kept is true when the target already held the table identically (a rerun).
	Kept     bool
	Duration time.Duration
}

// Result is a completed, verified copy.
type Result struct {
	Tables []TableResult
	Rows   int64 // rows written by this run
}

type state struct {
	t       *table
	rows    int64     // in the source
	sum     *checksum // of the source
	kept    bool
	elapsed time.Duration
}

// Copy copies every table of the app from src to dst and verifies the result.
func Copy(ctx context.Context, src, dst *database.DB, o Options) (*Result, error) {
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if src.Dialect == dst.Dialect && src.URL == dst.URL {
		return nil, fmt.Errorf("%w (%s)", ErrSameDatabase, src.URL)
	}
	tables, err := appTables()
	if err != nil {
		return nil, err
	}
	if err := checkRevisions(ctx, src, dst, o.Log); err != nil {
		return nil, err
	}
	snap, end, err := snapshot(ctx, src)
	if err != nil {
		return nil, err
	}
	defer end()

	if n := pendingRiverJobs(ctx, snap, src.Dialect); n > 0 {
		fmt.Fprintf(o.Log, "Warning: the source's job queue (River) holds %d unfinished jobs; they are not copied (see docs/deploy-copy.md).\n", n)
	}

	// What the target holds already: nothing, or (after an interrupted run) tables equal
	// to the source's. Anything else is refused before a row is written.
	states := make([]*state, len(tables))
	for i, t := range tables {
		st := &state{t: t}
		states[i] = st
		if st.rows, err = count(ctx, snap, src.Dialect, t.name); err != nil {
			return nil, fmt.Errorf("dbcopy: source: %w", err)
		}
		n, err := count(ctx, dst.SQL, dst.Dialect, t.name)
		if err != nil {
			return nil, fmt.Errorf("dbcopy: target: %w", err)
		}
		if n == 0 {
			continue
		}
		if st.sum, err = tableChecksum(ctx, snap, src.Dialect, t); err != nil {
			return nil, fmt.Errorf("dbcopy: source: %w", err)
		}
		got, err := tableChecksum(ctx, dst.SQL, dst.Dialect, t)
		if err != nil {
			return nil, fmt.Errorf("dbcopy: target: %w", err)
		}
		if !got.equal(st.sum) {
			return nil, fmt.Errorf("%w: table %s has %d rows that are not a copy of the source's %d (copy into a new database)",
				ErrTargetNotEmpty, t.name, n, st.rows)
		}
		st.kept = true
		fmt.Fprintf(o.Log, "%s: the target holds it already (%d rows), kept\n", t.name, n)
	}

	res := &Result{}
	for _, st := range states {
		if st.kept {
			continue
		}
		start := time.Now()
		if st.sum, err = copyTable(ctx, snap, src.Dialect, dst, st.t, st.rows, o); err != nil {
			return nil, err
		}
		st.elapsed = time.Since(start)
		res.Rows += st.sum.rows
	}

	err = bulk.Run(ctx, dst, func(ctx context.Context, tx *bulk.Tx) error {
		for _, t := range tables {
			if t.autoInc != "" {
				if err := tx.ResetSequence(ctx, t.name, t.autoInc); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("dbcopy: %w", err)
	}

	var bad []string
	for _, st := range states {
		got, err := tableChecksum(ctx, dst.SQL, dst.Dialect, st.t)
		if err != nil {
			return nil, fmt.Errorf("dbcopy: verify: %w", err)
		}
		if !got.equal(st.sum) {
			bad = append(bad, fmt.Sprintf("%s (source %d rows, checksum %s; target %d rows, checksum %s)", st.t.name, st.sum.rows, st.sum, got.rows, got))
		}
		res.Tables = append(res.Tables, TableResult{Name: st.t.name, Rows: got.rows, Checksum: got.String(), Kept: st.kept, Duration: st.elapsed})
	}
	if bad != nil {
		return nil, fmt.Errorf("%w: %s", ErrVerify, strings.Join(bad, "; "))
	}
	return res, nil
}

// snapshot opens a read-only transaction on a connection of src, whose reads all see the
// database as it was when the first one ran. end closes it.
func snapshot(ctx context.Context, src *database.DB) (*sql.Conn, func(), error) {
	conn, err := src.SQL.Conn(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("dbcopy: source: %w", err)
	}
	begin := map[string]string{
		database.SQLite:   "BEGIN", // deferred: a read transaction, never a write lock
		database.Postgres: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
		database.MySQL:    "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY",
	}[src.Dialect]
	if _, err := conn.ExecContext(ctx, begin); err != nil {
		conn.Close()
		return nil, nil, fmt.Errorf("dbcopy: source: begin a snapshot: %w", err)
	}
	return conn, func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		conn.Close()
	}, nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func count(ctx context.Context, q querier, dialect, name string) (int64, error) {
	var n int64
	if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+bulk.Quote(dialect, name)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", name, err)
	}
	return n, nil
}

// readRows calls fn with every row of t, normalised (see values); in primary-key order
// when ordered.
func readRows(ctx context.Context, q querier, dialect string, t *table, ordered bool, fn func([]any) error) error {
	quoted := make([]string, len(t.cols))
	for i, c := range t.cols {
		quoted[i] = bulk.Quote(dialect, c)
	}
	query := "SELECT " + strings.Join(quoted, ", ") + " FROM " + bulk.Quote(dialect, t.name)
	if ordered {
		pk := make([]string, len(t.pk))
		for i, c := range t.pk {
			pk[i] = bulk.Quote(dialect, c)
		}
		query += " ORDER BY " + strings.Join(pk, ", ")
	}
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return fmt.Errorf("read %s: %w", t.name, err)
	}
	defer rows.Close()
	d := dests(t.kinds)
	for rows.Next() {
		if err := rows.Scan(d...); err != nil {
			return fmt.Errorf("read %s: %w", t.name, err)
		}
		if err := fn(values(d)); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s: %w", t.name, err)
	}
	return nil
}

func tableChecksum(ctx context.Context, q querier, dialect string, t *table) (*checksum, error) {
	c := &checksum{}
	err := readRows(ctx, q, dialect, t, false, func(row []any) error { c.add(row); return nil })
	return c, err
}

// copyTable copies one table in one transaction of the target: a goroutine reads the
// source (and sums it) while this one writes the batches it hands over.
func copyTable(ctx context.Context, snap *sql.Conn, srcDialect string, dst *database.DB, t *table, total int64, o Options) (*checksum, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan [][]any, 2)
	sum := &checksum{}
	var readErr error
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		defer close(batches)
		batch := make([][]any, 0, o.BatchSize)
		send := func() bool {
			select {
			case batches <- batch:
				batch = make([][]any, 0, o.BatchSize)
				return true
			case <-ctx.Done():
				return false
			}
		}
		readErr = readRows(ctx, snap, srcDialect, t, true, func(row []any) error {
			if err := checkText(t, row); err != nil {
				return err
			}
			sum.add(row)
			for i, v := range row {
				if j, ok := v.(jsonValue); ok {
					row[i] = j.text // written as read
				}
			}
			batch = append(batch, row)
			if len(batch) == o.BatchSize && !send() {
				return ctx.Err()
			}
			return nil
		})
		if readErr == nil && len(batch) > 0 && !send() {
			readErr = ctx.Err()
		}
	}()
	progress := func(done int) {
		if o.Progress != nil {
			o.Progress(t.name, done, int(total))
		}
	}
	progress(0)
	err := bulk.Run(ctx, dst, func(ctx context.Context, tx *bulk.Tx) error {
		restore, err := tx.DeferIndexesAndForeignKeys(ctx, t.name)
		if err != nil {
			return err
		}
		done := 0
		for b := range batches {
			if err := tx.Insert(ctx, t.name, t.cols, b); err != nil {
				return err
			}
			done += len(b)
			progress(done)
		}
		if readErr != nil {
			return fmt.Errorf("source: %w", readErr)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		return restore(ctx)
	})
	cancel()
	<-readDone
	if err != nil {
		return nil, fmt.Errorf("dbcopy: copy %s: %w", t.name, err)
	}
	if readErr != nil {
		return nil, fmt.Errorf("dbcopy: copy %s: source: %w", t.name, readErr)
	}
	return sum, nil
}

// pendingRiverJobs counts the jobs River has not finished in the source (0 when it has
// no River tables, as on MySQL/MariaDB, whose queue is in Redis). Those are not copied:
// River's tables are its own, and differ between SQLite and PostgreSQL.
func pendingRiverJobs(ctx context.Context, snap *sql.Conn, dialect string) int64 {
	// Look the table up first: on PostgreSQL a failed query would abort the snapshot.
	probe := map[string]string{
		database.SQLite:   "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'river_job'",
		database.Postgres: "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'river_job' AND table_schema = current_schema()",
	}[dialect]
	var exists, n int64
	if probe == "" || snap.QueryRowContext(ctx, probe).Scan(&exists) != nil || exists == 0 {
		return 0
	}
	q := "SELECT COUNT(*) FROM river_job WHERE state IN ('available', 'pending', 'retryable', 'running', 'scheduled')"
	if err := snap.QueryRowContext(ctx, q).Scan(&n); err != nil {
		return 0
	}
	return n
}

// checkText refuses text that is not valid UTF-8 or holds a NUL byte (which SQLite can
// hold when written by another program): PostgreSQL and MySQL cannot store it, and the
// app never writes it. The error names the row by its primary key.
func checkText(t *table, row []any) error {
	for i, v := range row {
		s, ok := v.(string)
		if j, isJSON := v.(jsonValue); isJSON {
			s, ok = j.text, true
		}
		if ok && !database.ValidText(s) {
			var key []string
			for _, pk := range t.pk {
				for j, c := range t.cols {
					if c == pk {
						key = append(key, fmt.Sprintf("%s=%v", c, row[j]))
					}
				}
			}
			return fmt.Errorf("%s (%s): column %s holds invalid UTF-8 or a NUL byte, which the target cannot store: correct it in the source", t.name, strings.Join(key, ", "), t.cols[i])
		}
	}
	return nil
}
