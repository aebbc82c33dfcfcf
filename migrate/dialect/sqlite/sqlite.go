// Package sqlite is the migration engine's SQLite dialect (see package
// migrate/dialect): no ALTER TABLE beyond adding, dropping and renaming columns, so the
// other changes rebuild the table; no session lock; types that are not enforced.
package sqlite

import (
	"fmt"
	"strings"

	"github.com/microblog/microblog/migrate/dialect"
	"github.com/microblog/microblog/migrate/schema"
)

// Dialect is SQLite.
type Dialect struct{}

var _ dialect.Dialect = Dialect{}

// Name returns "sqlite".
func (Dialect) Name() string { return "sqlite" }

// Quirks: transactional DDL, no session lock, columns placed by rebuilding the table.
func (Dialect) Quirks() dialect.Quirks {
	return dialect.Quirks{
		AlembicImpl:           "SQLiteImpl",
		TransactionalDDL:      true,
		PlacesColumns:         true,
		HistoryID:             "id INTEGER NOT NULL PRIMARY KEY",
		NotNullWithoutDefault: "SQLite would fail copying the rows into the rebuilt table",
		NonConstantDefault:    "; SQLite cannot add it with ALTER TABLE: the table is rebuilt (its rows copied, its indexes recreated)",
		UnenforcedTypes:       "SQLite keeps values that do not convert as they are (it does not enforce types), unlike PostgreSQL and MySQL, which refuse them",
	}
}

// Quote quotes an identifier with double quotes.
func (Dialect) Quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// Type is SQLite's spelling of t. SQLite keeps any type name; these are SQLAlchemy's, so
// that inspection tells the kinds apart (JSON from TEXT, TIMESTAMP from DATETIME).
func (Dialect) Type(t schema.Type) string {
	switch t.Kind {
	case schema.Boolean:
		return "BOOLEAN"
	case schema.DateTime:
		if t.Timezone {
			return "TIMESTAMP" // told apart from DATETIME by inspection; the driver reads both as time
		}
		return "DATETIME"
	case schema.Time:
		return "TIME"
	case schema.Float:
		return "FLOAT"
	case schema.Binary:
		return "BLOB"
	case schema.JSON:
		return "JSON"
	case schema.Enum:
		// A VARCHAR as long as the longest value, with a CHECK (see ColumnDef).
		n := 1
		for _, v := range t.EnumValues() {
			n = max(n, len(v))
		}
		return fmt.Sprintf("VARCHAR(%d)", n)
	case schema.UUID:
		return "CHAR(36)"
	}
	return dialect.CommonType(t)
}

// ColumnDef writes an auto-increment key as INTEGER: only INTEGER PRIMARY KEY is the rowid
// that numbers new rows (a BIGINT key would not be); SQLite's integers are 64-bit whatever
// the declared type. An enum column carries its CHECK (col IN (…)).
func (d Dialect) ColumnDef(c *schema.Column) string {
	typ := d.Type(c.Type)
	if c.AutoIncrement {
		typ = "INTEGER"
	}
	dflt := ""
	if c.Default != nil {
		dflt = *c.Default
	}
	s := dialect.ColumnDef(d, c, typ, dflt)
	if c.Type.Kind == schema.Enum {
		s += fmt.Sprintf(" CHECK (%s IN (%s))", d.Quote(c.Name), c.Type.EnumArgs())
	}
	return s
}
