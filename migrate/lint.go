package migrate

import (
	"context"
	"fmt"

	"github.com/microblog/microblog/migrate/schema"
)

// Finding is one lint warning about a pending revision.
type Finding struct {
	Path string
	Line int
	Op   string
	Msg  string
}

func (f Finding) String() string { return fmt.Sprintf("%s:%d: %s: %s", f.Path, f.Line, f.Op, f.Msg) }

// LintOptions tune Lint.
type LintOptions struct {
	// LargeTableRows is the row count from which a PostgreSQL index build inside a
	// transaction is reported as locking (default 100,000).
	LargeTableRows int64
}

// Lint reports destructive or locking operations in the revisions not yet applied to the
// database: dropped tables and columns, narrowing type changes, NOT NULL on tables with
// rows that would break it, and index builds that block writes to large PostgreSQL
// tables. Row counts come from the live database.
func (m *Runner) Lint(ctx context.Context, opts LintOptions) ([]Finding, error) {
	if opts.LargeTableRows == 0 {
		opts.LargeTableRows = 100_000
	}
	current, err := m.Current(ctx)
	if err != nil {
		return nil, err
	}
	if err := m.known(current); err != nil {
		return nil, err
	}
	steps, err := m.planUpgrade(current, m.Repo.Heads())
	if err != nil {
		return nil, err
	}
	var out []Finding
	for _, st := range steps {
		state := st.before
		for i, op := range st.rev.Upgrade {
			add := func(format string, args ...any) {
				out = append(out, Finding{Path: st.rev.Path, Line: op.Line, Op: op.Kind, Msg: fmt.Sprintf(format, args...)})
			}
			// Rows can only be counted in tables that exist now, i.e. before this run.
			rows := func(table string) int64 {
				if current := st.before.Table(table); current == nil || !stepIsFirstFor(steps, st) {
					return -1
				}
				return m.countRows(ctx, table, opts.LargeTableRows+1)
			}
			switch op.Kind {
			case OpDropTable:
				add("drops table %q%s (its data is lost)", op.Name, rowNote(rows(op.Name)))
			case OpDropColumn:
				add("drops column %q.%q%s (its data is lost)", op.Table, op.ColName, rowNote(rows(op.Table)))
			case OpAddColumn:
				if !op.Column.Nullable && op.Column.Default == nil && !op.Column.AutoIncrement {
					if n := rows(op.Table); n != 0 {
						add("adds NOT NULL column %q without a default to a table with rows%s: it fails; give it a default or add it nullable, fill it, then alter it", op.Column.Name, rowNote(n))
					}
				}
			case OpAlterColumn:
				old := state.Table(op.Table).Column(op.ColName)
				if msg := keyColumnRetyped(state, op); msg != "" {
					add("%s", msg)
				}
				if op.Type != nil && narrows(old.Type, *op.Type) {
					add("narrows %q.%q from %s to %s: longer or larger values fail or are cut", op.Table, op.ColName, old.Type.Spec(), op.Type.Spec())
				}
				if op.Nullable != nil && !*op.Nullable && old.Nullable {
					if n := m.countNulls(ctx, op.Table, op.ColName); n > 0 {
						add("sets NOT NULL on %q.%q, which holds %d NULL(s): it fails", op.Table, op.ColName, n)
					}
				}
			case OpCreateIndex:
				if m.Dialect == Postgres && !st.rev.NonTransactional {
					if n := rows(op.Table); n > opts.LargeTableRows {
						add("builds index %q on %q (more than %d rows) inside a transaction, blocking writes while it builds; use CREATE INDEX CONCURRENTLY in an execute op of a transactional: false revision", op.Name, op.Table, opts.LargeTableRows)
					}
				}
			}
			state = st.after[i]
		}
	}
	return out, nil
}

// stepIsFirstFor: row counts describe the database before the run, so they apply to the
// first pending step; later steps see tables those steps may have changed.
func stepIsFirstFor(steps []step, st step) bool { return len(steps) > 0 && steps[0].rev == st.rev }

func rowNote(n int64) string {
	if n > 0 {
		return fmt.Sprintf(" (%d+ rows)", n)
	}
	return ""
}

// countRows counts up to limit rows of table (-1 when it cannot).
func (m *Runner) countRows(ctx context.Context, table string, limit int64) int64 {
	var n int64
	q := fmt.Sprintf("SELECT count(*) FROM (SELECT 1 FROM %s LIMIT %d) s", m.q(table), limit)
	if err := m.DB.QueryRowContext(ctx, q).Scan(&n); err != nil {
		return -1
	}
	return n
}

func (m *Runner) countNulls(ctx context.Context, table, col string) int64 {
	var n int64
	q := fmt.Sprintf("SELECT count(*) FROM %s WHERE %s IS NULL", m.q(table), m.q(col))
	if err := m.DB.QueryRowContext(ctx, q).Scan(&n); err != nil {
		return 0
	}
	return n
}

// narrows reports whether a change from type a to b can lose or reject existing values.
func narrows(a, b schema.Type) bool {
	rank := map[schema.Kind]int{schema.SmallInt: 1, schema.Integer: 2, schema.BigInteger: 3, schema.Numeric: 4, schema.Float: 5}
	switch {
	case a.Kind == schema.String && b.Kind == schema.String:
		return b.Length < a.Length
	case a.Kind == schema.Text && b.Kind == schema.String:
		return true
	case rank[a.Kind] > 0 && rank[b.Kind] > 0:
		return rank[b.Kind] < rank[a.Kind]
	case a.Kind != b.Kind && b.Kind != schema.Text && !(b.Kind == schema.String && b.Length >= 20):
		return true // e.g. text to integer, datetime to date
	}
	return false
}
