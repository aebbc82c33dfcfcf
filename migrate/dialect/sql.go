package dialect

import (
	"fmt"
	"slices"
	"strings"

	"github.com/microblog/microblog/migrate/schema"
)

// SQL that most databases share, written with a dialect's quoting and types.

// List quotes names and joins them with ", ".
func List(d Renderer, names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = d.Quote(n)
	}
	return strings.Join(out, ", ")
}

// CommonType is the SQL of the types most databases spell alike: integers, VARCHAR(n),
// TEXT, DATE, NUMERIC(p, s); other kinds in upper case. A dialect handles the other kinds
// (booleans, timestamps, floats, bytes, JSON, enums, UUIDs) itself.
func CommonType(t schema.Type) string {
	switch t.Kind {
	case schema.Integer:
		return "INTEGER"
	case schema.BigInteger:
		return "BIGINT"
	case schema.SmallInt:
		return "SMALLINT"
	case schema.String:
		return fmt.Sprintf("VARCHAR(%d)", t.Length)
	case schema.Text:
		return "TEXT"
	case schema.Date:
		return "DATE"
	case schema.Numeric:
		if t.Precision == 0 {
			t.Precision = 10 // SQLAlchemy's and MySQL's default; PostgreSQL needs one to keep the scale
		}
		return fmt.Sprintf("NUMERIC(%d, %d)", t.Precision, t.Scale)
	}
	return strings.ToUpper(string(t.Kind))
}

// ColumnDef renders "name TYPE [NOT NULL] [DEFAULT x]" with typ as the type and dflt as
// the default's SQL; the dialect appends what else the column needs.
func ColumnDef(d Renderer, c *schema.Column, typ, dflt string) string {
	var b strings.Builder
	b.WriteString(d.Quote(c.Name))
	b.WriteByte(' ')
	b.WriteString(typ)
	if !c.Nullable {
		b.WriteString(" NOT NULL")
	}
	if c.Default != nil {
		b.WriteString(" DEFAULT " + dflt)
	}
	return b.String()
}

// FKClause renders a named FOREIGN KEY constraint with its actions.
func FKClause(d Renderer, fk *schema.ForeignKey) string {
	s := fmt.Sprintf("CONSTRAINT %s FOREIGN KEY(%s) REFERENCES %s (%s)", d.Quote(fk.Name), List(d, fk.Columns), d.Quote(fk.RefTable), List(d, fk.RefColumns))
	if fk.OnDelete != "" {
		s += " ON DELETE " + fk.OnDelete
	}
	if fk.OnUpdate != "" {
		s += " ON UPDATE " + fk.OnUpdate
	}
	return s
}

// CreateTable renders CREATE TABLE with every constraint inline (named), as SQLAlchemy
// does; name overrides the table name (for SQLite rebuilds).
func CreateTable(d Renderer, t *schema.Table, name string) string {
	var parts []string
	for _, c := range t.Columns {
		parts = append(parts, "\t"+d.ColumnDef(c))
	}
	if t.PrimaryKey != nil {
		parts = append(parts, fmt.Sprintf("\tCONSTRAINT %s PRIMARY KEY (%s)", d.Quote(t.PrimaryKey.Name), List(d, t.PrimaryKey.Columns)))
	}
	for _, u := range t.Uniques {
		parts = append(parts, fmt.Sprintf("\tCONSTRAINT %s UNIQUE (%s)", d.Quote(u.Name), List(d, u.Columns)))
	}
	for _, c := range t.Checks {
		parts = append(parts, fmt.Sprintf("\tCONSTRAINT %s CHECK (%s)", d.Quote(c.Name), c.Expr))
	}
	for _, fk := range t.ForeignKeys {
		parts = append(parts, "\t"+FKClause(d, fk))
	}
	return fmt.Sprintf("CREATE TABLE %s (\n%s\n)", d.Quote(name), strings.Join(parts, ",\n"))
}

// CreateIndex renders CREATE [UNIQUE] INDEX with descending columns and a partial
// index's WHERE.
func CreateIndex(d Renderer, table string, ix *schema.Index) string {
	u := ""
	if ix.Unique {
		u = "UNIQUE "
	}
	cols := List(d, ix.Columns)
	if len(ix.Desc) > 0 {
		parts := make([]string, len(ix.Columns))
		for i, c := range ix.Columns {
			parts[i] = d.Quote(c)
			if slices.Contains(ix.Desc, c) {
				parts[i] += " DESC"
			}
		}
		cols = strings.Join(parts, ", ")
	}
	s := fmt.Sprintf("CREATE %sINDEX %s ON %s (%s)", u, d.Quote(ix.Name), d.Quote(table), cols)
	if ix.Where != "" {
		s += " WHERE " + ix.Where
	}
	return s
}

// Covered reports whether an index, unique constraint or the primary key of t starts with
// cols, so that a database that needs an index for a foreign key can use it.
func Covered(t *schema.Table, cols []string) bool {
	starts := func(ix []string) bool { return len(ix) >= len(cols) && slices.Equal(ix[:len(cols)], cols) }
	if t.PrimaryKey != nil && starts(t.PrimaryKey.Columns) {
		return true
	}
	for _, ix := range t.Indexes {
		if starts(ix.Columns) {
			return true
		}
	}
	for _, u := range t.Uniques {
		if starts(u.Columns) {
			return true
		}
	}
	return false
}

// String quotes s as an SQL string literal.
func String(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
