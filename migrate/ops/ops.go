// Package ops holds the dialect-neutral schema operations a revision is made of, below
// both the engine (package migrate, which reads, writes and runs them) and the dialect
// implementations (package migrate/dialect and its sub-packages, which render them).
// Package migrate re-exports Op and the kinds under the names it always had (migrate.Op,
// migrate.OpCreateTable, …).
package ops

import (
	"fmt"
	"slices"

	"github.com/microblog/microblog/migrate/schema"
)

// Op kinds, as spelled in revision files.
const (
	CreateTable      = "create_table"
	DropTable        = "drop_table"
	RenameTable      = "rename_table"
	AddColumn        = "add_column"
	DropColumn       = "drop_column"
	AlterColumn      = "alter_column"
	RenameColumn     = "rename_column"
	CreateIndex      = "create_index"
	DropIndex        = "drop_index"
	CreateUnique     = "create_unique"
	CreateForeignKey = "create_foreign_key"
	CreateCheck      = "create_check"
	DropConstraint   = "drop_constraint"
	Execute          = "execute"
	Require          = "require"
)

// Op is one dialect-neutral schema operation of a revision. Which fields are used
// depends on Kind; see docs/migrations.md for the file format of each.
type Op struct {
	Kind string
	Line int // line of the op in its revision file, for error messages

	Table   string // the table operated on (create_table/drop_table: Def.Name / Name)
	Name    string // index or constraint name; drop_table/rename_table: the table
	NewName string // rename_table, rename_column

	Def     *schema.Table      // create_table
	Column  *schema.Column     // add_column
	After   string             // add_column: the column it follows, where it is not the last
	First   bool               // add_column: it goes first
	ColName string             // drop_column, alter_column, rename_column
	Columns []string           // create_index, create_unique
	Unique  bool               // create_index
	Desc    []string           // create_index: the descending columns
	Where   string             // create_index: a partial index's predicate
	FK      *schema.ForeignKey // create_foreign_key
	Check   *schema.Check      // create_check

	// alter_column: only the attributes that change are set.
	Type       *schema.Type
	Nullable   *bool
	DefaultSet bool    // true when the default changes
	Default    *string // the new default; nil drops it

	// execute: SQL for every dialect, or per dialect (sqlite, postgres, mysql).
	// require: the query that finds the rows in the way, the same way.
	SQL       string
	SQLFor    map[string]string
	Transient bool // not stored: ops derived by the engine (e.g. SQLite rebuild steps)

	// require: what the rows the query finds are (Message), how to resolve them (Fix),
	// and the tables the query reads (Tables), which lets a run check it before starting.
	Message, Fix string
	Tables       []string
}

// TableName returns the table an op applies to.
func (o *Op) TableName() string {
	switch o.Kind {
	case CreateTable:
		return o.Def.Name
	case DropTable, RenameTable:
		return o.Name
	}
	return o.Table
}

// SQLOn returns an execute or require op's SQL for the dialect named dialect: its own
// entry if it has one, else the SQL for every database.
func (o *Op) SQLOn(dialect string) string {
	if s, ok := o.SQLFor[dialect]; ok {
		return s
	}
	return o.SQL
}

// Position is the index at which add_column op inserts its column into t.
func Position(t *schema.Table, op *Op) (int, error) {
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

// Placed reports whether add_column op puts its column anywhere but last in t.
func Placed(t *schema.Table, op *Op) bool {
	at, err := Position(t, op)
	return err == nil && at < len(t.Columns)
}
