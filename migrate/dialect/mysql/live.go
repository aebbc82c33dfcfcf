package mysql

import (
	"github.com/microblog/microblog/migrate/dialect"
	"github.com/microblog/microblog/migrate/schema"
)

// TableExistsQuery looks in information_schema, in the current database.
func (Dialect) TableExistsQuery(table string) string {
	return "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = " + dialect.String(table)
}

// LiveType: a timezone-aware timestamp is a DATETIME(6) (holding UTC), which compares
// equal to a plain one; enums have no type name.
func (Dialect) LiveType(t schema.Type) schema.Type {
	if t.Kind == schema.DateTime {
		t.Timezone = false
	}
	t.EnumName = ""
	return t
}

// LiveColumnType is LiveType of the column's type.
func (d Dialect) LiveColumnType(c *schema.Column) schema.Type { return d.LiveType(c.Type) }

// LiveFKRule: InnoDB does not tell RESTRICT from NO ACTION, the default.
func (Dialect) LiveFKRule(rule string) string {
	if rule == "NO ACTION" || rule == "RESTRICT" {
		return ""
	}
	return rule
}
