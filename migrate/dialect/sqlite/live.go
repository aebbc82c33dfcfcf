package sqlite

import (
	"github.com/microblog/microblog/migrate/dialect"
	"github.com/microblog/microblog/migrate/schema"
)

// TableExistsQuery looks in sqlite_master.
func (Dialect) TableExistsQuery(table string) string {
	return "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = " + dialect.String(table)
}

// LiveType: enums have no type name.
func (Dialect) LiveType(t schema.Type) schema.Type {
	t.EnumName = ""
	return t
}

// LiveColumnType: an auto-increment key is always INTEGER (the rowid), whatever integer
// type the models give it.
func (d Dialect) LiveColumnType(c *schema.Column) schema.Type {
	if c.AutoIncrement {
		switch c.Type.Kind {
		case schema.BigInteger, schema.SmallInt:
			return schema.Type{Kind: schema.Integer}
		}
	}
	return d.LiveType(c.Type)
}

// LiveFKRule: NO ACTION is the default.
func (Dialect) LiveFKRule(rule string) string {
	if rule == "NO ACTION" {
		return ""
	}
	return rule
}
