package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/microblog/microblog/migrate/schema"
)

// Enums: a native type on PostgreSQL (CREATE TYPE … AS ENUM, created before the first
// column that uses it and dropped after the last one goes) and MySQL/MariaDB (ENUM(…)
// inline); on SQLite a VARCHAR as long as the longest value with a CHECK (col IN (…)).

func (r renderer) enumType(t schema.Type) string {
	switch r.dialect {
	case Postgres:
		return r.q(t.EnumName)
	case MySQL:
		return "ENUM(" + t.EnumArgs() + ")"
	}
	n := 1
	for _, v := range t.EnumValues() {
		n = max(n, len(v))
	}
	return fmt.Sprintf("VARCHAR(%d)", n)
}

func hasEnum(t *schema.Table) bool {
	if t == nil {
		return false
	}
	for _, c := range t.Columns {
		if c.Type.Kind == schema.Enum {
			return true
		}
	}
	return false
}

// enumTypes lists the PostgreSQL enum types a schema's columns use, by name.
func enumTypes(s *schema.Schema) map[string]schema.Type {
	out := map[string]schema.Type{}
	for _, t := range s.Tables {
		for _, c := range t.Columns {
			if c.Type.Kind == schema.Enum {
				out[c.Type.EnumName] = c.Type
			}
		}
	}
	return out
}

// pgEnumTypes puts CREATE TYPE before an operation's statements for the enum types it
// brings in, and DROP TYPE after them for those it leaves unused. Changing an existing
// type's values is refused: PostgreSQL cannot drop a value, and ADD VALUE cannot run in
// the revision's transaction before version 12.
func pgEnumTypes(r renderer, before, after *schema.Schema, op *Op, p Plan) (Plan, error) {
	if t := op.TableName(); t == "" || !(hasEnum(before.Table(t)) || hasEnum(after.Table(t))) {
		return p, nil // only an op on a table with an enum column can bring in or leave a type
	}
	had, has := enumTypes(before), enumTypes(after)
	if len(had) == 0 && len(has) == 0 {
		return p, nil
	}
	var pre, post []string
	for _, name := range sortedTypeNames(has) {
		old, ok := had[name]
		switch {
		case !ok:
			pre = append(pre, fmt.Sprintf("CREATE TYPE %s AS ENUM (%s)", r.q(name), has[name].EnumArgs()))
		case old.Values != has[name].Values:
			return Plan{}, fmt.Errorf("migrate: enum type %q changes its values (%s to %s): not supported on PostgreSQL yet; give the new set of values another type name (enum:NAME(…)) or write the revision by hand with execute", name, old.Values, has[name].Values)
		}
	}
	for _, name := range sortedTypeNames(had) {
		if _, ok := has[name]; !ok {
			post = append(post, "DROP TYPE "+r.q(name))
		}
	}
	p.Statements = append(append(pre, p.Statements...), post...)
	return p, nil
}

func sortedTypeNames(m map[string]schema.Type) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// pgEnums reads the enum columns of a PostgreSQL table (information_schema calls their
// type USER-DEFINED) with their type's name and values.
func pgEnums(ctx context.Context, db *sql.DB, t *schema.Table) error {
	rows, err := db.QueryContext(ctx, `SELECT a.attname, ty.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
		FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid JOIN pg_type ty ON ty.oid = a.atttypid JOIN pg_enum e ON e.enumtypid = ty.oid
		WHERE r.relname = $1 AND r.relnamespace = current_schema()::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
		GROUP BY a.attname, ty.typname`, t.Name)
	if err != nil {
		return fmt.Errorf("inspect enum columns of %s: %w", t.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var col, name, vals string
		if err := rows.Scan(&col, &name, &vals); err != nil {
			return fmt.Errorf("inspect enum columns of %s: %w", t.Name, err)
		}
		if c := t.Column(col); c != nil {
			c.Type = schema.Type{Kind: schema.Enum, EnumName: name, Values: vals}
		}
	}
	return rows.Err()
}

var sqliteEnumCheck = regexp.MustCompile(`"([^"]+)" VARCHAR\(\d+\)[^,\n]* CHECK \("[^"]+" IN \(((?:'[^']*'(?:, )?)+)\)\)`)

// sqliteEnums reads back the enum columns a SQLite table's DDL declares the way the
// renderer writes them: "col" VARCHAR(n) … CHECK ("col" IN ('a', 'b')).
func sqliteEnums(t *schema.Table, ddl string) {
	for _, m := range sqliteEnumCheck.FindAllStringSubmatch(ddl, -1) {
		c := t.Column(m[1])
		if c == nil {
			continue
		}
		var vals []string
		for _, v := range strings.Split(m[2], ", ") {
			vals = append(vals, strings.Trim(v, "'"))
		}
		c.Type = schema.Type{Kind: schema.Enum, Values: strings.Join(vals, ",")}
	}
}
