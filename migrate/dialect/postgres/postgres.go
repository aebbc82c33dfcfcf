// Package postgres is the migration engine's PostgreSQL dialect (see package
// migrate/dialect): transactional DDL, an advisory lock per run, native enum types,
// SERIAL keys; an added column always goes last.
package postgres

import (
	"strings"

	"github.com/microblog/microblog/migrate/dialect"
	"github.com/microblog/microblog/migrate/schema"
)

// Dialect is PostgreSQL.
type Dialect struct{}

var _ dialect.Dialect = Dialect{}

// Name returns "postgres".
func (Dialect) Name() string { return "postgres" }

// Quirks: transactional DDL, a session lock, no column placement (ALTER TABLE ADD COLUMN
// always appends), and CREATE INDEX blocks writes while it builds.
func (Dialect) Quirks() dialect.Quirks {
	return dialect.Quirks{
		AlembicImpl:            "PostgresqlImpl",
		TransactionalDDL:       true,
		SessionLock:            true,
		HistoryID:              "id SERIAL PRIMARY KEY",
		NotNullWithoutDefault:  "PostgreSQL would refuse it (the rows would hold NULL)",
		IndexBuildBlocksWrites: true,
	}
}

// Quote quotes an identifier with double quotes.
func (Dialect) Quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// Type is PostgreSQL's spelling of t; an enum is its named type.
func (d Dialect) Type(t schema.Type) string {
	switch t.Kind {
	case schema.Boolean:
		return "BOOLEAN"
	case schema.DateTime:
		if t.Timezone {
			return "TIMESTAMP WITH TIME ZONE"
		}
		return "TIMESTAMP WITHOUT TIME ZONE"
	case schema.Time:
		return "TIME"
	case schema.Float:
		return "DOUBLE PRECISION"
	case schema.Binary:
		return "BYTEA"
	case schema.JSON:
		return "JSONB"
	case schema.Enum:
		return d.Quote(t.EnumName)
	case schema.UUID:
		return "UUID"
	}
	return dialect.CommonType(t)
}

// ColumnDef writes an auto-increment key as SERIAL (BIGSERIAL for a big integer).
func (d Dialect) ColumnDef(c *schema.Column) string {
	typ := d.Type(c.Type)
	switch {
	case c.AutoIncrement && c.Type.Kind == schema.BigInteger:
		typ = "BIGSERIAL"
	case c.AutoIncrement:
		typ = "SERIAL"
	}
	dflt := ""
	if c.Default != nil {
		dflt = *c.Default
	}
	return dialect.ColumnDef(d, c, typ, dflt)
}
