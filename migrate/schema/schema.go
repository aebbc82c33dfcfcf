// Package schema is the dialect-neutral description of a database schema that the
// migration engine works with: tables, columns with portable types, primary keys,
// indexes, unique constraints, foreign keys and check constraints.
//
// A Schema can be built from application models (see package bunschema), by replaying
// migration operations in memory, or by inspecting a live database; autogenerate diffs
// two of them. Names of indexes and constraints are always explicit and deterministic
// (see the naming helpers in naming.go) so the same schema yields the same names on
// every dialect.
package schema

import (
	"fmt"
	"slices"
	"strings"
)

// Schema is an ordered set of tables.
type Schema struct {
	Tables []*Table
}

// Table returns the table with the given name, or nil.
func (s *Schema) Table(name string) *Table {
	for _, t := range s.Tables {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// Clone returns a deep copy of s.
func (s *Schema) Clone() *Schema {
	c := &Schema{Tables: make([]*Table, len(s.Tables))}
	for i, t := range s.Tables {
		c.Tables[i] = t.Clone()
	}
	return c
}

// Table is one table. Columns keep their declaration order.
type Table struct {
	Name        string
	Columns     []*Column
	PrimaryKey  *PrimaryKey
	Indexes     []*Index
	Uniques     []*Unique
	ForeignKeys []*ForeignKey
	Checks      []*Check
}

// Column returns the column with the given name, or nil.
func (t *Table) Column(name string) *Column {
	for _, c := range t.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Index returns the index with the given name, or nil.
func (t *Table) Index(name string) *Index {
	for _, ix := range t.Indexes {
		if ix.Name == name {
			return ix
		}
	}
	return nil
}

// Clone returns a deep copy of t.
func (t *Table) Clone() *Table {
	c := &Table{Name: t.Name}
	for _, col := range t.Columns {
		cc := *col
		if col.Default != nil {
			d := *col.Default
			cc.Default = &d
		}
		c.Columns = append(c.Columns, &cc)
	}
	if t.PrimaryKey != nil {
		c.PrimaryKey = &PrimaryKey{Name: t.PrimaryKey.Name, Columns: slices.Clone(t.PrimaryKey.Columns)}
	}
	for _, ix := range t.Indexes {
		c.Indexes = append(c.Indexes, &Index{Name: ix.Name, Columns: slices.Clone(ix.Columns), Unique: ix.Unique, Desc: slices.Clone(ix.Desc), Where: ix.Where})
	}
	for _, u := range t.Uniques {
		c.Uniques = append(c.Uniques, &Unique{Name: u.Name, Columns: slices.Clone(u.Columns)})
	}
	for _, fk := range t.ForeignKeys {
		f := *fk
		f.Columns = slices.Clone(fk.Columns)
		f.RefColumns = slices.Clone(fk.RefColumns)
		c.ForeignKeys = append(c.ForeignKeys, &f)
	}
	for _, ck := range t.Checks {
		k := *ck
		c.Checks = append(c.Checks, &k)
	}
	return c
}

// Column is one column of a table.
type Column struct {
	Name string
	Type Type
	// Nullable is true when the column accepts NULL.
	Nullable bool
	// Default is the server-side default as a portable SQL literal or expression
	// ('abc', 0, 1.5, true, false, CURRENT_TIMESTAMP), or nil for none.
	Default *string
	// AutoIncrement marks an integer primary-key column whose values the database
	// generates (SERIAL/IDENTITY, AUTO_INCREMENT, INTEGER PRIMARY KEY).
	AutoIncrement bool
}

// Kind is a portable column type, named after SQLAlchemy's generic types.
type Kind string

// The portable type kinds. Each dialect renders them with its canonical names.
const (
	Integer    Kind = "integer"
	BigInteger Kind = "biginteger"
	SmallInt   Kind = "smallinteger"
	String     Kind = "string" // VARCHAR(Length)
	Text       Kind = "text"
	Boolean    Kind = "boolean"
	DateTime   Kind = "datetime"
	Date       Kind = "date"
	Time       Kind = "time"
	Float      Kind = "float"
	Numeric    Kind = "numeric" // NUMERIC(Precision, Scale)
	Binary     Kind = "binary"
	JSON       Kind = "json"
	UUID       Kind = "uuid"
	Enum       Kind = "enum" // one of Values: a native type on PostgreSQL and MySQL, a CHECK on SQLite
)

// Kinds lists every Kind, for validation and error messages.
var Kinds = []Kind{Integer, BigInteger, SmallInt, String, Text, Boolean, DateTime, Date, Time, Float, Numeric, Binary, JSON, UUID, Enum}

// Type is a portable column type with its parameters.
type Type struct {
	Kind      Kind
	Length    int // String: maximum length in characters
	Precision int // Numeric
	Scale     int // Numeric
	// Timezone marks a timezone-aware DateTime (TIMESTAMP WITH TIME ZONE on PostgreSQL).
	Timezone bool
	// Values are an Enum's values, comma-separated, in order; EnumName names its
	// PostgreSQL type (bunschema makes it <table>_<column>).
	Values, EnumName string
}

// String renders the type the way Alembic's log lines show a database's type (SQLAlchemy's
// reflected types on SQLite), e.g. VARCHAR(length=64), TEXT(), BLOB().
func (t Type) String() string {
	switch t.Kind {
	case String:
		if t.Length > 0 {
			return fmt.Sprintf("VARCHAR(length=%d)", t.Length)
		}
		return "VARCHAR()"
	case Numeric:
		return fmt.Sprintf("NUMERIC(precision=%d, scale=%d)", t.Precision, t.Scale)
	case BigInteger:
		return "BIGINT()"
	case SmallInt:
		return "SMALLINT()"
	case Binary:
		return "BLOB()"
	case DateTime:
		if t.Timezone {
			return "DATETIME(timezone=True)"
		}
	case Enum:
		return "ENUM(" + t.EnumArgs() + ")"
	}
	return strings.ToUpper(string(t.Kind)) + "()"
}

// PrimaryKey is a table's primary key.
type PrimaryKey struct {
	Name    string
	Columns []string
}

// Index is a (possibly unique) index.
type Index struct {
	Name    string
	Columns []string
	Unique  bool
	// Desc lists the columns sorted in descending order (a subset of Columns).
	Desc []string
	// Where is a partial index's predicate, a portable SQL expression ("" for none);
	// PostgreSQL and SQLite have partial indexes, MySQL and MariaDB do not.
	Where string
}

// Unique is a unique constraint (as opposed to a unique index).
type Unique struct {
	Name    string
	Columns []string
}

// ForeignKey is a foreign-key constraint from Columns to RefTable(RefColumns).
type ForeignKey struct {
	Name       string
	Columns    []string
	RefTable   string
	RefColumns []string
	OnDelete   string // "", CASCADE, SET NULL, RESTRICT, NO ACTION, SET DEFAULT
	OnUpdate   string
}

// Check is a CHECK constraint with a portable boolean SQL expression.
type Check struct {
	Name string
	Expr string
}

// ConstraintKind tells what kind of constraint name is on t: "unique", "foreign key",
// "check", or "".
func (t *Table) ConstraintKind(name string) string {
	for _, u := range t.Uniques {
		if u.Name == name {
			return "unique"
		}
	}
	for _, f := range t.ForeignKeys {
		if f.Name == name {
			return "foreign key"
		}
	}
	for _, c := range t.Checks {
		if c.Name == name {
			return "check"
		}
	}
	return ""
}
