// Package mysql is the migration engine's MySQL and MariaDB dialect (see package
// migrate/dialect): every DDL statement commits by itself (runs resume where they
// stopped), a named lock per run, strict SQL mode for the run's session, inline ENUMs,
// no timezone-aware timestamp, and an index for every foreign key.
package mysql

import (
	"strings"

	"github.com/microblog/microblog/migrate/dialect"
	"github.com/microblog/microblog/migrate/schema"
)

// Dialect is MySQL or MariaDB.
type Dialect struct{}

var _ dialect.Dialect = Dialect{}

// Name returns "mysql".
func (Dialect) Name() string { return "mysql" }

// Quirks: no transactional DDL, a session lock, columns placed with AFTER/FIRST, unique
// constraints reported as unique indexes.
func (Dialect) Quirks() dialect.Quirks {
	return dialect.Quirks{
		AlembicImpl:           "MySQLImpl",
		SessionLock:           true,
		PlacesColumns:         true,
		UniquesAsIndexes:      true,
		HistoryID:             "id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY",
		NotNullWithoutDefault: "MySQL/MariaDB would fill the rows with 0, '' or a zero date",
	}
}

// Quote quotes an identifier with backquotes.
func (Dialect) Quote(name string) string { return "`" + strings.ReplaceAll(name, "`", "``") + "`" }

// Type is MySQL's spelling of t. MySQL and MariaDB have no timezone-aware type:
// DATETIME(6) holds the UTC time.
func (Dialect) Type(t schema.Type) string {
	switch t.Kind {
	case schema.Boolean:
		return "BOOL"
	case schema.DateTime:
		return "DATETIME(6)"
	case schema.Time:
		return "TIME(6)"
	case schema.Float:
		return "DOUBLE"
	case schema.Binary:
		return "LONGBLOB"
	case schema.JSON:
		return "JSON"
	case schema.Enum:
		return "ENUM(" + t.EnumArgs() + ")"
	case schema.UUID:
		return "CHAR(36)"
	}
	return dialect.CommonType(t)
}

// ColumnDef writes CURRENT_TIMESTAMP(6) for a DATETIME(6), expression defaults of TEXT
// and JSON columns in parentheses, and AUTO_INCREMENT.
func (d Dialect) ColumnDef(c *schema.Column) string {
	s := dialect.ColumnDef(d, c, d.Type(c.Type), defaultSQL(c))
	if c.AutoIncrement {
		s += " AUTO_INCREMENT"
	}
	return s
}

func defaultSQL(c *schema.Column) string {
	if c.Default == nil {
		return ""
	}
	d := *c.Default
	if strings.EqualFold(d, "CURRENT_TIMESTAMP") && c.Type.Kind == schema.DateTime {
		return "CURRENT_TIMESTAMP(6)"
	}
	if c.Type.Kind == schema.Text || c.Type.Kind == schema.JSON {
		return "(" + d + ")" // MariaDB and MySQL 8 take expression defaults on TEXT only in parentheses
	}
	return d
}
