package database

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	buntable "github.com/uptrace/bun/schema"

	"github.com/microblog/microblog/migrate/bunschema"
	"github.com/microblog/microblog/migrate/schema"
)

// ConstraintError is a write refused by an integrity constraint, with the constraint
// named the same way on every dialect (ix_user_username, fk_post_user_id_user, …).
type ConstraintError struct {
	Kind       string // "unique", "foreign key", "not null" or "check"
	Constraint string // name of the index or constraint, when known
	Table      string
	Columns    []string
	Err        error // the driver's error
}

func (e *ConstraintError) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind)
	b.WriteString(" constraint")
	if e.Constraint != "" {
		fmt.Fprintf(&b, " %q", e.Constraint)
	}
	if e.Table != "" {
		fmt.Fprintf(&b, " on %s", e.Table)
		if len(e.Columns) > 0 {
			fmt.Fprintf(&b, "(%s)", strings.Join(e.Columns, ", "))
		}
	}
	b.WriteString(" violated")
	if e.Err != nil {
		fmt.Fprintf(&b, ": %s", oneLine(e.Err))
	}
	return b.String()
}

func (e *ConstraintError) Unwrap() error { return e.Err }

// IsUnique reports whether err is a unique-constraint violation.
func IsUnique(err error) bool {
	var ce *ConstraintError
	return errors.As(err, &ce) && ce.Kind == "unique"
}

var (
	sqliteConstraint = regexp.MustCompile(`(UNIQUE|NOT NULL|CHECK|FOREIGN KEY) constraint failed(?:: (.*?))?(?: \(\d+\))?$`)
	mysqlKey         = regexp.MustCompile("(?:for key|CONSTRAINT) [`']([^`']+)[`']")
)

// describe turns a driver error into a ConstraintError when it is one; table is the
// table being written, used to name SQLite's constraints, which it reports by columns.
func (d *DB) describe(err error, table *buntable.Table) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		kind := map[string]string{"23505": "unique", "23503": "foreign key", "23502": "not null", "23514": "check"}[pgErr.Code]
		if kind == "" {
			return err
		}
		ce := &ConstraintError{Kind: kind, Constraint: pgErr.ConstraintName, Table: pgErr.TableName, Err: err}
		if pgErr.ColumnName != "" {
			ce.Columns = []string{pgErr.ColumnName}
		}
		return ce
	}
	var myErr *mysql.MySQLError
	if errors.As(err, &myErr) {
		kind := map[uint16]string{1062: "unique", 1451: "foreign key", 1452: "foreign key", 1048: "not null", 1364: "not null", 3819: "check", 4025: "check"}[myErr.Number]
		if kind == "" {
			return err
		}
		ce := &ConstraintError{Kind: kind, Err: err}
		if table != nil {
			ce.Table = table.Name
		}
		if m := mysqlKey.FindStringSubmatch(myErr.Message); m != nil {
			// MySQL 8 says 'table.index'; MariaDB says 'index'.
			name := m[1]
			if i := strings.LastIndexByte(name, '.'); i >= 0 {
				name = name[i+1:]
			}
			ce.Constraint = name
		}
		return ce
	}
	if m := sqliteConstraint.FindStringSubmatch(err.Error()); m != nil {
		ce := &ConstraintError{Kind: strings.ToLower(m[1]), Err: err}
		// An index on expressions is reported by name: "index 'uq_user_username_lower'".
		if name, ok := strings.CutPrefix(m[2], "index '"); ok {
			ce.Constraint = strings.TrimSuffix(name, "'")
			if table != nil {
				ce.Table = table.Name
			}
			return ce
		}
		var cols []string
		for _, tc := range strings.Split(m[2], ", ") {
			if t, c, ok := strings.Cut(tc, "."); ok {
				ce.Table = t
				cols = append(cols, c)
			}
		}
		ce.Columns = cols
		if ce.Kind == "unique" && table != nil && table.Name == ce.Table {
			ce.Constraint = uniqueName(table, cols)
		}
		if ce.Kind == "check" && len(cols) == 0 {
			ce.Constraint = m[2]
		}
		return ce
	}
	return err
}

// uniqueName finds the unique index or constraint of the model's table on exactly cols.
func uniqueName(table *buntable.Table, cols []string) string {
	s, err := bunschema.FromModels(table.ZeroIface)
	if err != nil || len(s.Tables) != 1 {
		return ""
	}
	t := s.Tables[0]
	same := func(a []string) bool { return strings.Join(a, ",") == strings.Join(cols, ",") }
	for _, ix := range t.Indexes {
		if ix.Unique && same(ix.Columns) {
			return ix.Name
		}
	}
	for _, u := range t.Uniques {
		if same(u.Columns) {
			return u.Name
		}
	}
	if t.PrimaryKey != nil && same(t.PrimaryKey.Columns) {
		return t.PrimaryKey.Name
	}
	return schema.IndexName(t.Name, cols)
}
