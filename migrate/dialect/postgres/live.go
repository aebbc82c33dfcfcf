package postgres

import (
	"github.com/microblog/microblog/migrate/dialect"
	"github.com/microblog/microblog/migrate/schema"
)

// TableExistsQuery looks in information_schema, in the current schema.
func (Dialect) TableExistsQuery(table string) string {
	return "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = " + dialect.String(table)
}

// LiveType is t: PostgreSQL keeps every portable type, enums with their type names.
func (Dialect) LiveType(t schema.Type) schema.Type { return t }

// LiveColumnType is LiveType of the column's type.
func (d Dialect) LiveColumnType(c *schema.Column) schema.Type { return d.LiveType(c.Type) }

// LiveFKRule: NO ACTION is the default.
func (Dialect) LiveFKRule(rule string) string {
	if rule == "NO ACTION" {
		return ""
	}
	return rule
}
