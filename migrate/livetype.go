package migrate

import (
	"github.com/microblog/microblog/migrate/dialect"
	"github.com/microblog/microblog/migrate/schema"
)

// LiveType is the type the database of the built-in dialect named dialect keeps for t, as
// inspection reads it back (see dialect.Inspector.LiveType): MySQL and MariaDB have no
// timezone-aware timestamp, so a timestamptz column is a DATETIME(6) there (holding UTC)
// and compares equal to a plain datetime; an enum's type name exists on PostgreSQL only.
// An unknown dialect returns t.
func LiveType(t schema.Type, dialect string) schema.Type {
	if d, ok := LookupDialect(dialect); ok {
		return d.LiveType(t)
	}
	return t
}

// liveSpec is a column's type as the dialect reports it back (SQLite's auto-increment key
// is always INTEGER, the rowid, whatever integer type the models give it).
func liveSpec(c *schema.Column, d dialect.Dialect) string {
	return d.LiveColumnType(c).Spec()
}
