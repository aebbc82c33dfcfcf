package sqlite

import (
	"fmt"
	"slices"
	"strings"

	"github.com/microblog/microblog/migrate/dialect"
	"github.com/microblog/microblog/migrate/ops"
	"github.com/microblog/microblog/migrate/schema"
)

// Render renders the ops SQLite cannot do with ALTER TABLE as a table rebuild: a new
// table of the target shape, rows copied, old table dropped, new one renamed, indexes
// recreated. Adding a plain nullable or defaulted column, and dropping a column nothing
// constrains, use ALTER TABLE directly.
func (d Dialect) Render(before, after *schema.Schema, op *ops.Op) (dialect.Plan, error) {
	one := func(s ...string) (dialect.Plan, error) { return dialect.Plan{Statements: s}, nil }
	t := op.TableName()
	switch op.Kind {
	case ops.CreateTable:
		return one(dialect.CreateTable(d, op.Def, op.Def.Name))
	case ops.DropTable:
		return one("DROP TABLE " + d.Quote(op.Name))
	case ops.RenameTable:
		return one(fmt.Sprintf("ALTER TABLE %s RENAME TO %s", d.Quote(op.Name), d.Quote(op.NewName)))
	case ops.CreateIndex:
		return one(dialect.CreateIndex(d, t, after.Table(t).Index(op.Name)))
	case ops.DropIndex:
		return one("DROP INDEX " + d.Quote(op.Name))
	case ops.RenameColumn:
		return one(fmt.Sprintf("ALTER TABLE %s RENAME COLUMN %s TO %s", d.Quote(t), d.Quote(op.ColName), d.Quote(op.NewName)))
	}
	old, nw := before.Table(t), after.Table(t)
	switch op.Kind {
	case ops.AddColumn:
		if c := op.Column; addsInPlace(c) && !ops.Placed(old, op) {
			return one(fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s", d.Quote(t), d.ColumnDef(c)))
		}
	case ops.DropColumn:
		if !constrained(old, op.ColName) {
			return one(fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s", d.Quote(t), d.Quote(op.ColName)))
		}
	}
	tmp := "_migrate_tmp_" + t
	var cols, exprs []string
	for _, c := range nw.Columns {
		oc := old.Column(c.Name)
		if oc == nil {
			continue // a new column: its default fills it (without one, a NOT NULL column fails loudly on rows)
		}
		cols = append(cols, d.Quote(c.Name))
		exprs = append(exprs, d.Quote(c.Name))
	}
	stmts := []string{
		dialect.CreateTable(d, nw, tmp),
		fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s", d.Quote(tmp), strings.Join(cols, ", "), strings.Join(exprs, ", "), d.Quote(t)),
		"DROP TABLE " + d.Quote(t),
		fmt.Sprintf("ALTER TABLE %s RENAME TO %s", d.Quote(tmp), d.Quote(t)),
	}
	for _, ix := range nw.Indexes {
		stmts = append(stmts, dialect.CreateIndex(d, t, ix))
	}
	return dialect.Plan{Statements: stmts, Rebuild: true}, nil
}

// constrained reports whether a column takes part in an index, constraint or key, which
// SQLite's ALTER TABLE DROP COLUMN refuses.
func constrained(t *schema.Table, col string) bool {
	if t.PrimaryKey != nil && slices.Contains(t.PrimaryKey.Columns, col) {
		return true
	}
	for _, ix := range t.Indexes {
		if slices.Contains(ix.Columns, col) {
			return true
		}
	}
	for _, u := range t.Uniques {
		if slices.Contains(u.Columns, col) {
			return true
		}
	}
	for _, fk := range t.ForeignKeys {
		if slices.Contains(fk.Columns, col) {
			return true
		}
	}
	return len(t.Checks) > 0
}

// addsInPlace reports whether SQLite's ALTER TABLE ADD COLUMN can add c to a table that
// may hold rows. On a table with rows SQLite refuses a NOT NULL column without a default
// ("Cannot add a NOT NULL column with default value NULL") and any default that is not a
// constant — CURRENT_TIMESTAMP, CURRENT_DATE, CURRENT_TIME or an expression ("Cannot add
// a column with non-constant default"). A revision cannot know whether the table has
// rows, so those columns are added by rebuilding the table, whose copy lets the new
// table's default fill the column.
func addsInPlace(c *schema.Column) bool {
	if c.Default == nil {
		return c.Nullable
	}
	return dialect.ConstantDefault(*c.Default)
}
