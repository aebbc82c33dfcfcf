package schema

import (
	"fmt"
	"strings"
)

// Deterministic names for indexes and constraints, following the tutorial's
// Alembic naming convention (ix_user_email) and extending it to every kind of
// constraint so that names never depend on the database that created them.

// IndexName is ix_<table>_<col1>_<col2>…
func IndexName(table string, columns []string) string {
	return "ix_" + table + "_" + strings.Join(columns, "_")
}

// UniqueName is uq_<table>_<col1>_<col2>…
func UniqueName(table string, columns []string) string {
	return "uq_" + table + "_" + strings.Join(columns, "_")
}

// ForeignKeyName is fk_<table>_<col1>…_<reftable>.
func ForeignKeyName(table string, columns []string, refTable string) string {
	return "fk_" + table + "_" + strings.Join(columns, "_") + "_" + refTable
}

// PrimaryKeyName is pk_<table>.
func PrimaryKeyName(table string) string { return "pk_" + table }

// CheckName is ck_<table>_<suffix>.
func CheckName(table, suffix string) string { return "ck_" + table + "_" + suffix }

// Naming is a naming convention for the indexes and constraints that models leave
// unnamed, as templates in the style of SQLAlchemy's MetaData(naming_convention=…):
//
//	%(table_name)s            the table
//	%(column_0_name)s         the first column
//	%(column_0_N_name)s       all the columns, joined by _
//	%(referred_table_name)s   a foreign key's referenced table
//
// An empty template keeps the default. DefaultNaming gives the names above
// (IndexName, UniqueName, ForeignKeyName, PrimaryKeyName).
type Naming struct {
	Index, Unique, ForeignKey, PrimaryKey string
}

// DefaultNaming is the convention IndexName, UniqueName, ForeignKeyName and
// PrimaryKeyName follow.
func DefaultNaming() Naming {
	return Naming{
		Index:      "ix_%(table_name)s_%(column_0_N_name)s",
		Unique:     "uq_%(table_name)s_%(column_0_N_name)s",
		ForeignKey: "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
		PrimaryKey: "pk_%(table_name)s",
	}
}

// Validate reports a template that uses an unknown token or leaves none to tell names apart.
func (n Naming) Validate() error {
	for _, c := range []struct{ what, tmpl string }{{"index", n.Index}, {"unique", n.Unique}, {"foreign key", n.ForeignKey}, {"primary key", n.PrimaryKey}} {
		if c.tmpl == "" {
			continue
		}
		rest := c.tmpl
		for _, tok := range []string{"%(table_name)s", "%(column_0_name)s", "%(column_0_N_name)s", "%(referred_table_name)s"} {
			rest = strings.ReplaceAll(rest, tok, "")
		}
		if strings.Contains(rest, "%(") {
			return fmt.Errorf("naming convention for %s %q: unknown token (want %%(table_name)s, %%(column_0_name)s, %%(column_0_N_name)s, %%(referred_table_name)s)", c.what, c.tmpl)
		}
		if !strings.Contains(c.tmpl, "%(table_name)s") {
			return fmt.Errorf("naming convention for %s %q: needs %%(table_name)s, or two tables' names would collide", c.what, c.tmpl)
		}
	}
	return nil
}

func (n Naming) apply(tmpl, def, table string, cols []string, ref string) string {
	if tmpl == "" {
		tmpl = def
	}
	first := ""
	if len(cols) > 0 {
		first = cols[0]
	}
	return strings.NewReplacer("%(table_name)s", table, "%(column_0_name)s", first,
		"%(column_0_N_name)s", strings.Join(cols, "_"), "%(referred_table_name)s", ref).Replace(tmpl)
}

// IndexName names an index on table's cols.
func (n Naming) IndexName(table string, cols []string) string {
	return n.apply(n.Index, DefaultNaming().Index, table, cols, "")
}

// UniqueName names a unique constraint on table's cols.
func (n Naming) UniqueName(table string, cols []string) string {
	return n.apply(n.Unique, DefaultNaming().Unique, table, cols, "")
}

// ForeignKeyName names a foreign key from table's cols to ref.
func (n Naming) ForeignKeyName(table string, cols []string, ref string) string {
	return n.apply(n.ForeignKey, DefaultNaming().ForeignKey, table, cols, ref)
}

// PrimaryKeyName names table's primary key.
func (n Naming) PrimaryKeyName(table string) string {
	return n.apply(n.PrimaryKey, DefaultNaming().PrimaryKey, table, nil, "")
}
