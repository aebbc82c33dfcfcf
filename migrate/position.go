package migrate

import (
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
