package mysql

import (
	"fmt"

	"github.com/microblog/microblog/migrate/dialect"
	"github.com/microblog/microblog/migrate/ops"
	"github.com/microblog/microblog/migrate/schema"
)

// tableOptions follow every CREATE TABLE.
const tableOptions = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"

// Render renders op with ALTER TABLE (MODIFY restates a whole column), keeping an index
// for every foreign key (see fkIndexes).
func (d Dialect) Render(before, after *schema.Schema, op *ops.Op) (dialect.Plan, error) {
	one := func(s ...string) (dialect.Plan, error) { return dialect.Plan{Statements: s}, nil }
	q := d.Quote
	t := op.TableName()
	switch op.Kind {
	case ops.CreateTable:
		return one(dialect.CreateTable(d, op.Def, op.Def.Name) + tableOptions)
	case ops.DropTable:
		return one("DROP TABLE " + q(op.Name))
	case ops.RenameTable:
		return one(fmt.Sprintf("ALTER TABLE %s RENAME TO %s", q(op.Name), q(op.NewName)))
	case ops.CreateIndex:
		if op.Where != "" {
			return dialect.Plan{}, fmt.Errorf("migrate: index %q on %q is partial (where: %s): MySQL and MariaDB have no partial indexes; index the whole column, or give the mysql dialect its own index with an execute op", op.Name, t, op.Where)
		}
		return one(append([]string{dialect.CreateIndex(d, t, after.Table(t).Index(op.Name))}, d.fkIndexesUnneeded(before.Table(t), after.Table(t))...)...)
	case ops.DropIndex:
		// InnoDB refuses to drop the last index a foreign key can use: give the key
		// back the index it would have made for itself, then drop.
		stmts := d.fkIndexes(before.Table(t), after.Table(t))
		return one(append(stmts, fmt.Sprintf("DROP INDEX %s ON %s", q(op.Name), q(t)))...)
	case ops.RenameColumn:
		return one(fmt.Sprintf("ALTER TABLE %s RENAME COLUMN %s TO %s", q(t), q(op.ColName), q(op.NewName)))
	case ops.AddColumn:
		return one(fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s%s", q(t), d.ColumnDef(op.Column), d.position(before.Table(t), op)))
	case ops.DropColumn:
		return one(fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s", q(t), q(op.ColName)))
	case ops.AlterColumn:
		// MODIFY restates the whole column.
		return one(fmt.Sprintf("ALTER TABLE %s MODIFY %s", q(t), d.ColumnDef(after.Table(t).Column(op.ColName))))
	case ops.CreateUnique:
		return one(append([]string{fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s UNIQUE (%s)", q(t), q(op.Name), dialect.List(d, op.Columns))}, d.fkIndexesUnneeded(before.Table(t), after.Table(t))...)...)
	case ops.CreateForeignKey:
		return one(fmt.Sprintf("ALTER TABLE %s ADD %s", q(t), dialect.FKClause(d, op.FK)))
	case ops.CreateCheck:
		return one(fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s)", q(t), q(op.Check.Name), op.Check.Expr))
	case ops.DropConstraint:
		switch before.Table(t).ConstraintKind(op.Name) {
		case "unique":
			stmts := d.fkIndexes(before.Table(t), after.Table(t))
			return one(append(stmts, fmt.Sprintf("ALTER TABLE %s DROP INDEX %s", q(t), q(op.Name)))...)
		case "foreign key":
			stmts := []string{fmt.Sprintf("ALTER TABLE %s DROP FOREIGN KEY %s", q(t), q(op.Name))}
			// InnoDB creates an index named after the constraint when no index covers its
			// columns; drop it too, or a downgrade would leave it behind.
			if after.Table(t).Index(op.Name) == nil {
				stmts = append(stmts, fmt.Sprintf("DROP INDEX IF EXISTS %s ON %s", q(op.Name), q(t)))
			}
			return one(stmts...)
		default:
			return one(fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s", q(t), q(op.Name)))
		}
	}
	return dialect.Plan{}, fmt.Errorf("migrate: cannot render %s for %s", op.Kind, d.Name())
}

// position is the clause placing an added column that does not go last (AFTER or FIRST).
func (d Dialect) position(t *schema.Table, op *ops.Op) string {
	if !ops.Placed(t, op) {
		return ""
	}
	if op.First {
		return " FIRST"
	}
	return " AFTER " + d.Quote(op.After)
}
