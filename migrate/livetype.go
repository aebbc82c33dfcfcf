package migrate

import "github.com/microblog/microblog/migrate/schema"

// LiveType is the type a dialect's database keeps for t, as inspection reads it back:
// MySQL and MariaDB have no timezone-aware timestamp, so a timestamptz column is a
// DATETIME(6) there (holding UTC) and compares equal to a plain datetime; an enum's
// type name exists on PostgreSQL only.
func LiveType(t schema.Type, dialect string) schema.Type {
	if dialect == MySQL && t.Kind == schema.DateTime {
		t.Timezone = false
	}
	if dialect != Postgres {
		t.EnumName = "" // only PostgreSQL's enums are types with names
	}
	return t
}

// liveFKRule is a foreign key's action as the dialect's database reads it back: NO ACTION
// is the default everywhere, and InnoDB does not tell RESTRICT from it.
func liveFKRule(rule, dialect string) string {
	if rule == "NO ACTION" || (dialect == MySQL && rule == "RESTRICT") {
		return ""
	}
	return rule
}
