package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/microblog/microblog/migrate/dialect"
	"github.com/microblog/microblog/migrate/schema"
)

// ProgressTable records how far a non-transactional step got: MySQL commits every DDL
// statement by itself, so a run that dies half-way through a revision must know, when
// it runs again, which statements are done. The row goes when the step completes.
const ProgressTable = "migrate_progress"

func (m *Runner) ensureProgressTable(ctx context.Context, q querier) error {
	stmt := fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
	revision VARCHAR(32) NOT NULL,
	direction VARCHAR(9) NOT NULL,
	checksum VARCHAR(64) NOT NULL,
	done INTEGER NOT NULL,
	CONSTRAINT migrate_progress_pk PRIMARY KEY (revision)
)`, m.q(ProgressTable))
	if _, err := q.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("migrate: create %s: %w", ProgressTable, err)
	}
	return nil
}

// runResumable runs a step's schema statements one by one, recording progress after
// each, and on a rerun resumes where the last run stopped.
func (m *Runner) runResumable(ctx context.Context, conn *sql.Conn, st step) error {
	if err := m.ensureProgressTable(ctx, conn); err != nil {
		return err
	}
	dir := "upgrade"
	if !st.upgrade {
		dir = "downgrade"
	}
	type stmtAt struct {
		sql  string
		op   int
		last bool // last statement of its op
	}
	var stmts []stmtAt
	for i, p := range st.plans {
		for j, s := range p.Statements {
			stmts = append(stmts, stmtAt{s, i, j == len(p.Statements)-1})
		}
	}
	start := 0
	var done int
	var sum, recordedDir string
	err := conn.QueryRowContext(ctx, fmt.Sprintf("SELECT done, checksum, direction FROM %s WHERE revision = '%s'", m.q(ProgressTable), st.rev.ID)).Scan(&done, &sum, &recordedDir)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s (revision, direction, checksum, done) VALUES ('%s', '%s', '%s', 0)", m.q(ProgressTable), st.rev.ID, dir, st.rev.Checksum)); err != nil {
			return err
		}
	case err != nil:
		return err
	case recordedDir != dir:
		return fmt.Errorf("an interrupted %s of this revision ran %d statement(s); finish it first (run the %s again)", recordedDir, done, recordedDir)
	case sum != st.rev.Checksum:
		return fmt.Errorf("an interrupted run applied %d of its %d statement(s), and the file has changed since: restore the file as it was, or repair the database by hand and delete its row from %s", done, len(stmts), ProgressTable)
	default:
		m.notify(Notice{Kind: NoticeResume, Revision: st.rev.ID, Down: st.rev.Down, Message: st.rev.Message,
			Upgrade: st.upgrade, Statement: done + 1, Statements: len(stmts)})
		start = done
		// The statement after the last recorded one may have run before the process died.
		if start < len(stmts) {
			skip, err := m.alreadyRan(ctx, st, stmts[start].op, stmts[start].sql)
			if err != nil {
				return err
			}
			switch skip {
			case skipOp:
				for op := stmts[start].op; start < len(stmts) && stmts[start].op == op; start++ {
				}
			case skipStatement:
				start++
			}
			// Record the skip before anything else runs: otherwise a run killed after its
			// next statement leaves two unrecorded statements, and only the first would
			// be checked on the following resume (issue 13, defect 11).
			if start != done {
				if _, err := conn.ExecContext(ctx, fmt.Sprintf("UPDATE %s SET done = %d WHERE revision = '%s'", m.q(ProgressTable), start, st.rev.ID)); err != nil {
					return err
				}
			}
		}
	}
	for i := start; i < len(stmts); i++ {
		if i == 0 || stmts[i-1].op != stmts[i].op {
			if err := m.checkGuards(ctx, conn, st, stmts[i].op, false); err != nil {
				if i > 0 {
					return fmt.Errorf("%w\n  (statements 1 to %d of this revision are applied; fix the rows and run again to resume)", err, i)
				}
				return err
			}
		}
		if m.Trace != nil {
			m.Trace(stmts[i].sql)
		}
		if _, err := conn.ExecContext(ctx, stmts[i].sql); err != nil {
			applied := make([]string, i)
			for j := range applied {
				applied[j] = firstLine(stmts[j].sql)
			}
			return &partialError{applied: applied, total: len(stmts), err: fmt.Errorf("%w\n  in: %s", err, firstLine(stmts[i].sql))}
		}
		if m.Executed != nil {
			m.Executed(stmts[i].sql)
		}
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("UPDATE %s SET done = %d WHERE revision = '%s'", m.q(ProgressTable), i+1, st.rev.ID)); err != nil {
			return err
		}
	}
	return nil
}

type skipKind int

const (
	skipNothing   skipKind = iota
	skipStatement          // this statement ran; continue with the next
	skipOp                 // the whole op shows as done
)

// alreadyRan decides whether the first unrecorded statement (of op i) ran before the
// last run died, by looking at the live schema: if the tables op i touches already look
// as they should after it, the rest of the op is skipped.
func (m *Runner) alreadyRan(ctx context.Context, st step, i int, stmt string) (skipKind, error) {
	before := st.before
	if i > 0 {
		before = st.after[i-1]
	}
	after := st.after[i]
	live, err := m.inspectManaged(ctx)
	if err != nil {
		return skipNothing, err
	}
	tables := touched(before, after, m.impl())
	if len(tables) == 0 {
		return skipNothing, nil // an execute op: its effect cannot be seen; it runs again
	}
	if sameTables(live, after, tables, m.impl()) && !sameTables(live, before, tables, m.impl()) {
		return skipOp, nil
	}
	// MySQL drops a foreign key in two statements (the constraint, then the index InnoDB
	// made for it); if the constraint is gone, the first one ran.
	ops := st.rev.Upgrade
	if !st.upgrade {
		ops = st.rev.Downgrade
	}
	if op := ops[i]; op.Kind == OpDropConstraint && strings.Contains(stmt, "DROP FOREIGN KEY") {
		if t := live.Table(op.Table); t != nil && findFK(t, op.Name) == nil {
			return skipStatement, nil
		}
	}
	return skipNothing, nil
}

// touched lists the tables whose definition, as d reads it back, differs between two
// schemas.
func touched(a, b *schema.Schema, d dialect.Dialect) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range []*schema.Schema{a, b} {
		for _, t := range s.Tables {
			if seen[t.Name] {
				continue
			}
			seen[t.Name] = true
			if tableKey(a.Table(t.Name), d) != tableKey(b.Table(t.Name), d) {
				out = append(out, t.Name)
			}
		}
	}
	return out
}

func sameTables(x, y *schema.Schema, names []string, d dialect.Dialect) bool {
	for _, n := range names {
		if tableKey(x.Table(n), d) != tableKey(y.Table(n), d) {
			return false
		}
	}
	return true
}

// tableKey is a comparable rendering of a table as a database reports it back: unique
// constraints as unique indexes where the dialect reports them so (MySQL), columns in any
// order where it cannot place them (PostgreSQL), no primary-key name, defaults by presence.
func tableKey(t *schema.Table, d dialect.Dialect) string {
	if t == nil {
		return "-"
	}
	var cols []string
	for _, c := range t.Columns {
		cols = append(cols, fmt.Sprintf("c:%s:%s:%v:%v;", c.Name, liveSpec(c, d), c.Nullable, c.Default != nil))
	}
	if !d.Quirks().PlacesColumns {
		slices.Sort(cols) // the column order is not compared
	}
	s := strings.Join(cols, "")
	var parts []string
	for _, ix := range t.Indexes {
		parts = append(parts, fmt.Sprintf("i:%s:%v:%v:%v:%v", ix.Name, ix.Columns, ix.Unique, ix.Desc, ix.Where != ""))
	}
	for _, u := range t.Uniques {
		if d.Quirks().UniquesAsIndexes {
			parts = append(parts, fmt.Sprintf("i:%s:%v:true:[]:false", u.Name, u.Columns)) // as an index would read
		} else {
			parts = append(parts, fmt.Sprintf("u:%s:%v", u.Name, u.Columns))
		}
	}
	for _, fk := range t.ForeignKeys {
		// By definition, not name: a database made by Flask-Migrate has unnamed keys
		// (PostgreSQL calls them post_user_id_fkey, MySQL post_ibfk_1).
		parts = append(parts, fmt.Sprintf("f:%v:%s:%v:%s:%s", fk.Columns, fk.RefTable, fk.RefColumns, d.LiveFKRule(fk.OnDelete), d.LiveFKRule(fk.OnUpdate)))
	}
	for _, c := range t.Checks {
		parts = append(parts, "k:"+c.Name)
	}
	slices.Sort(parts)
	for _, p := range parts {
		s += p + ";"
	}
	return s
}
