package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// Requirement is a require op rendered for one dialect: a query that finds the rows
// standing in the way of a revision (duplicates a new unique index would refuse, values
// a narrower column cannot hold, …). The revision is applied only when it finds none.
type Requirement struct {
	Query   string
	Message string   // what the rows are, e.g. "usernames that differ only in case"
	Fix     string   // how to resolve them
	Tables  []string // the tables the query reads; empty means "check only in place"
	Line    int      // of the op in its revision file
}

// maxShownRows bounds how many offending rows an error lists.
const maxShownRows = 20

// RequirementError reports the rows that keep a revision from being applied.
type RequirementError struct {
	Revision *Revision
	Req      *Requirement
	Columns  []string
	Rows     [][]string // at most maxShownRows
	More     int        // rows found beyond Rows
}

func (e *RequirementError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "revision %s (%s:%d) needs a change to the data first: %d row(s) of %s:",
		e.Revision.ID, e.Revision.Path, e.Req.Line, len(e.Rows)+e.More, e.Req.Message)
	for _, r := range e.Rows {
		parts := make([]string, len(r))
		for i, v := range r {
			parts[i] = e.Columns[i] + "=" + v
		}
		b.WriteString("\n    " + strings.Join(parts, " "))
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "\n    … and %d more", e.More)
	}
	if e.Req.Fix != "" {
		b.WriteString("\n  To resolve: " + e.Req.Fix)
	}
	return b.String()
}

// check runs the requirement's query and returns a *RequirementError when it finds rows.
func (req *Requirement) check(ctx context.Context, q querier, rev *Revision) error {
	rows, err := q.QueryContext(ctx, req.Query)
	if err != nil {
		return fmt.Errorf("revision %s (%s:%d): require: %w", rev.ID, rev.Path, req.Line, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return fmt.Errorf("revision %s: require: %w", rev.ID, err)
	}
	e := &RequirementError{Revision: rev, Req: req, Columns: cols}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if len(e.Rows) == maxShownRows {
			e.More++
			continue
		}
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("revision %s: require: %w", rev.ID, err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			switch {
			case v.Valid && isWholeNumber(v.String):
				row[i] = v.String
			case v.Valid:
				row[i] = strconv.Quote(v.String)
			default:
				row[i] = "NULL"
			}
		}
		e.Rows = append(e.Rows, row)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("revision %s: require: %w", rev.ID, err)
	}
	if len(e.Rows) > 0 {
		return e
	}
	return nil
}

// checkStep checks a step's requirements in place, before any of its statements runs
// (require ops come first in a revision), inside the step's transaction where it has one.
func (m *Runner) checkStep(ctx context.Context, q querier, st step) error {
	for _, p := range st.plans {
		if p.Require != nil {
			if err := p.Require.check(ctx, q, st.rev); err != nil {
				return err
			}
		}
	}
	return nil
}

// preflight checks, before the first step runs, the requirements of every planned step
// whose tables all exist already, and reports every one that fails: an upgrade that
// would stop at its fifth revision stops before the first instead, with the database
// unchanged. (Each step checks its requirements again in place, which also covers rows
// that the run's earlier revisions write.)
func (m *Runner) preflight(ctx context.Context, conn *sql.Conn, steps []step) error {
	var failed []error
	for _, st := range steps {
		for _, p := range st.plans {
			req := p.Require
			if req == nil || len(req.Tables) == 0 {
				continue
			}
			ready := true
			for _, t := range req.Tables {
				ok, err := m.tableExists(ctx, conn, t)
				if err != nil {
					return err
				}
				ready = ready && ok
			}
			if !ready {
				continue
			}
			if err := req.check(ctx, conn, st.rev); err != nil {
				failed = append(failed, err)
			}
		}
	}
	failed = append(failed, m.preflightGuards(ctx, conn, steps)...)
	if len(failed) == 0 {
		return nil
	}
	verb := "upgrade"
	if len(steps) > 0 && !steps[0].upgrade {
		verb = "downgrade"
	}
	return &refusedError{verb: verb, errs: failed}
}

func isWholeNumber(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

// refusedError lists every requirement and guard that keeps a run from starting; errors.Is
// and errors.As see each of them (a *GuardError, for one).
type refusedError struct {
	verb string
	errs []error
}

func (e *refusedError) Error() string {
	lines := make([]string, len(e.errs))
	for i, err := range e.errs {
		lines[i] = err.Error()
	}
	return fmt.Sprintf("%s refused before any change (the database is as it was):\n%s", e.verb, strings.Join(lines, "\n"))
}

func (e *refusedError) Unwrap() []error { return e.errs }
