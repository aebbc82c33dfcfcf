package migrate

import (
	"github.com/microblog/microblog/migrate/schema"
)

// Op kinds, as spelled in revision files.
const (
	OpCreateTable      = "create_table"
	OpDropTable        = "drop_table"
	OpRenameTable      = "rename_table"
	OpAddColumn        = "add_column"
	OpDropColumn       = "drop_column"
	OpAlterColumn      = "alter_column"
	OpRenameColumn     = "rename_column"
	OpCreateIndex      = "create_index"
	OpDropIndex        = "drop_index"
	OpCreateUnique     = "create_unique"
	OpCreateForeignKey = "create_foreign_key"
	OpCreateCheck      = "create_check"
	OpDropConstraint   = "drop_constraint"
	OpExecute          = "execute"
	OpRequire          = "require"
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
	case OpCreateTable:
		return o.Def.Name
	case OpDropTable, OpRenameTable:
		return o.Name
	}
	return o.Table
}

// sqlFor returns an execute or require op's SQL for dialect: its own entry if it has
// one, else the SQL for every database.
func (o *Op) sqlFor(dialect string) string {
	if s, ok := o.SQLFor[dialect]; ok {
		return s
	}
	return o.SQL
}
