package migrate

import (
	"fmt"
	"slices"

	"github.com/microblog/microblog/migrate/schema"
)

// Column positions (issue 13, defect 2). An added column that is not the last of its
// table in the target schema carries its place: `after: <column>`, or `first: true`. So a
// downgrade that re-adds a dropped column puts it back where it was, and the schema after
// upgrade + downgrade is the one before, column order included: MySQL/MariaDB take ADD
// COLUMN … AFTER/FIRST, SQLite rebuilds the table. PostgreSQL cannot place a column
// (ALTER TABLE ADD COLUMN always appends): there the column goes last, and comparisons
// with the live database (db check, resume) ignore column order.

// placeColumn gives an add_column op of column c of table b (the target) its position,
// when existing columns of a follow it.
func placeColumn(op *Op, a, b *schema.Table) {
	i := slices.IndexFunc(b.Columns, func(c *schema.Column) bool { return c.Name == op.Column.Name })
	if i < 0 || !slices.ContainsFunc(b.Columns[i+1:], func(c *schema.Column) bool { return a.Column(c.Name) != nil }) {
		return
	}
	if i == 0 {
		op.First = true
	} else {
		op.After = b.Columns[i-1].Name
	}
}

// columnPosition is the index at which add_column op inserts its column into t.
func columnPosition(t *schema.Table, op *Op) (int, error) {
	switch {
	case op.First && op.After != "":
		return 0, fmt.Errorf("add_column: give after or first, not both")
	case op.First:
		return 0, nil
	case op.After != "":
		i := slices.IndexFunc(t.Columns, func(c *schema.Column) bool { return c.Name == op.After })
		if i < 0 {
			return 0, fmt.Errorf("add_column: after: no column %q in table %q", op.After, t.Name)
		}
		return i + 1, nil
	}
	return len(t.Columns), nil
}

// placed reports whether add_column op puts its column anywhere but last in t.
func placed(t *schema.Table, op *Op) bool {
	at, err := columnPosition(t, op)
	return err == nil && at < len(t.Columns)
}

// positionSQL is MySQL's clause placing an added column.
func (r renderer) positionSQL(t *schema.Table, op *Op) string {
	if r.dialect != MySQL || !placed(t, op) {
		return ""
	}
	if op.First {
		return " FIRST"
	}
	return " AFTER " + r.q(op.After)
}
