package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/microblog/microblog/migrate/dialect"
	"github.com/microblog/microblog/migrate/schema"
)

// VersionTable is Alembic's: a database upgraded by Flask-Migrate is recognised as is.
const VersionTable = "alembic_version"

// Runner applies a repository's revisions to one database.
type Runner struct {
	DB      *sql.DB
	Dialect string // the dialect's name: "sqlite", "postgres", "mysql", or Impl's
	// Impl is the dialect's implementation; nil for the built-in one named Dialect.
	Impl dialect.Dialect
	Repo *Repo
	// Notify, when set, is told what the run does as it goes (Notice): package
	// migratecmd prints Alembic's INFO lines from it.
	Notify func(Notice)
	// AllowEdited lets Upgrade proceed when a revision file changed after it was applied.
	AllowEdited bool
	// Trace, when set, sees every schema and version statement an online run executes
	// (the same ones Script prints), just before it runs.
	Trace func(stmt string)
	// Executed, when set, is told each time a statement of a non-transactional step has
	// run, before the run records its progress: with Trace, an observer sees such a
	// statement before and after it runs (auditing, or stopping the process at the one
	// moment when a statement has run and is not recorded yet, to check that a resumed
	// run finds it).
	Executed func(stmt string)
	// observe, when set, is told when each step starts and once it is committed (the
	// Provider builds its typed results and progress events from it).
	observe *observer
}

// observer receives a run's steps: i counts from 0 among n steps of this plan.
type observer struct {
	start func(st step, i, n int)
	done  func(st step, i, n int, took time.Duration)
}

// step is one revision applied in one direction, with its SQL planned in advance.
type step struct {
	rev      *Revision
	upgrade  bool
	plans    []Plan
	before   *schema.Schema   // schema before the step
	after    []*schema.Schema // schema after each op, for resuming a non-transactional step
	from, to []string         // version rows before and after
}

func (m *Runner) context() {
	q := m.impl().Quirks()
	m.notify(Notice{Kind: NoticeContext, Impl: q.AlembicImpl, TransactionalDDL: q.TransactionalDDL})
}

// Current returns the revisions recorded in the version table (none at base, or when the
// table does not exist yet).
func (m *Runner) Current(ctx context.Context) ([]string, error) {
	conn, err := m.DB.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	return m.currentOn(ctx, conn)
}

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (m *Runner) currentOn(ctx context.Context, q querier) ([]string, error) {
	exists, err := m.versionTableExists(ctx, q)
	if err != nil || !exists {
		return nil, err
	}
	return m.versionsOn(ctx, q)
}

// versionsOn reads the version table, which must exist (currentOn also looks for it).
func (m *Runner) versionsOn(ctx context.Context, q querier) ([]string, error) {
	rows, err := q.QueryContext(ctx, "SELECT version_num FROM "+m.q(VersionTable))
	if err != nil {
		return nil, fmt.Errorf("migrate: read %s: %w", VersionTable, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("migrate: read %s: %w", VersionTable, err)
		}
		out = append(out, v)
	}
	slices.Sort(out)
	return out, rows.Err()
}

func (m *Runner) q(name string) string { return m.impl().Quote(name) }

func (m *Runner) versionTableExists(ctx context.Context, q querier) (bool, error) {
	return m.tableExists(ctx, q, VersionTable)
}

func (m *Runner) tableExists(ctx context.Context, q querier, table string) (bool, error) {
	d := m.impl()
	if d == nil {
		return false, fmt.Errorf("migrate: unknown dialect %q", m.Dialect)
	}
	query := d.TableExistsQuery(table)
	var n int
	if err := q.QueryRowContext(ctx, query).Scan(&n); err != nil {
		return false, fmt.Errorf("migrate: look for %s: %w", table, err)
	}
	return n > 0, nil
}

// known checks that every current revision exists in the repository.
func (m *Runner) known(current []string) error {
	for _, c := range current {
		if _, ok := m.Repo.Revisions[c]; !ok {
			return &UnknownRevisionError{ID: c, Recorded: true, Dir: m.Repo.Dir}
		}
	}
	return nil
}

// Upgrade applies the revisions between the current ones and target.
func (m *Runner) Upgrade(ctx context.Context, target string) error {
	return m.migrate(ctx, target, true)
}

// Downgrade reverts the revisions between the current ones and target (default -1).
func (m *Runner) Downgrade(ctx context.Context, target string) error {
	return m.migrate(ctx, target, false)
}

// errVersionMoved says another process changed the version table between planning and
// running a revision (SQLite, which has no session lock); the run plans again.
var errVersionMoved = errors.New("the version table changed under this run")

// migrate runs under the migration lock, on one connection: it reads the version table
// only once it holds the lock, so concurrent runners apply each revision exactly once.
func (m *Runner) migrate(ctx context.Context, target string, up bool) error {
	conn, err := m.DB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if m.impl() == nil {
		return fmt.Errorf("migrate: unknown dialect %q", m.Dialect)
	}
	unlock, err := m.lock(ctx, conn)
	if err != nil {
		return err
	}
	defer unlock()
	restore, err := m.impl().Session(ctx, conn)
	if err != nil {
		return err
	}
	defer restore()
	if err := m.ensureTables(ctx, conn); err != nil {
		return err
	}
	current, err := m.currentOn(ctx, conn)
	if err != nil {
		return err
	}
	if err := m.known(current); err != nil {
		return err
	}
	// Resolve once: a relative target (-1) means relative to where the database was when
	// this run began, even if the run has to plan again.
	goal, err := m.Repo.Resolve(target, current)
	if err != nil {
		return err
	}
	if up && !m.AllowEdited {
		if err := m.checkEdited(ctx, conn, current); err != nil {
			return err
		}
	}
	announced := false
	for {
		var steps []step
		if up {
			steps, err = m.planUpgrade(current, goal)
		} else {
			steps, err = m.planDowngrade(current, goal)
		}
		if err != nil {
			return err
		}
		if !announced {
			m.context()
			announced = true
			if err := m.preflight(ctx, conn, steps); err != nil {
				return err
			}
		}
		err = m.run(ctx, conn, steps)
		if !errors.Is(err, errVersionMoved) {
			return err
		}
		if current, err = m.currentOn(ctx, conn); err != nil {
			return err
		}
	}
}

// planUpgrade renders every statement before anything runs, so that a bad revision
// stops the run before it touches the database.
func (m *Runner) planUpgrade(current, goal []string) ([]step, error) {
	have := m.Repo.Ancestors(current...)
	want := m.Repo.Ancestors(goal...)
	heads := slices.Clone(current)
	var steps []step
	// A new database takes the longest squash whose whole run it needs, in one step.
	if len(current) == 0 {
		var best *Revision
		for _, sq := range m.Repo.Squashed {
			if want[sq.Squashes[len(sq.Squashes)-1]] && (best == nil || len(sq.Squashes) > len(best.Squashes)) {
				best = sq
			}
		}
		if best != nil {
			last := best.Squashes[len(best.Squashes)-1]
			plans, after, err := m.plan(&schema.Schema{}, best, best.Upgrade)
			if err != nil {
				return nil, err
			}
			steps = append(steps, step{rev: best, upgrade: true, plans: plans, before: &schema.Schema{}, after: after, to: []string{last}})
			heads = []string{last}
			have = m.Repo.Ancestors(last)
		}
	}
	// The schema after each planned revision: in a chain, the next revision starts from
	// it instead of replaying the whole history again.
	reached := map[string]*schema.Schema{}
	for _, rev := range m.Repo.Ordered() {
		if !want[rev.ID] || have[rev.ID] {
			continue
		}
		parents := rev.parents()
		before := reached[firstOf(parents)]
		if len(parents) != 1 || before == nil {
			var err error
			if before, err = m.Repo.SchemaAt(parents...); err != nil {
				return nil, err
			}
		}
		plans, after, err := m.plan(before, rev, rev.Upgrade)
		if err != nil {
			return nil, err
		}
		if len(after) > 0 {
			reached[rev.ID] = after[len(after)-1]
		} else {
			reached[rev.ID] = before
		}
		next := slices.DeleteFunc(slices.Clone(heads), func(h string) bool { return slices.Contains(rev.Down, h) })
		next = append(next, rev.ID)
		slices.Sort(next)
		steps = append(steps, step{rev: rev, upgrade: true, plans: plans, before: before, after: after, from: heads, to: next})
		heads = next
	}
	return steps, nil
}

func (m *Runner) planDowngrade(current, goal []string) ([]step, error) {
	have := m.Repo.Ancestors(current...)
	keep := m.Repo.Ancestors(goal...)
	for _, g := range goal {
		if !have[g] {
			return nil, fmt.Errorf("revision %s is not below the current revision(s) %s; use upgrade", g, strings.Join(current, ", "))
		}
	}
	heads := slices.Clone(current)
	var steps []step
	order := m.Repo.Ordered()
	for i := len(order) - 1; i >= 0; i-- {
		rev := order[i]
		if !have[rev.ID] || keep[rev.ID] {
			continue
		}
		before, err := m.Repo.SchemaAt(rev.ID)
		if err != nil {
			return nil, err
		}
		plans, after, err := m.plan(before, rev, rev.Downgrade)
		if err != nil {
			return nil, err
		}
		next := slices.DeleteFunc(slices.Clone(heads), func(h string) bool { return h == rev.ID })
		for _, d := range rev.Down {
			if !slices.Contains(next, d) && !m.coveredBy(d, next) {
				next = append(next, d)
			}
		}
		slices.Sort(next)
		steps = append(steps, step{rev: rev, upgrade: false, plans: plans, before: before, after: after, from: heads, to: next})
		heads = next
	}
	return steps, nil
}

// coveredBy reports whether id is an ancestor of one of heads (so it needs no row).
func (m *Runner) coveredBy(id string, heads []string) bool {
	return m.Repo.Ancestors(heads...)[id]
}

// plan renders ops one after another, each on the schema the ops before it left, and
// returns the plans and the schema after each op. state is not changed; the schemas
// returned share the tables an op leaves alone, and nobody may change them.
func (m *Runner) plan(state *schema.Schema, rev *Revision, ops []*Op) ([]Plan, []*schema.Schema, error) {
	plans := make([]Plan, 0, len(ops))
	after := make([]*schema.Schema, 0, len(ops))
	for _, op := range ops {
		p, next, err := m.renderOp(state, op)
		if err != nil {
			return nil, nil, &fileError{path: rev.Path, line: op.Line, msg: err.Error(), err: err}
		}
		plans = append(plans, p)
		after = append(after, next)
		state = next
	}
	return plans, after, nil
}

// renderOp renders op with the Runner's dialect.
func (m *Runner) renderOp(before *schema.Schema, op *Op) (Plan, *schema.Schema, error) {
	d := m.impl()
	if d == nil {
		return Plan{}, nil, errUnknownDialect(m.Dialect)
	}
	return renderOp(d, before, op)
}

func firstOf(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}

// run executes the steps, each revision in its own transaction together with its
// version-table update and history row (SQLite, PostgreSQL). MySQL commits each DDL
// statement itself.
func (m *Runner) run(ctx context.Context, conn *sql.Conn, steps []step) error {
	for i, st := range steps {
		began := time.Now()
		if m.observe != nil {
			m.observe.start(st, i, len(steps))
		}
		if err := m.runStep(ctx, conn, st); err != nil {
			if errors.Is(err, errVersionMoved) {
				return err
			}
			verb := "upgrade"
			if !st.upgrade {
				verb = "downgrade"
			}
			if pe := (*partialError)(nil); errors.As(err, &pe) {
				return &messageError{msg: partialMessage(verb, st.rev.ID, st.rev.Path, pe), err: pe.err}
			}
			return fmt.Errorf("%s %s (%s) failed, nothing of it was applied: %w", verb, st.rev.ID, st.rev.Path, err)
		}
		if m.observe != nil {
			m.observe.done(st, i, len(steps), time.Since(began))
		}
	}
	return nil
}

func (m *Runner) runStep(ctx context.Context, conn *sql.Conn, st step) (err error) {
	rebuild := false
	for _, p := range st.plans {
		rebuild = rebuild || p.Rebuild
	}
	if rebuild {
		// Must happen outside a transaction, where SQLite ignores it.
		if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys=OFF"); err != nil {
			return err
		}
		defer func() {
			if _, e := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys=ON"); e != nil && err == nil {
				err = e
			}
		}()
	}
	var ex querier = conn
	var tx *sql.Tx
	if m.impl().Quirks().TransactionalDDL && !st.rev.NonTransactional {
		tx, err = conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer func() {
			if err != nil {
				tx.Rollback()
			}
		}()
		ex = tx
	}
	if !m.impl().Quirks().SessionLock && tx != nil {
		// No session lock (SQLite): check, under this transaction's write lock, that
		// nobody moved the version table since this step was planned. The table exists:
		// this run created it if it was missing.
		now, err := m.versionsOn(ctx, tx)
		if err != nil {
			return err
		}
		if !slices.Equal(now, st.from) {
			return errVersionMoved
		}
	}
	kind := NoticeDowngrade
	if st.upgrade {
		kind = NoticeUpgrade
	}
	m.notify(Notice{Kind: kind, Revision: st.rev.ID, Down: st.rev.Down, Message: st.rev.Message})
	if err := m.checkStep(ctx, ex, st); err != nil {
		return err
	}
	started := time.Now()
	if tx == nil {
		// Without a transaction (MySQL, transactional: false) each statement commits on
		// its own: record progress after each, so that a run killed half-way resumes.
		if err := m.runResumable(ctx, conn, st); err != nil {
			return err
		}
		if tx, err = conn.BeginTx(ctx, nil); err != nil {
			return err
		}
		ex = tx
		for _, stmt := range m.versionStatements(st) {
			if m.Trace != nil {
				m.Trace(stmt)
			}
			if _, err := ex.ExecContext(ctx, stmt); err != nil {
				return err
			}
		}
		if _, err := ex.ExecContext(ctx, fmt.Sprintf("DELETE FROM %s WHERE revision = '%s'", m.q(ProgressTable), st.rev.ID)); err != nil {
			return err
		}
	} else {
		guarded := guardedStatements(st)
		for i, stmt := range m.stepStatements(st) {
			if op, ok := guarded[i]; ok {
				if err := m.checkGuards(ctx, ex, st, op, true); err != nil {
					return err
				}
			}
			if m.Trace != nil {
				m.Trace(stmt)
			}
			if _, err := ex.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("%w\n  in: %s", err, firstLine(stmt))
			}
		}
	}
	if err := m.recordHistory(ctx, ex, st, time.Since(started)); err != nil {
		return err
	}
	if rebuild {
		rows, err := ex.QueryContext(ctx, "PRAGMA foreign_key_check")
		if err != nil {
			return err
		}
		bad := rows.Next()
		var table string
		if bad {
			rows.Scan(&table)
		}
		rows.Close()
		if bad {
			return fmt.Errorf("rows of table %q break a foreign key after the table rebuild", table)
		}
	}
	if tx != nil {
		return tx.Commit()
	}
	return nil
}

// stepStatements is the SQL of one step inside its transaction: the revision's
// statements, then the version-table update. Online runs and offline scripts share it.
func (m *Runner) stepStatements(st step) []string {
	var out []string
	for _, p := range st.plans {
		out = append(out, p.Statements...)
	}
	return append(out, m.versionStatements(st)...)
}

// versionStatements move the version table from the step's revisions to its targets.
func (m *Runner) versionStatements(st step) []string {
	var out []string
	for _, v := range st.from {
		if !slices.Contains(st.to, v) {
			out = append(out, fmt.Sprintf("DELETE FROM %s WHERE version_num = '%s'", m.q(VersionTable), v))
		}
	}
	for _, v := range st.to {
		if !slices.Contains(st.from, v) {
			out = append(out, fmt.Sprintf("INSERT INTO %s (version_num) VALUES ('%s')", m.q(VersionTable), v))
		}
	}
	return out
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// Stamp records target as current without running any revision.
func (m *Runner) Stamp(ctx context.Context, target string) error {
	current, err := m.Current(ctx)
	if err != nil {
		return err
	}
	goal, err := m.Repo.Resolve(target, current)
	if err != nil {
		return err
	}
	create := fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))", m.q(VersionTable))
	tx, err := m.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: stamp: %w", err)
	}
	defer tx.Rollback()
	stmts := []string{create, "DELETE FROM " + m.q(VersionTable)}
	for _, g := range goal {
		stmts = append(stmts, fmt.Sprintf("INSERT INTO %s (version_num) VALUES ('%s')", m.q(VersionTable), g))
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("migrate: stamp: %w", err)
		}
	}
	m.notify(Notice{Kind: NoticeStamp, Stamped: goal})
	return tx.Commit()
}
