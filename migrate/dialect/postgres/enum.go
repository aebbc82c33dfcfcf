package postgres

import (
	"fmt"
	"slices"

	"github.com/microblog/microblog/migrate/dialect"
	"github.com/microblog/microblog/migrate/ops"
	"github.com/microblog/microblog/migrate/schema"
)

// Enums are native types: CREATE TYPE … AS ENUM, created before the first column that
// uses it and dropped after the last one goes.

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

// enumsOf lists the enum types a schema's columns use, by name.
func enumsOf(s *schema.Schema) map[string]schema.Type {
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

// enumTypes puts CREATE TYPE before an operation's statements for the enum types it
// brings in, and DROP TYPE after them for those it leaves unused. A type whose values
// change is replaced (see replaceEnum).
func (d Dialect) enumTypes(before, after *schema.Schema, op *ops.Op, p dialect.Plan) (dialect.Plan, error) {
	if t := op.TableName(); t == "" || !(hasEnum(before.Table(t)) || hasEnum(after.Table(t))) {
		return p, nil // only an op on a table with an enum column can bring in or leave a type
	}
	had, has := enumsOf(before), enumsOf(after)
	if len(had) == 0 && len(has) == 0 {
		return p, nil
	}
	// A type changes when a column of it has other values than it had (another column
	// of the same type may still have the old ones: replaceEnum refuses that case).
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
			pre = append(pre, fmt.Sprintf("CREATE TYPE %s AS ENUM (%s)", d.Quote(name), has[name].EnumArgs()))
		}
	}
	for _, name := range sortedTypeNames(changed) {
		stmts, err := d.replaceEnum(before, after, name, had[name], changed[name])
		if err != nil {
			return dialect.Plan{}, err
		}
		pre = append(pre, stmts...)
	}
	for _, name := range sortedTypeNames(had) {
		if _, ok := has[name]; !ok {
			post = append(post, "DROP TYPE "+d.Quote(name))
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

// replaceEnum changes an enum type's values the way PostgreSQL allows for any change
// (it cannot drop a value, and ADD VALUE cannot be used in the transaction that adds it):
// the old type is renamed, the new one created, the column converted through text — a
// row holding a value the new type lacks makes the conversion, and so the revision, fail
// with nothing changed — and the old type dropped. Only a type that one column uses.
func (d Dialect) replaceEnum(before, after *schema.Schema, name string, old, nw schema.Type) ([]string, error) {
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
		return fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s %s", d.Quote(tbl), d.Quote(col), clause)
	}
	stmts := []string{
		fmt.Sprintf("ALTER TYPE %s RENAME TO %s", d.Quote(name), d.Quote(oldName)),
		fmt.Sprintf("CREATE TYPE %s AS ENUM (%s)", d.Quote(name), nw.EnumArgs()),
	}
	if bt := before.Table(tbl); bt != nil && bt.Column(col) != nil && bt.Column(col).Default != nil {
		stmts = append(stmts, alter("DROP DEFAULT")) // a default of the old type would block the conversion
	}
	stmts = append(stmts, alter(fmt.Sprintf("TYPE %s USING %s::text::%s", d.Quote(name), d.Quote(col), d.Quote(name))))
	if c := after.Table(tbl).Column(col); c.Default != nil {
		stmts = append(stmts, alter("SET DEFAULT "+*c.Default))
	}
	return append(stmts, "DROP TYPE "+d.Quote(oldName)), nil
}
