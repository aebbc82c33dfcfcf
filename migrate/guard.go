package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/microblog/microblog/migrate/dialect"
	"github.com/microblog/microblog/migrate/schema"
)

// Guard is a check on the rows that must pass just before an op's statements run, for
// the ops that would otherwise fail half-way, or worse succeed by cutting, rounding or
// inventing values, when the table holds rows they do not suit:
//
//   - add_column of a NOT NULL column without a default, to a table with rows (SQLite and
//     PostgreSQL fail, MySQL/MariaDB fill the rows with 0, an empty string or a zero date);
//   - alter_column that narrows a type (length, range, precision, or a cast such as text to
//     integer) while some value would not fit: PostgreSQL's USING cast cuts varchar values
//     and rounds numbers, SQLite keeps values its type does not allow;
//   - alter_column to NOT NULL while the column holds NULLs.
//
// Guards are derived from the op by Render (they are not written in revision files).
// A run checks each guard whose rows no earlier statement of the run can change before
// its first revision starts, and every guard again in place (inside the revision's
// transaction where there is one; on MySQL just before the statement).
type Guard struct {
	Table   string
	Column  string   // the column whose values are checked; "" to count the table's rows
	Where   string   // SQL condition selecting the rows in the way; "" for every row
	Show    []string // columns listed for each such row: the primary key, then Column
	Subject string   // `"user"."about_me"` or `"user"`, for messages
	Problem string   // what the rows are: "are longer than 5 characters, which VARCHAR(5) cannot hold"
	Fix     string   // how to resolve it
	Op      string   // the op's kind
	Line    int      // the op's line in its revision file
	kind    guardKind
}

type guardKind int

const (
	guardRows guardKind = iota // add_column NOT NULL without a default: the table must be empty
	guardType                  // alter_column type: every value must fit the new type
	guardNull                  // alter_column NOT NULL: no NULLs
)

// GuardError reports the rows that keep an op from running.
type GuardError struct {
	Revision *Revision
	Guard    *Guard
	Count    int64
	Columns  []string
	Rows     [][]string // a sample, at most maxGuardSample
}

// maxGuardSample bounds the rows a guard error lists.
const maxGuardSample = 5

func (e *GuardError) Error() string {
	var b strings.Builder
	g := e.Guard
	fmt.Fprintf(&b, "revision %s (%s:%d): %s does not run: %d row(s) of %s %s:", e.Revision.ID, e.Revision.Path, g.Line, g.Op, e.Count, g.Subject, g.Problem)
	for _, r := range e.Rows {
		parts := make([]string, len(r))
		for i, v := range r {
			parts[i] = e.Columns[i] + "=" + v
		}
		b.WriteString("\n    " + strings.Join(parts, " "))
	}
	if n := e.Count - int64(len(e.Rows)); n > 0 {
		fmt.Fprintf(&b, "\n    … and %d more", n)
	}
	if g.Fix != "" {
		b.WriteString("\n  To resolve: " + g.Fix)
	}
	return b.String()
}

// guardsFor derives the guards of op on dialect, given the schema before it.
func guardsFor(d dialect.Dialect, before *schema.Schema, op *Op) []*Guard {
	if op.Kind != OpAddColumn && op.Kind != OpAlterColumn {
		return nil
	}
	t := before.Table(op.TableName())
	if t == nil {
		return nil
	}
	key := func(extra string) []string {
		var cols []string
		if t.PrimaryKey != nil {
			cols = append(cols, t.PrimaryKey.Columns...)
		}
		if extra != "" {
			cols = append(cols, extra)
		}
		return cols
	}
	subject := func(col string) string {
		if col == "" {
			return strconv.Quote(t.Name)
		}
		return strconv.Quote(t.Name) + "." + strconv.Quote(col)
	}
	switch op.Kind {
	case OpAddColumn:
		c := op.Column
		if c.Nullable || c.Default != nil || c.AutoIncrement {
			return nil
		}
		show := key("")
		if len(show) == 0 {
			show = []string{t.Columns[0].Name}
		}
		return []*Guard{{
			kind: guardRows, Table: t.Name, Show: show, Subject: subject(""), Op: op.Kind, Line: op.Line,
			Problem: fmt.Sprintf("would have no value for the new NOT NULL column %s, which has no default", subject(c.Name)),
			Fix: fmt.Sprintf("give %s a default, or add it nullable, fill it, then set NOT NULL (db migrate --default %s.%s=VALUE writes those three steps); or empty the table first",
				subject(c.Name), t.Name, c.Name),
		}}
	case OpAlterColumn:
		old := t.Column(op.ColName)
		if old == nil {
			return nil
		}
		var out []*Guard
		if op.Type != nil {
			if where, problem := misfit(d, d.Quote(old.Name), old.Type, *op.Type); where != "" {
				out = append(out, &Guard{
					kind: guardType, Table: t.Name, Column: old.Name, Where: where, Show: key(old.Name), Subject: subject(old.Name), Op: op.Kind, Line: op.Line,
					Problem: problem,
					Fix:     "change or clear those values first (by hand, or with an execute op before this one), or keep the column's type",
				})
			}
		}
		if op.Nullable != nil && !*op.Nullable && old.Nullable {
			out = append(out, &Guard{
				kind: guardNull, Table: t.Name, Column: old.Name, Where: d.Quote(old.Name) + " IS NULL", Show: key(old.Name), Subject: subject(old.Name), Op: op.Kind, Line: op.Line,
				Problem: "are NULL, which NOT NULL forbids",
				Fix:     fmt.Sprintf("fill them first (an execute op before this one; db migrate --default %s.%s=VALUE writes it), or keep the column nullable", t.Name, old.Name),
			})
		}
		return out
	}
	return nil
}

// Integer ranges of the portable integer kinds.
var intRange = map[schema.Kind][2]string{
	schema.SmallInt:   {"-32768", "32767"},
	schema.Integer:    {"-2147483648", "2147483647"},
	schema.BigInteger: {"-9223372036854775808", "9223372036854775807"},
}

// intDigits is the most characters a value of each integer kind takes as text.
var intDigits = map[schema.Kind]int{schema.SmallInt: 6, schema.Integer: 11, schema.BigInteger: 20}

// misfit returns the SQL condition that selects the values of col (quoted) that type to
// cannot hold as they are, and what such values are; "" when every value of type from
// fits (a widening, or a change whose failures the database reports by itself).
func misfit(g dialect.Dialect, col string, from, to schema.Type) (where, problem string) {
	name := g.Type(to)
	isText := func(k schema.Kind) bool { return k == schema.String || k == schema.Text }
	isExact := func(k schema.Kind) bool { _, ok := intRange[k]; return ok }
	switch {
	case from == to:
		return "", ""
	case to.Kind == schema.String:
		if from.Kind == schema.String && from.Length <= to.Length || isExact(from.Kind) && intDigits[from.Kind] <= to.Length {
			return "", ""
		}
		return fmt.Sprintf("%s > %d", g.Length(g.Text(col)), to.Length), fmt.Sprintf("are longer than %d characters, which %s cannot hold", to.Length, name)
	case isExact(to.Kind):
		lo, hi := intRange[to.Kind][0], intRange[to.Kind][1]
		rangeNote := fmt.Sprintf("the range of %s (%s to %s)", name, lo, hi)
		switch {
		case isExact(from.Kind):
			if intDigits[from.Kind] <= intDigits[to.Kind] {
				return "", ""
			}
			return fmt.Sprintf("(%s < %s OR %s > %s)", col, lo, col, hi), "are outside " + rangeNote
		case from.Kind == schema.Float || from.Kind == schema.Numeric:
			n := g.Number(col)
			return fmt.Sprintf("(%s <> ROUND(%s) OR %s < %s OR %s > %s)", n, n, n, lo, n, hi), "have a fraction, or are outside " + rangeNote
		case isText(from.Kind):
			return g.NotInteger(col, lo, hi), "are not an integer, or are outside " + rangeNote
		case from.Kind == schema.Boolean:
			return "", ""
		}
	case to.Kind == schema.Numeric:
		p, s := to.Precision, to.Scale
		if p == 0 {
			p = 10
		}
		if s > p {
			return "", "" // not a valid type; the database refuses it
		}
		limit := "1" + strings.Repeat("0", p-s)
		problem := fmt.Sprintf("have more than %d digit(s) before the point or more than %d after it, which %s cannot hold without cutting or rounding", p-s, s, name)
		switch {
		case isExact(from.Kind):
			if intDigits[from.Kind]-1 <= p-s {
				return "", ""
			}
			return fmt.Sprintf("ABS(%s) >= %s", col, limit), problem
		case from.Kind == schema.Numeric:
			fp := from.Precision
			if fp == 0 {
				fp = 10
			}
			if from.Scale <= s && fp-from.Scale <= p-s {
				return "", ""
			}
			fallthrough
		case from.Kind == schema.Float:
			n := g.Number(col)
			return fmt.Sprintf("(ABS(%s) >= %s OR %s <> ROUND(%s, %d))", n, limit, n, n, s), problem
		case isText(from.Kind):
			n := g.Number(col)
			return g.NotNumber(col, fmt.Sprintf("(ABS(%s) >= %s OR %s <> ROUND(%s, %d))", n, limit, n, n, s)), "are not a number, or " + problem
		}
	case to.Kind == schema.Float:
		if isText(from.Kind) {
			return g.NotNumber(col, "1 = 0"), "are not a number"
		}
	case to.Kind == schema.Date:
		switch {
		case from.Kind == schema.DateTime:
			return g.HasTimeOfDay(col), "have a time of day, which " + name + " would drop"
		case isText(from.Kind):
			return g.NotDate(col), "are not a date written YYYY-MM-DD"
		}
	case to.Kind == schema.DateTime:
		if isText(from.Kind) {
			return g.NotDateTime(col), "are not a date and time written YYYY-MM-DD HH:MM:SS"
		}
	case to.Kind == schema.Boolean:
		switch {
		case isExact(from.Kind):
			return col + " NOT IN (0, 1)", "are other than 0 and 1, which " + name + " cannot hold"
		case isText(from.Kind):
			return g.Text(col) + " NOT IN ('0', '1')", "are other than '0' and '1', which " + name + " cannot hold"
		}
	}
	return "", ""
}

// count returns how many rows are in the guard's way.
func (g *Guard) count(ctx context.Context, q querier, d dialect.Dialect) (int64, error) {
	stmt := "SELECT count(*) FROM " + d.Quote(g.Table)
	if g.Where != "" {
		stmt += " WHERE " + g.Where
	}
	var n int64
	if err := q.QueryRowContext(ctx, stmt).Scan(&n); err != nil {
		return 0, fmt.Errorf("check the rows of %s: %w", g.Subject, err)
	}
	return n, nil
}

// check returns a *GuardError with the count and a sample when rows are in the way.
func (g *Guard) check(ctx context.Context, q querier, d dialect.Dialect, rev *Revision) error {
	n, err := g.count(ctx, q, d)
	if err != nil {
		return fmt.Errorf("revision %s (%s:%d): %w", rev.ID, rev.Path, g.Line, err)
	}
	if n == 0 {
		return nil
	}
	e := &GuardError{Revision: rev, Guard: g, Count: n, Columns: g.Show}
	stmt := fmt.Sprintf("SELECT %s FROM %s", dialect.List(d, g.Show), d.Quote(g.Table))
	if g.Where != "" {
		stmt += " WHERE " + g.Where
	}
	stmt += fmt.Sprintf(" ORDER BY %s LIMIT %d", dialect.List(d, g.Show), maxGuardSample)
	rows, err := q.QueryContext(ctx, stmt)
	if err != nil {
		return fmt.Errorf("revision %s (%s:%d): list the rows of %s: %w", rev.ID, rev.Path, g.Line, g.Subject, err)
	}
	defer rows.Close()
	vals := make([]sql.NullString, len(g.Show))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("revision %s: list the rows of %s: %w", rev.ID, g.Subject, err)
		}
		row := make([]string, len(vals))
		for i, v := range vals {
			switch {
			case v.Valid && canonicalInt(v.String):
				row[i] = v.String
			case v.Valid:
				row[i] = shortQuote(v.String)
			default:
				row[i] = "NULL"
			}
		}
		e.Rows = append(e.Rows, row)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("revision %s: list the rows of %s: %w", rev.ID, g.Subject, err)
	}
	return e
}

// shortQuote quotes a value for a message, cut after 60 characters (saying how long it
// is): a sample row should not bury the error under a long text.
func shortQuote(v string) string {
	const max = 60
	if n := utf8.RuneCountInString(v); n > max {
		cut := []rune(v)[:max]
		return fmt.Sprintf("%s… (%d characters)", strconv.Quote(string(cut)), n)
	}
	return strconv.Quote(v)
}

// canonicalInt reports whether s is an integer written the way it prints (not "007"),
// which a message may show without quotes.
func canonicalInt(s string) bool {
	n, err := strconv.ParseInt(s, 10, 64)
	return err == nil && strconv.FormatInt(n, 10) == s
}

// checkGuards checks the guards of op i of a step in place, just before its statements.
// Inside a transaction it first locks the table where the dialect says so (PostgreSQL, as
// the op's ALTER TABLE would), so that no row can slip in between the check and the change.
func (m *Runner) checkGuards(ctx context.Context, q querier, st step, i int, inTx bool) error {
	d := m.impl()
	for _, g := range st.plans[i].Guards {
		if lock := d.GuardLock(g.Table); lock != "" && inTx {
			if _, err := q.ExecContext(ctx, lock); err != nil {
				return fmt.Errorf("revision %s: lock %s: %w", st.rev.ID, g.Subject, err)
			}
		}
		if err := g.check(ctx, q, d, st.rev); err != nil {
			return err
		}
	}
	return nil
}

// guardComment shows guards in an offline script, where nothing checks them.
func (m *Runner) guardComment(guards []*Guard) string {
	var b strings.Builder
	for _, g := range guards {
		stmt := "SELECT count(*) FROM " + m.q(g.Table)
		if g.Where != "" {
			stmt += " WHERE " + g.Where
		}
		fmt.Fprintf(&b, "-- check (online runs stop here if it finds rows of %s that %s)\n-- %s\n\n", g.Subject, g.Problem, stmt)
	}
	return b.String()
}

// guardedStatements maps the index of each op's first statement, in the order
// stepStatements lists them, to the op's index, for the ops that have guards.
func guardedStatements(st step) map[int]int {
	out := map[int]int{}
	n := 0
	for i, p := range st.plans {
		if len(p.Guards) > 0 && len(p.Statements) > 0 {
			out[n] = i
		}
		n += len(p.Statements)
	}
	return out
}

// stepOps returns the ops a step runs.
func stepOps(st step) []*Op {
	if st.upgrade {
		return st.rev.Upgrade
	}
	return st.rev.Downgrade
}

// changesRows reports whether op can change the rows a guard on table (and column, when
// not "") reads: an execute op can change anything, except the fill that db migrate
// --default writes, which changes one column's NULLs; other ops change rows only by
// creating, dropping or renaming the table, or by adding, dropping, altering or renaming
// the column.
func changesRows(op *Op, table, column string) bool {
	switch op.Kind {
	case OpExecute:
		if t, c, ok := fillTarget(op); ok {
			return t == table && c == column
		}
		return true
	case OpRequire:
		return false
	case OpCreateTable, OpDropTable, OpRenameTable:
		return op.TableName() == table || op.NewName == table
	}
	if op.Table != table || column == "" {
		return false
	}
	switch op.Kind {
	case OpAddColumn:
		return op.Column.Name == column
	case OpDropColumn, OpAlterColumn, OpRenameColumn:
		return op.ColName == column || op.NewName == column
	}
	return false
}

// settled reports whether none of ops changes the rows guard g reads, so that what the
// database holds now is what g will see.
func settled(ops []*Op, table, column string) bool {
	for _, op := range ops {
		if changesRows(op, table, column) {
			return false
		}
	}
	return true
}

// preflightGuards checks, before the first step runs, every guard whose rows no earlier
// op of the run can change, and returns the failures. (Each guard is checked again in
// place.)
func (m *Runner) preflightGuards(ctx context.Context, conn *sql.Conn, steps []step) []error {
	var failed []error
	var earlier []*Op
	for _, st := range steps {
		ops := stepOps(st)
		for i, p := range st.plans {
			for _, g := range p.Guards {
				if !settled(earlier, g.Table, g.Column) {
					continue
				}
				err := g.check(ctx, conn, m.impl(), st.rev)
				if _, ok := err.(*GuardError); ok {
					failed = append(failed, err)
				}
				// Other errors (a table changed by hand) are reported by the check in place.
			}
			if i < len(ops) {
				earlier = append(earlier, ops[i])
			}
		}
	}
	return failed
}
