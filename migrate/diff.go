package migrate

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/microblog/microblog/migrate/schema"
)

// Diff computes the operations that turn schema from into schema to, and the Alembic-style
// "Detected …" line for each change found. The result is deterministic: tables in
// dependency order, changes in a fixed order within each table.
func Diff(from, to *schema.Schema) ([]*Op, []string, error) {
	var ops []*Op
	var detected []string
	say := func(format string, args ...any) { detected = append(detected, fmt.Sprintf(format, args...)) }

	// Removed tables: children first, and their foreign keys to surviving tables go with them.
	var removed []*schema.Table
	for _, t := range from.Tables {
		if to.Table(t.Name) == nil {
			removed = append(removed, t)
		}
	}

	// Changes to tables present in both, in the order of the target schema. Their
	// foreign keys are dropped first of all, so that tables they referred to can go.
	var later []*Op
	existingDet := map[string][]string{} // Alembic reports changed tables last, by name
	for _, b := range to.Tables {
		a := from.Table(b.Name)
		if a == nil {
			continue
		}
		tops, tdet, err := diffTable(a, b)
		if err != nil {
			return nil, nil, err
		}
		for _, op := range tops {
			if op.Kind == OpDropConstraint && findFK(a, op.Name) != nil {
				ops = append(ops, op)
			} else {
				later = append(later, op)
			}
		}
		existingDet[b.Name] = tdet
	}
	keyDrops, keyAdds, err := retypeKeyOps(from, to)
	if err != nil {
		return nil, nil, err
	}
	ops = append(ops, keyDrops...)
	ops = append(ops, dropKeyOps(dependencyOrder(removed), forwardKeys(dependencyOrder(removed)))...)
	var removedDet []string // Alembic: added tables, then removed ones, then changes
	for _, t := range slices.Backward(dependencyOrder(removed)) {
		removedDet = append(removedDet, removedTableLines(t)...)
		ops = append(ops, &Op{Kind: OpDropTable, Name: t.Name})
	}

	// New tables: parents first, with their indexes.
	var added []*schema.Table
	for _, t := range to.Tables {
		if from.Table(t.Name) == nil {
			added = append(added, t)
		}
	}
	fwd := forwardKeys(dependencyOrder(added))
	for _, t := range dependencyOrder(added) {
		say("Detected added table '%s'", t.Name)
		def := withoutKeys(t.Clone(), fwd[t.Name])
		def.Indexes = nil
		ops = append(ops, &Op{Kind: OpCreateTable, Def: def})
		for _, ix := range sortedIndexes(t.Indexes) {
			say("Detected added index '%s' on '%s'", ix.Name, pyList(ix.Columns))
			ops = append(ops, &Op{Kind: OpCreateIndex, Table: t.Name, Name: ix.Name, Columns: slices.Clone(ix.Columns), Unique: ix.Unique, Desc: slices.Clone(ix.Desc), Where: ix.Where})
		}
	}
	ops = append(ops, addKeyOps(dependencyOrder(added), fwd)...)
	detected = append(detected, removedDet...)
	for _, name := range slices.Sorted(maps.Keys(existingDet)) {
		detected = append(detected, existingDet[name]...)
	}
	return append(append(ops, later...), keyAdds...), detected, nil
}

func sortedIndexes(ixs []*schema.Index) []*schema.Index {
	out := slices.Clone(ixs)
	slices.SortFunc(out, func(a, b *schema.Index) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// pyList renders names as Python prints a list, as Alembic's log lines do: ['a', 'b'].
func pyList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "'" + n + "'"
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// dependencyOrder sorts tables so that a table comes after the tables its foreign keys
// refer to (among the given ones); cycles keep their original order.
func dependencyOrder(tables []*schema.Table) []*schema.Table {
	byName := map[string]*schema.Table{}
	for _, t := range tables {
		byName[t.Name] = t
	}
	state := map[string]int{}
	var out []*schema.Table
	var visit func(t *schema.Table)
	visit = func(t *schema.Table) {
		if state[t.Name] != 0 {
			return
		}
		state[t.Name] = 1
		for _, fk := range t.ForeignKeys {
			if ref, ok := byName[fk.RefTable]; ok && ref != t {
				visit(ref)
			}
		}
		state[t.Name] = 2
		out = append(out, t)
	}
	for _, t := range tables {
		visit(t)
	}
	return out
}

func diffTable(a, b *schema.Table) ([]*Op, []string, error) {
	var ops []*Op
	var lines tableLines // the Detected lines, in Alembic's order whatever the op order
	say := lines.say
	t := b.Name

	if !samePK(a.PrimaryKey, b.PrimaryKey) {
		return nil, nil, fmt.Errorf("table %q: changing the primary key is not supported by autogenerate; write that revision by hand with `db revision`", t)
	}

	// 1. Drop what goes away or changes: foreign keys, indexes, uniques, checks.
	for _, fk := range a.ForeignKeys {
		if other := findFK(b, fk.Name); other == nil || !sameFK(fk, other) {
			say(fkRemovedLine, "Detected removed foreign key (%s)(%s) on table %s", strings.Join(fk.Columns, ", "), strings.Join(fk.RefColumns, ", "), t)
			ops = append(ops, &Op{Kind: OpDropConstraint, Table: t, Name: fk.Name})
		}
	}
	for _, ix := range sortedIndexes(a.Indexes) {
		if other := b.Index(ix.Name); other == nil || !sameIndex(ix, other) {
			lines.named(ixRemovedLine, ix.Name, "Detected removed index '%s' on '%s'", ix.Name, t)
			ops = append(ops, &Op{Kind: OpDropIndex, Table: t, Name: ix.Name})
		}
	}
	for _, u := range a.Uniques {
		if other := findUnique(b, u.Name); other == nil || !slices.Equal(u.Columns, other.Columns) {
			lines.named(ixRemovedLine, u.Name, "Detected removed unique constraint '%s' on '%s'", u.Name, t)
			ops = append(ops, &Op{Kind: OpDropConstraint, Table: t, Name: u.Name})
		}
	}
	for _, c := range a.Checks {
		if other := findCheck(b, c.Name); other == nil || other.Expr != c.Expr {
			say(checkLine, "Detected removed check constraint '%s' on '%s'", c.Name, t)
			ops = append(ops, &Op{Kind: OpDropConstraint, Table: t, Name: c.Name})
		}
	}

	// 2. Columns: added, changed, removed.
	for _, c := range b.Columns {
		if a.Column(c.Name) == nil {
			say(colAddedLine, "Detected added column '%s.%s'", t, c.Name)
			cc := *c
			op := &Op{Kind: OpAddColumn, Table: t, Column: &cc}
			placeColumn(op, a, b)
			ops = append(ops, op)
		}
	}
	for _, c := range b.Columns {
		old := a.Column(c.Name)
		if old == nil {
			continue
		}
		op := &Op{Kind: OpAlterColumn, Table: t, ColName: c.Name}
		if old.Type != c.Type {
			lines.typeChange = fmt.Sprintf("Detected type change from %s to %s on '%s.%s'", old.Type, modelType(c.Type), t, c.Name)
			typ := c.Type
			op.Type = &typ
		}
		if old.Nullable != c.Nullable {
			if c.Nullable {
				say(colChangedLine, "Detected NULL on column '%s.%s'", t, c.Name)
			} else {
				say(colChangedLine, "Detected NOT NULL on column '%s.%s'", t, c.Name)
			}
			n := c.Nullable
			op.Nullable = &n
		}
		if !sameDefault(old.Default, c.Default) {
			lines.defaultChange = fmt.Sprintf("Detected server default on column '%s.%s'", t, c.Name)
			op.DefaultSet = true
			op.Default = c.Default
		}
		lines.endColumn()
		if op.Type != nil || op.Nullable != nil || op.DefaultSet {
			ops = append(ops, op)
		}
	}
	for _, c := range a.Columns {
		if b.Column(c.Name) == nil {
			say(colRemovedLine, "Detected removed column '%s.%s'", t, c.Name)
			ops = append(ops, &Op{Kind: OpDropColumn, Table: t, ColName: c.Name})
		}
	}

	// 3. Create what is new or changed: uniques, checks, indexes, foreign keys.
	for _, u := range b.Uniques {
		if other := findUnique(a, u.Name); other == nil || !slices.Equal(u.Columns, other.Columns) {
			lines.named(ixAddedLine, u.Name, "Detected added unique constraint '%s' on '%s'", u.Name, pyList(u.Columns))
			ops = append(ops, &Op{Kind: OpCreateUnique, Table: t, Name: u.Name, Columns: slices.Clone(u.Columns)})
		}
	}
	for _, c := range b.Checks {
		if other := findCheck(a, c.Name); other == nil || other.Expr != c.Expr {
			say(checkLine, "Detected added check constraint '%s' on '%s'", c.Name, t)
			ck := *c
			ops = append(ops, &Op{Kind: OpCreateCheck, Table: t, Check: &ck})
		}
	}
	for _, ix := range sortedIndexes(b.Indexes) {
		if other := a.Index(ix.Name); other == nil || !sameIndex(ix, other) {
			lines.named(ixAddedLine, ix.Name, "Detected added index '%s' on '%s'", ix.Name, pyList(ix.Columns))
			ops = append(ops, &Op{Kind: OpCreateIndex, Table: t, Name: ix.Name, Columns: slices.Clone(ix.Columns), Unique: ix.Unique, Desc: slices.Clone(ix.Desc), Where: ix.Where})
		}
	}
	for _, fk := range b.ForeignKeys {
		if other := findFK(a, fk.Name); other == nil || !sameFK(fk, other) {
			say(fkAddedLine, "Detected added foreign key (%s)(%s) on table %s", strings.Join(fk.Columns, ", "), strings.Join(fk.RefColumns, ", "), t)
			f := *fk
			ops = append(ops, &Op{Kind: OpCreateForeignKey, Table: t, FK: &f})
		}
	}
	return ops, lines.ordered(), nil
}

func samePK(a, b *schema.PrimaryKey) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return slices.Equal(a.Columns, b.Columns)
}

func sameIndex(a, b *schema.Index) bool {
	return a.Unique == b.Unique && slices.Equal(a.Columns, b.Columns) && sameDesc(a, b) && a.Where == b.Where
}

func sameFK(a, b *schema.ForeignKey) bool {
	rule := func(s string) string {
		if s == "NO ACTION" {
			return ""
		}
		return s
	}
	return a.RefTable == b.RefTable && slices.Equal(a.Columns, b.Columns) && slices.Equal(a.RefColumns, b.RefColumns) &&
		rule(a.OnDelete) == rule(b.OnDelete) && rule(a.OnUpdate) == rule(b.OnUpdate)
}

func sameDefault(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func findFK(t *schema.Table, name string) *schema.ForeignKey {
	for _, fk := range t.ForeignKeys {
		if fk.Name == name {
			return fk
		}
	}
	return nil
}

func findUnique(t *schema.Table, name string) *schema.Unique {
	for _, u := range t.Uniques {
		if u.Name == name {
			return u
		}
	}
	return nil
}

func findCheck(t *schema.Table, name string) *schema.Check {
	for _, c := range t.Checks {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// DependencyOrder sorts tables so that each comes after the tables it refers to.
func DependencyOrder(tables []*schema.Table) []*schema.Table { return dependencyOrder(tables) }
