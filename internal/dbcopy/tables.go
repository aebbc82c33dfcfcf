package dbcopy

import (
	"fmt"
	"slices"

	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/migrate/bunschema"
	"github.com/microblog/microblog/migrate/schema"
)

// table is one table to copy: its columns, how to read them, its primary key.
type table struct {
	name    string
	cols    []string
	kinds   []kind
	pk      []string
	autoInc string // the autoincrement column, "" for none
}

// Tables lists the tables db copy copies — every table of the app's models — parents
// before children, so that each foreign key finds its row.
func Tables() ([]string, error) {
	ts, err := appTables()
	if err != nil {
		return nil, err
	}
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.name
	}
	return names, nil
}

// appTables reads the app's schema from its models and orders it by foreign keys (the
// models' own order breaks ties, so the order is stable).
func appTables() ([]*table, error) {
	s, err := bunschema.FromModels(models.All()...)
	if err != nil {
		return nil, fmt.Errorf("dbcopy: the models' schema: %w", err)
	}
	var ordered []*schema.Table
	placed := map[string]bool{}
	for len(ordered) < len(s.Tables) {
		progress := false
		for _, t := range s.Tables {
			if placed[t.Name] {
				continue
			}
			ready := true
			for _, fk := range t.ForeignKeys {
				if fk.RefTable != t.Name && !placed[fk.RefTable] {
					ready = false
				}
			}
			if ready {
				ordered = append(ordered, t)
				placed[t.Name] = true
				progress = true
			}
		}
		if !progress {
			return nil, fmt.Errorf("dbcopy: the foreign keys between the tables form a cycle")
		}
	}
	out := make([]*table, 0, len(ordered))
	for _, t := range ordered {
		ct := &table{name: t.Name}
		if t.PrimaryKey == nil || len(t.PrimaryKey.Columns) == 0 {
			return nil, fmt.Errorf("dbcopy: table %s has no primary key", t.Name)
		}
		ct.pk = slices.Clone(t.PrimaryKey.Columns)
		for _, c := range t.Columns {
			k, err := kindOf(c.Type)
			if err != nil {
				return nil, fmt.Errorf("dbcopy: column %s.%s: %w", t.Name, c.Name, err)
			}
			ct.cols = append(ct.cols, c.Name)
			ct.kinds = append(ct.kinds, k)
			if c.AutoIncrement {
				ct.autoInc = c.Name
			}
		}
		out = append(out, ct)
	}
	return out, nil
}
