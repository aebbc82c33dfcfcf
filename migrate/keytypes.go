package migrate

import (
	"fmt"
	"slices"

	"github.com/microblog/microblog/migrate/schema"
)

// MySQL and MariaDB refuse to change the type of a column that a foreign key uses, on
// either side (error 1833, "Cannot change column 'id': used in a foreign key constraint"),
// and refuse a key between columns of different integer sizes. So when a type change
// reaches a key's column or a referenced column — widening user.id and post.user_id to
// big integers — autogenerate drops the key first, alters the columns, and adds the key
// back last, on every dialect (issue 13, defect 10). A change that would leave a key
// between columns of different types is refused, naming the column to change too.

// retypedKeys returns the foreign keys present, unchanged, in both schemas whose own or
// referenced columns change type, and an error for any key whose two sides would then
// differ in type.
func retypedKeys(from, to *schema.Schema) ([]*schema.ForeignKey, map[*schema.ForeignKey]string, error) {
	typeOf := func(s *schema.Schema, table, col string) (schema.Type, bool) {
		if t := s.Table(table); t != nil {
			if c := t.Column(col); c != nil {
				return c.Type, true
			}
		}
		return schema.Type{}, false
	}
	var keys []*schema.ForeignKey
	owner := map[*schema.ForeignKey]string{}
	for _, t := range to.Tables {
		old := from.Table(t.Name)
		for _, fk := range t.ForeignKeys {
			changed := false
			for i, c := range fk.Columns {
				ct, _ := typeOf(to, t.Name, c)
				rt, ok := typeOf(to, fk.RefTable, fk.RefColumns[i])
				if !ok {
					continue
				}
				oct, had := typeOf(from, t.Name, c)
				ort, hadRef := typeOf(from, fk.RefTable, fk.RefColumns[i])
				moved := had && hadRef && (oct != ct || ort != rt)
				if keyTypesDiffer(ct, rt) && (moved || old == nil || findFK(old, fk.Name) == nil) && (oct == ort || !had || !hadRef) {
					// Suggest changing the side that did not change.
					fixTable, fixCol, fixType := t.Name, c, rt
					if had && oct != ct && ort == rt {
						fixTable, fixCol, fixType = fk.RefTable, fk.RefColumns[i], ct
					}
					return nil, nil, fmt.Errorf("foreign key %q: %s.%s would be %s but %s.%s, which it refers to, %s; MySQL and MariaDB refuse a key between columns of different types: change %s.%s to %s as well, in the same revision",
						fk.Name, t.Name, c, ct.Spec(), fk.RefTable, fk.RefColumns[i], rt.Spec(), fixTable, fixCol, fixType.Spec())
				}
				changed = changed || moved
			}
			if changed && old != nil {
				if ofk := findFK(old, fk.Name); ofk != nil && sameFK(ofk, fk) {
					keys = append(keys, fk)
					owner[fk] = t.Name
				}
			}
		}
	}
	return keys, owner, nil
}

// retypeKeyOps are the ops that take such keys out of the way of the type changes and
// put them back after.
func retypeKeyOps(from, to *schema.Schema) (drops, adds []*Op, err error) {
	keys, owner, err := retypedKeys(from, to)
	if err != nil {
		return nil, nil, err
	}
	for _, fk := range keys {
		drops = append(drops, &Op{Kind: OpDropConstraint, Table: owner[fk], Name: fk.Name})
		f := *fk
		f.Columns, f.RefColumns = slices.Clone(fk.Columns), slices.Clone(fk.RefColumns)
		adds = append(adds, &Op{Kind: OpCreateForeignKey, Table: owner[fk], FK: &f})
	}
	return drops, adds, nil
}

// keyColumnRetyped is lint's warning for a hand-written alter_column that changes the
// type of a column a foreign key uses while the key exists (state is the schema before
// the op), or "" when there is none.
func keyColumnRetyped(state *schema.Schema, op *Op) string {
	if op.Type == nil {
		return ""
	}
	for _, t := range state.Tables {
		for _, fk := range t.ForeignKeys {
			if (t.Name == op.Table && slices.Contains(fk.Columns, op.ColName)) || (fk.RefTable == op.Table && slices.Contains(fk.RefColumns, op.ColName)) {
				return fmt.Sprintf("changes the type of %q.%q, which foreign key %q of %q uses: MySQL and MariaDB refuse (error 1833); drop the key first, alter the columns on both sides alike, then create the key again (db migrate writes it so)", op.Table, op.ColName, fk.Name, t.Name)
			}
		}
	}
	return ""
}

// keyTypesDiffer reports whether MySQL/MariaDB would refuse a foreign key between columns
// of these types: different kinds (integer sizes included), or decimals of another
// precision or scale. String lengths may differ.
func keyTypesDiffer(a, b schema.Type) bool {
	if a.Kind != b.Kind {
		return true
	}
	return a.Kind == schema.Numeric && (a.Precision != b.Precision || a.Scale != b.Scale)
}
