package migrate

import (
	"fmt"
	"slices"

	"github.com/microblog/microblog/migrate/ops"
	"github.com/microblog/microblog/migrate/schema"
)

// Apply replays op on the in-memory schema s, checking that it makes sense there (the
// table exists, the column does not yet, …). It is how the engine knows the schema at
// every revision without a database.
func Apply(s *schema.Schema, op *Op) error {
	if op.Kind == OpExecute {
		return nil
	}
	if op.Kind == OpRequire {
		for _, t := range op.Tables {
			if s.Table(t) == nil {
				return fmt.Errorf("require: tables: no table %q at this point of the history", t)
			}
		}
		return nil
	}
	if op.Kind == OpCreateTable {
		if s.Table(op.Def.Name) != nil {
			return fmt.Errorf("create_table: table %q already exists", op.Def.Name)
		}
		if err := checkTable(s, op.Def); err != nil {
			return fmt.Errorf("create_table %q: %w", op.Def.Name, err)
		}
		s.Tables = append(s.Tables, op.Def.Clone())
		return nil
	}
	t := s.Table(op.TableName())
	if t == nil {
		return fmt.Errorf("%s: no table %q", op.Kind, op.TableName())
	}
	col := func(name string) (*schema.Column, error) {
		c := t.Column(name)
		if c == nil {
			return nil, fmt.Errorf("%s: no column %q in table %q", op.Kind, name, t.Name)
		}
		return c, nil
	}
	switch op.Kind {
	case OpDropTable:
		for _, other := range s.Tables {
			for _, fk := range other.ForeignKeys {
				if fk.RefTable == t.Name && other != t {
					return fmt.Errorf("drop_table %q: table %q still refers to it (foreign key %q)", t.Name, other.Name, fk.Name)
				}
			}
		}
		s.Tables = slices.DeleteFunc(s.Tables, func(x *schema.Table) bool { return x == t })
	case OpRenameTable:
		if s.Table(op.NewName) != nil {
			return fmt.Errorf("rename_table: table %q already exists", op.NewName)
		}
		for _, other := range s.Tables {
			for _, fk := range other.ForeignKeys {
				if fk.RefTable == t.Name {
					fk.RefTable = op.NewName
				}
			}
		}
		t.Name = op.NewName
	case OpAddColumn:
		if t.Column(op.Column.Name) != nil {
			return fmt.Errorf("add_column: column %q already exists in table %q", op.Column.Name, t.Name)
		}
		c := *op.Column
		at, err := ops.Position(t, op)
		if err != nil {
			return err
		}
		t.Columns = slices.Insert(t.Columns, at, &c)
	case OpDropColumn:
		if _, err := col(op.ColName); err != nil {
			return err
		}
		if t.PrimaryKey != nil && slices.Contains(t.PrimaryKey.Columns, op.ColName) {
			return fmt.Errorf("drop_column: column %q is part of the primary key of %q", op.ColName, t.Name)
		}
		for _, other := range s.Tables {
			for _, fk := range other.ForeignKeys {
				if fk.RefTable == t.Name && slices.Contains(fk.RefColumns, op.ColName) {
					return fmt.Errorf("drop_column: %s.%s is referenced by foreign key %q of %q", t.Name, op.ColName, fk.Name, other.Name)
				}
			}
		}
		t.Columns = slices.DeleteFunc(t.Columns, func(c *schema.Column) bool { return c.Name == op.ColName })
		// Indexes and constraints on the column go with it, as in every database.
		t.Indexes = slices.DeleteFunc(t.Indexes, func(ix *schema.Index) bool { return slices.Contains(ix.Columns, op.ColName) })
		t.Uniques = slices.DeleteFunc(t.Uniques, func(u *schema.Unique) bool { return slices.Contains(u.Columns, op.ColName) })
		t.ForeignKeys = slices.DeleteFunc(t.ForeignKeys, func(fk *schema.ForeignKey) bool { return slices.Contains(fk.Columns, op.ColName) })
	case OpAlterColumn:
		c, err := col(op.ColName)
		if err != nil {
			return err
		}
		if op.Type != nil {
			c.Type = *op.Type
		}
		if op.Nullable != nil {
			c.Nullable = *op.Nullable
		}
		if op.DefaultSet {
			c.Default = op.Default
		}
	case OpRenameColumn:
		c, err := col(op.ColName)
		if err != nil {
			return err
		}
		if t.Column(op.NewName) != nil {
			return fmt.Errorf("rename_column: column %q already exists in table %q", op.NewName, t.Name)
		}
		rename := func(list []string) {
			for i, n := range list {
				if n == op.ColName {
					list[i] = op.NewName
				}
			}
		}
		c.Name = op.NewName
		if t.PrimaryKey != nil {
			rename(t.PrimaryKey.Columns)
		}
		for _, ix := range t.Indexes {
			rename(ix.Columns)
		}
		for _, u := range t.Uniques {
			rename(u.Columns)
		}
		for _, fk := range t.ForeignKeys {
			rename(fk.Columns)
		}
		for _, other := range s.Tables {
			for _, fk := range other.ForeignKeys {
				if fk.RefTable == t.Name {
					rename(fk.RefColumns)
				}
			}
		}
	case OpCreateIndex:
		if err := nameFree(s, op.Name); err != nil {
			return fmt.Errorf("create_index: %w", err)
		}
		if err := haveColumns(t, op.Columns); err != nil {
			return fmt.Errorf("create_index %q: %w", op.Name, err)
		}
		for _, c := range op.Desc {
			if !slices.Contains(op.Columns, c) {
				return fmt.Errorf("create_index %q: desc column %q is not one of its columns", op.Name, c)
			}
		}
		t.Indexes = append(t.Indexes, &schema.Index{Name: op.Name, Columns: slices.Clone(op.Columns), Unique: op.Unique, Desc: slices.Clone(op.Desc), Where: op.Where})
	case OpDropIndex:
		if t.Index(op.Name) == nil {
			return fmt.Errorf("drop_index: no index %q on table %q", op.Name, t.Name)
		}
		t.Indexes = slices.DeleteFunc(t.Indexes, func(ix *schema.Index) bool { return ix.Name == op.Name })
	case OpCreateUnique:
		if err := nameFree(s, op.Name); err != nil {
			return fmt.Errorf("create_unique: %w", err)
		}
		if err := haveColumns(t, op.Columns); err != nil {
			return fmt.Errorf("create_unique %q: %w", op.Name, err)
		}
		t.Uniques = append(t.Uniques, &schema.Unique{Name: op.Name, Columns: slices.Clone(op.Columns)})
	case OpCreateForeignKey:
		if err := nameFree(s, op.FK.Name); err != nil {
			return fmt.Errorf("create_foreign_key: %w", err)
		}
		if err := checkFK(s, t, op.FK); err != nil {
			return fmt.Errorf("create_foreign_key %q: %w", op.FK.Name, err)
		}
		fk := *op.FK
		t.ForeignKeys = append(t.ForeignKeys, &fk)
	case OpCreateCheck:
		if err := nameFree(s, op.Check.Name); err != nil {
			return fmt.Errorf("create_check: %w", err)
		}
		ck := *op.Check
		t.Checks = append(t.Checks, &ck)
	case OpDropConstraint:
		n := len(t.Uniques) + len(t.ForeignKeys) + len(t.Checks)
		t.Uniques = slices.DeleteFunc(t.Uniques, func(u *schema.Unique) bool { return u.Name == op.Name })
		t.ForeignKeys = slices.DeleteFunc(t.ForeignKeys, func(f *schema.ForeignKey) bool { return f.Name == op.Name })
		t.Checks = slices.DeleteFunc(t.Checks, func(c *schema.Check) bool { return c.Name == op.Name })
		if len(t.Uniques)+len(t.ForeignKeys)+len(t.Checks) == n {
			return fmt.Errorf("drop_constraint: no unique, foreign key or check constraint %q on table %q", op.Name, t.Name)
		}
	default:
		return fmt.Errorf("unknown operation %q", op.Kind)
	}
	return nil
}

// ConstraintKind tells what kind of constraint name is on t: "unique", "foreign key",
// "check", or "".
func ConstraintKind(t *schema.Table, name string) string { return t.ConstraintKind(name) }

func checkTable(s *schema.Schema, t *schema.Table) error {
	seen := map[string]bool{}
	for _, c := range t.Columns {
		if seen[c.Name] {
			return fmt.Errorf("column %q declared twice", c.Name)
		}
		seen[c.Name] = true
	}
	if len(t.Columns) == 0 {
		return fmt.Errorf("a table needs at least one column")
	}
	if t.PrimaryKey != nil {
		if err := haveColumns(t, t.PrimaryKey.Columns); err != nil {
			return fmt.Errorf("primary key: %w", err)
		}
	}
	for _, u := range t.Uniques {
		if err := haveColumns(t, u.Columns); err != nil {
			return fmt.Errorf("unique %q: %w", u.Name, err)
		}
	}
	for _, ix := range t.Indexes {
		if err := haveColumns(t, ix.Columns); err != nil {
			return fmt.Errorf("index %q: %w", ix.Name, err)
		}
	}
	for _, fk := range t.ForeignKeys {
		if err := checkFK(s, t, fk); err != nil {
			return fmt.Errorf("foreign key %q: %w", fk.Name, err)
		}
	}
	return nil
}

func checkFK(s *schema.Schema, t *schema.Table, fk *schema.ForeignKey) error {
	if err := haveColumns(t, fk.Columns); err != nil {
		return err
	}
	ref := s.Table(fk.RefTable)
	if fk.RefTable == t.Name {
		ref = t
	}
	if ref == nil {
		return fmt.Errorf("referenced table %q does not exist", fk.RefTable)
	}
	if len(fk.RefColumns) != len(fk.Columns) {
		return fmt.Errorf("%d columns refer to %d columns", len(fk.Columns), len(fk.RefColumns))
	}
	return haveColumns(ref, fk.RefColumns)
}

func haveColumns(t *schema.Table, cols []string) error {
	if len(cols) == 0 {
		return fmt.Errorf("no columns given")
	}
	for _, c := range cols {
		if t.Column(c) == nil {
			return fmt.Errorf("no column %q in table %q", c, t.Name)
		}
	}
	return nil
}

// nameFree checks that no index or constraint in the schema already has name: index
// names are schema-wide on PostgreSQL and SQLite.
func nameFree(s *schema.Schema, name string) error {
	if name == "" {
		return fmt.Errorf("a name is required (indexes and constraints are always named)")
	}
	for _, t := range s.Tables {
		if t.Index(name) != nil || ConstraintKind(t, name) != "" || (t.PrimaryKey != nil && t.PrimaryKey.Name == name) {
			return fmt.Errorf("name %q is already used on table %q", name, t.Name)
		}
	}
	return nil
}
