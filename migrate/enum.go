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
// brings in, and DROP TYPE after them for those it leaves unused. A type whose values
// change is replaced (see pgReplaceEnum).
func pgEnumTypes(r renderer, before, after *schema.Schema, op *Op, p Plan) (Plan, error) {
	if t := op.TableName(); t == "" || !(hasEnum(before.Table(t)) || hasEnum(after.Table(t))) {
		return p, nil // only an op on a table with an enum column can bring in or leave a type
	}
	had, has := enumTypes(before), enumTypes(after)
	if len(had) == 0 && len(has) == 0 {
		return p, nil
	}
	// A type changes when a column of it has other values than it had (another column
	// of the same type may still have the old ones: pgReplaceEnum refuses that case).
	changed := map[string]schema.Type{}
	for _, t := range after.Tables {
		for _, c := range t.Columns {
			if old, ok := had[c.Type.EnumName]; ok && c.Type.Kind == schema.Enum && c.Type.Values != old.Values {
				changed[c.Type.EnumName] = c.Type
			}
		}
	}
	var pre, post []string
	for _, name := range sortedTypeNames(has) {
		if _, ok := had[name]; !ok {
			pre = append(pre, fmt.Sprintf("CREATE TYPE %s AS ENUM (%s)", r.q(name), has[name].EnumArgs()))
		}
	}
	for _, name := range sortedTypeNames(changed) {
		stmts, err := r.pgReplaceEnum(before, after, name, had[name], changed[name])
		if err != nil {
			return Plan{}, err
		}
		pre = append(pre, stmts...)
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

// pgReplaceEnum changes an enum type's values the way PostgreSQL allows for any change
// (it cannot drop a value, and ADD VALUE cannot be used in the transaction that adds it):
// the old type is renamed, the new one created, the column converted through text — a
// row holding a value the new type lacks makes the conversion, and so the revision, fail
// with nothing changed — and the old type dropped. Only a type that one column uses.
func (r renderer) pgReplaceEnum(before, after *schema.Schema, name string, old, nw schema.Type) ([]string, error) {
	var users [][2]string
	for _, t := range after.Tables {
		for _, c := range t.Columns {
			if c.Type.Kind == schema.Enum && c.Type.EnumName == name {
				users = append(users, [2]string{t.Name, c.Name})
			}
		}
	}
	if len(users) != 1 {
		return nil, fmt.Errorf("migrate: enum type %q changes its values (%s to %s) and %d columns use it: not supported on PostgreSQL; give the new set of values another type name (enum:NAME(…)) or write the revision by hand with execute", name, old.Values, nw.Values, len(users))
	}
	tbl, col := users[0][0], users[0][1]
	oldName := name + "_old"
	alter := func(clause string) string {
		return fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s %s", r.q(tbl), r.q(col), clause)
	}
	stmts := []string{
		fmt.Sprintf("ALTER TYPE %s RENAME TO %s", r.q(name), r.q(oldName)),
		fmt.Sprintf("CREATE TYPE %s AS ENUM (%s)", r.q(name), nw.EnumArgs()),
	}
	if bt := before.Table(tbl); bt != nil && bt.Column(col) != nil && bt.Column(col).Default != nil {
		stmts = append(stmts, alter("DROP DEFAULT")) // a default of the old type would block the conversion
	}
	stmts = append(stmts, alter(fmt.Sprintf("TYPE %s USING %s::text::%s", r.q(name), r.q(col), r.q(name))))
	if c := after.Table(tbl).Column(col); c.Default != nil {
		stmts = append(stmts, alter("SET DEFAULT "+r.defaultSQL(c)))
	}
	return append(stmts, "DROP TYPE "+r.q(oldName)), nil
}
