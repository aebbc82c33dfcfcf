package migrate

import "github.com/microblog/microblog/migrate/schema"

// applied returns the schema after op, leaving s as it was. The result shares with s
// every table op does not change (a revision of 1,500 operations on 500 tables must not
// copy the whole schema 1,500 times): only the table op touches is copied, and the list
// of tables. Renames reach into other tables' foreign keys, so they copy everything.
// Neither s nor the result may be changed in place afterwards; apply further ops with
// applied again.
func applied(s *schema.Schema, op *Op) (*schema.Schema, error) {
	var next *schema.Schema
	switch op.Kind {
	case OpRenameTable, OpRenameColumn:
		next = s.Clone()
	case OpExecute, OpRequire:
		next = s // Apply only checks them
	default:
		next = &schema.Schema{Tables: make([]*schema.Table, len(s.Tables), len(s.Tables)+1)}
		copy(next.Tables, s.Tables)
		if op.Kind != OpCreateTable {
			name := op.TableName()
			for i, t := range next.Tables {
				if t.Name == name {
					next.Tables[i] = t.Clone()
					break
				}
			}
		}
	}
	if err := Apply(next, op); err != nil {
		return nil, err
	}
	return next, nil
}
