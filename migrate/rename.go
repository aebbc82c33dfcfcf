package migrate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/microblog/microblog/migrate/schema"
)

// Renames are rename hints for autogenerate: Tables maps an old table name to its new
// one; Columns maps "table.old" (table named as in the target schema) to the new column
// name. Without a hint a rename looks like a drop and an add, which loses the data.
type Renames struct {
	Tables  map[string]string
	Columns map[string]string
}

// ParseRename reads one --rename hint: "old=new" for a table, "table.old=new" for a
// column.
func (r *Renames) ParseRename(hint string) error {
	old, nw, ok := strings.Cut(hint, "=")
	if !ok || old == "" || nw == "" {
		return fmt.Errorf("--rename %q: want old=new (a table) or table.old=new (a column)", hint)
	}
	if r.Tables == nil {
		r.Tables, r.Columns = map[string]string{}, map[string]string{}
	}
	if strings.Contains(old, ".") {
		r.Columns[old] = strings.TrimPrefix(nw, strings.SplitN(old, ".", 2)[0]+".")
	} else {
		r.Tables[old] = nw
	}
	return nil
}

// Inverse returns the hints for the opposite direction (for the downgrade).
func (r Renames) Inverse() Renames {
	inv := Renames{Tables: map[string]string{}, Columns: map[string]string{}}
	back := map[string]string{}
	for o, n := range r.Tables {
		inv.Tables[n] = o
		back[n] = o
	}
	for k, n := range r.Columns {
		table, old, _ := strings.Cut(k, ".")
		if o, ok := back[table]; ok {
			table = o
		}
		inv.Columns[table+"."+n] = old
	}
	return inv
}

// DiffRenaming is Diff with rename hints: hinted renames become rename_table and
// rename_column operations (keeping the rows) before the remaining differences.
func DiffRenaming(from, to *schema.Schema, r Renames) ([]*Op, []string, error) {
	work := from.Clone()
	var ops []*Op
	var detected []string
	for _, old := range sortedKeys(r.Tables) {
		nw := r.Tables[old]
		op := &Op{Kind: OpRenameTable, Name: old, NewName: nw}
		if err := Apply(work, op); err != nil {
			return nil, nil, fmt.Errorf("--rename %s=%s: %w", old, nw, err)
		}
		if to.Table(nw) == nil {
			return nil, nil, fmt.Errorf("--rename %s=%s: the models have no table %q", old, nw, nw)
		}
		ops = append(ops, op)
		detected = append(detected, fmt.Sprintf("Detected renamed table '%s' to '%s'", old, nw))
	}
	for _, key := range sortedKeys(r.Columns) {
		table, old, _ := strings.Cut(key, ".")
		nw := r.Columns[key]
		op := &Op{Kind: OpRenameColumn, Table: table, ColName: old, NewName: nw}
		if err := Apply(work, op); err != nil {
			return nil, nil, fmt.Errorf("--rename %s=%s: %w", key, nw, err)
		}
		ops = append(ops, op)
		detected = append(detected, fmt.Sprintf("Detected renamed column '%s.%s' to '%s.%s'", table, old, table, nw))
	}
	rest, more, err := Diff(work, to)
	if err != nil {
		return nil, nil, err
	}
	return append(ops, rest...), append(detected, more...), nil
}

// RenameCandidates lists, as --rename hints, the removed tables and columns that have an
// added counterpart of the same shape (tables: the same column types in the same order;
// columns: the same type and nullability), which may be renames.
func RenameCandidates(from, to *schema.Schema) []string {
	var out []string
	for _, old := range from.Tables {
		if to.Table(old.Name) != nil {
			continue
		}
		for _, nw := range to.Tables {
			if from.Table(nw.Name) == nil && sameShape(old, nw) {
				out = append(out, old.Name+"="+nw.Name)
			}
		}
	}
	for _, nt := range to.Tables {
		ot := from.Table(nt.Name)
		if ot == nil {
			continue
		}
		for _, oc := range ot.Columns {
			if nt.Column(oc.Name) != nil {
				continue
			}
			for _, nc := range nt.Columns {
				if ot.Column(nc.Name) == nil && nc.Type == oc.Type && nc.Nullable == oc.Nullable {
					out = append(out, nt.Name+"."+oc.Name+"="+nc.Name)
				}
			}
		}
	}
	return out
}

func sameShape(a, b *schema.Table) bool {
	if len(a.Columns) != len(b.Columns) {
		return false
	}
	for i, c := range a.Columns {
		d := b.Columns[i]
		if c.Type != d.Type || c.Nullable != d.Nullable {
			return false
		}
	}
	return true
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
