package migrate

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/microblog/microblog/migrate/dialect"
	"github.com/microblog/microblog/migrate/schema"
)

// Finding is one lint warning (or note) about a revision.
type Finding struct {
	Path string
	Line int
	Op   string
	Msg  string
	// Downgrade marks a finding about a revision's downgrade.
	Downgrade bool
	// Note marks a finding that loses nothing but is worth knowing (db lint prints it
	// and does not fail for it).
	Note bool
}

func (f Finding) String() string {
	dir := ""
	if f.Downgrade {
		dir = "downgrade: "
	}
	return fmt.Sprintf("%s:%d: %s%s: %s", f.Path, f.Line, dir, f.Op, f.Msg)
}

// LintOptions tune Lint.
type LintOptions struct {
	// LargeTableRows is the row count from which a PostgreSQL index build inside a
	// transaction is reported as locking (default 100,000); rows are counted up to it.
	LargeTableRows int64
	// Downgrade, when set, lints the downgrade from the database's current revisions to
	// this target ("-1", "base", a revision) instead of the pending revisions, with the
	// rows it would lose or stop at counted in the live database.
	Downgrade string
}

// Lint reports destructive or locking operations in the revisions not yet applied to the
// database, both ways: their upgrades, and the downgrades that would take them back.
// With LintOptions.Downgrade it reports on the downgrade to that target instead. It names
// dropped tables and columns, narrowing type changes (length, range, precision, casts
// such as text to integer), NOT NULL columns added or set where rows would break them,
// columns whose non-constant default fills existing rows with the time of the run, and
// index builds that block writes to large PostgreSQL tables. Where the database holds
// the rows an op would read as they will be when it runs, the finding says how many rows
// would be lost or would stop the run.
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
	if opts.Downgrade != "" {
		goal, err := m.Repo.Resolve(opts.Downgrade, current)
		if err != nil {
			return nil, err
		}
		steps, err := m.planDowngrade(current, goal)
		if err != nil {
			return nil, err
		}
		return m.lintSteps(ctx, opts, steps, nil, nil), nil
	}
	steps, err := m.planUpgrade(current, m.Repo.Heads())
	if err != nil {
		return nil, err
	}
	out := m.lintSteps(ctx, opts, steps, nil, nil)
	// Each pending revision's downgrade, as it would run after the upgrade: its rows can
	// be counted where the upgrade leaves them as they are now.
	var ran []*Op
	for _, st := range steps {
		ran = append(ran, stepOps(st)...)
		if len(st.rev.Squashes) > 0 {
			continue // a squash is never downgraded as such
		}
		state, err := m.Repo.SchemaAt(st.rev.ID)
		if err != nil {
			return nil, err
		}
		before := state.Clone()
		plans, after, err := m.plan(state, st.rev, st.rev.Downgrade)
		if err != nil {
			return nil, err
		}
		down := step{rev: st.rev, plans: plans, before: before, after: after}
		out = append(out, m.lintSteps(ctx, opts, []step{down}, ran, st.before)...)
	}
	return out, nil
}

// lintSteps lints the ops of steps run in order after the ops prior. For the downgrade
// of a pending revision, upBefore is the schema before its upgrade.
func (m *Runner) lintSteps(ctx context.Context, opts LintOptions, steps []step, prior []*Op, upBefore *schema.Schema) []Finding {
	var out []Finding
	earlier := slices.Clone(prior)
	for _, st := range steps {
		state := st.before
		for i, op := range stepOps(st) {
			l := opLint{m: m, ctx: ctx, opts: opts, st: st, op: op, plan: st.plans[i], state: state, earlier: earlier, upBefore: upBefore}
			out = append(out, l.findings()...)
			state = st.after[i]
			earlier = append(earlier, op)
		}
	}
	return out
}

// opLint lints one op.
type opLint struct {
	m       *Runner
	ctx     context.Context
	opts    LintOptions
	st      step
	op      *Op
	plan    Plan
	state   *schema.Schema // before the op
	earlier []*Op          // the ops that run before it
	// upBefore, for the downgrade of a pending revision, is the schema before its upgrade:
	// what the downgrade drops and that schema lacks, the revision itself adds.
	upBefore *schema.Schema
	out      []Finding
}

// addedByRevision reports whether a pending revision's downgrade drops a table (column
// "") or column that the revision's own upgrade adds: losing what was written since is
// what taking such a revision back means, so it is a note, not a warning.
func (l *opLint) addedByRevision(table, column string) bool {
	if l.upBefore == nil {
		return false
	}
	t := l.upBefore.Table(table)
	return t == nil || column != "" && t.Column(column) == nil
}

func (l *opLint) add(note bool, format string, args ...any) {
	l.out = append(l.out, Finding{Path: l.st.rev.Path, Line: l.op.Line, Op: l.op.Kind, Msg: fmt.Sprintf(format, args...), Downgrade: !l.st.upgrade, Note: note})
}

// countable reports whether the database holds table (and column) as the op will find
// them: the table exists before the op and no earlier op of the run changes its rows.
func (l *opLint) countable(table, column string) bool {
	t := l.state.Table(table)
	if t == nil || column != "" && t.Column(column) == nil {
		return false
	}
	return settled(l.earlier, table, column)
}

// rows counts table's rows up to the large-table limit (-1 when not countable).
func (l *opLint) rows(table string) int64 {
	if !l.countable(table, "") {
		return -1
	}
	return l.m.countRows(l.ctx, table, l.opts.LargeTableRows+1)
}

// rowsNote says how many rows n is: " (2 rows)", " (more than 100000 rows)", "" when unknown.
func (l *opLint) rowsNote(n int64) string {
	switch {
	case n < 0:
		return ""
	case n > l.opts.LargeTableRows:
		return fmt.Sprintf(" (more than %d %s)", l.opts.LargeTableRows, plural(l.opts.LargeTableRows, "row", "rows"))
	case n == 1:
		return " (1 row)"
	}
	return fmt.Sprintf(" (%d rows)", n)
}

func (l *opLint) verb() string {
	if l.st.upgrade {
		return "upgrade"
	}
	return "downgrade"
}

func (l *opLint) findings() []Finding {
	op, m := l.op, l.m
	switch op.Kind {
	case OpDropTable:
		if l.addedByRevision(op.Name, "") {
			l.add(true, "drops table %q, which this revision creates: rows written after the upgrade are lost", op.Name)
			break
		}
		l.add(false, "drops table %q%s (its data is lost)", op.Name, l.rowsNote(l.rows(op.Name)))
	case OpDropColumn:
		if l.addedByRevision(op.Table, op.ColName) {
			l.add(true, "drops column %q.%q, which this revision adds: values written after the upgrade are lost", op.Table, op.ColName)
			break
		}
		note := ""
		if l.countable(op.Table, op.ColName) {
			where := m.q(op.ColName) + " IS NOT NULL"
			if n, err := (&Guard{Table: op.Table, Where: where, Subject: op.Table}).count(l.ctx, m.DB, m.impl()); err == nil {
				note = fmt.Sprintf(" (%d row(s) hold a value in it)", n)
			}
		}
		l.add(false, "drops column %q.%q%s (its data is lost)", op.Table, op.ColName, note)
	case OpAddColumn:
		l.addColumn()
	case OpAlterColumn:
		if msg := keyColumnRetyped(l.state, op); msg != "" {
			l.add(false, "%s", msg)
		}
		l.alterColumn()
	case OpCreateIndex:
		if m.impl().Quirks().IndexBuildBlocksWrites && !l.st.rev.NonTransactional {
			if n := l.rows(op.Table); n > l.opts.LargeTableRows {
				l.add(false, "builds index %q on %q (more than %d rows) inside a transaction, blocking writes while it builds; use CREATE INDEX CONCURRENTLY in an execute op of a transactional: false revision", op.Name, op.Table, l.opts.LargeTableRows)
			}
		}
	}
	return l.out
}

// addColumn: a NOT NULL column without a default stops the run on a table with rows (the
// guard), and what each database would have done without it; a non-constant default
// fills existing rows with the time of the run.
func (l *opLint) addColumn() {
	op, c := l.op, l.op.Column
	n := l.rows(op.Table)
	if n == 0 {
		return
	}
	if !c.Nullable && c.Default == nil && !c.AutoIncrement && n > 0 {
		would := l.m.impl().Quirks().NotNullWithoutDefault
		l.add(false, "adds NOT NULL column %q without a default to a table with rows%s: the %s stops before it (%s); add it nullable, fill it, then set NOT NULL (db migrate --default %s.%s=VALUE writes those steps), or give it a default",
			c.Name, l.rowsNote(n), l.verb(), would, op.Table, c.Name)
		return
	}
	if c.Default != nil && !dialect.ConstantDefault(*c.Default) {
		rows := "a table that may have rows"
		if n > 0 {
			rows = "a table with rows" + l.rowsNote(n)
		}
		get := "get its value as computed during the " + l.verb()
		if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(*c.Default)), "CURRENT_") {
			get = "get the time of the " + l.verb()
		}
		rebuilt := l.m.impl().Quirks().NonConstantDefault
		l.add(true, "adds %q.%q with the default %s to %s: existing rows %s%s", op.Table, c.Name, *c.Default, rows, get, rebuilt)
	}
}

// alterColumn: type changes that could cut, round or reject values, and NOT NULL over
// NULLs, with the rows in the way counted where they can be.
func (l *opLint) alterColumn() {
	op := l.op
	t := l.state.Table(op.Table)
	old := t.Column(op.ColName)
	countable := l.countable(op.Table, op.ColName)
	for _, g := range l.plan.Guards {
		switch g.kind {
		case guardType:
			now := "not counted: the run changes these rows before"
			if countable {
				if n, err := g.count(l.ctx, l.m.DB, l.m.impl()); err == nil {
					now = fmt.Sprintf("%d row(s) now", n)
				}
			}
			l.add(false, "narrows %q.%q from %s to %s: the %s stops before the change if any rows %s (%s)", op.Table, op.ColName, old.Type.Spec(), op.Type.Spec(), l.verb(), g.Problem, now)
		case guardNull:
			if countable {
				if n, err := g.count(l.ctx, l.m.DB, l.m.impl()); err == nil && n > 0 {
					l.add(false, "sets NOT NULL on %q.%q, which holds %d NULL(s): the %s stops before it", op.Table, op.ColName, n, l.verb())
				}
			}
		}
	}
	if op.Type != nil && narrows(old.Type, *op.Type) && !slices.ContainsFunc(l.plan.Guards, func(g *Guard) bool { return g.kind == guardType }) {
		what := "values that do not convert make the " + l.verb() + " fail"
		if note := l.m.impl().Quirks().UnenforcedTypes; note != "" {
			what = note
		}
		l.add(false, "changes %q.%q from %s to %s: %s", op.Table, op.ColName, old.Type.Spec(), op.Type.Spec(), what)
	}
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
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
