package migrate

import (
	"slices"

	"github.com/microblog/microblog/migrate/schema"
)

// forwardKeys returns the foreign keys of tables (in creation order) that refer to a table
// coming later in that order: tables that refer to each other, directly or round a longer
// cycle, cannot all be created with their keys inline. Like Alembic's use_alter, such keys
// are added with create_foreign_key once every table exists, and dropped before the tables
// on the way down (issue 13, defect 7). Self-references are not forward: a table can
// refer to itself in its CREATE TABLE.
func forwardKeys(order []*schema.Table) map[string][]*schema.ForeignKey {
	pos := map[string]int{}
	for i, t := range order {
		pos[t.Name] = i
	}
	out := map[string][]*schema.ForeignKey{}
	for i, t := range order {
		for _, fk := range t.ForeignKeys {
			if j, ok := pos[fk.RefTable]; ok && j > i {
				out[t.Name] = append(out[t.Name], fk)
			}
		}
	}
	return out
}

// withoutKeys returns def without the given foreign keys.
func withoutKeys(def *schema.Table, fks []*schema.ForeignKey) *schema.Table {
	if len(fks) == 0 {
		return def
	}
	def.ForeignKeys = slices.DeleteFunc(def.ForeignKeys, func(fk *schema.ForeignKey) bool {
		return slices.ContainsFunc(fks, func(x *schema.ForeignKey) bool { return x.Name == fk.Name })
	})
	return def
}

// addKeyOps are the create_foreign_key ops of the forward keys, in creation order.
func addKeyOps(order []*schema.Table, fwd map[string][]*schema.ForeignKey) []*Op {
	var ops []*Op
	for _, t := range order {
		for _, fk := range fwd[t.Name] {
			f := *fk
			f.Columns, f.RefColumns = slices.Clone(fk.Columns), slices.Clone(fk.RefColumns)
			ops = append(ops, &Op{Kind: OpCreateForeignKey, Table: t.Name, FK: &f})
		}
	}
	return ops
}

// dropKeyOps are the drop_constraint ops that let tables referring to each other be
// dropped children first.
func dropKeyOps(order []*schema.Table, fwd map[string][]*schema.ForeignKey) []*Op {
	var ops []*Op
	for _, t := range slices.Backward(order) {
		for _, fk := range fwd[t.Name] {
			ops = append(ops, &Op{Kind: OpDropConstraint, Table: t.Name, Name: fk.Name})
		}
	}
	return ops
}
