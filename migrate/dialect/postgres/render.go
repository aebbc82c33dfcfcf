package postgres

import (
	"fmt"

	"github.com/microblog/microblog/migrate/dialect"
	"github.com/microblog/microblog/migrate/ops"
	"github.com/microblog/microblog/migrate/schema"
)

// Render renders op with ALTER TABLE, then adds the enum types it brings in or leaves
// unused (see enumTypes).
func (d Dialect) Render(before, after *schema.Schema, op *ops.Op) (dialect.Plan, error) {
	p, err := d.render(before, after, op)
	if err != nil {
		return p, err
	}
	return d.enumTypes(before, after, op, p)
}

func (d Dialect) render(before, after *schema.Schema, op *ops.Op) (dialect.Plan, error) {
	one := func(s ...string) (dialect.Plan, error) { return dialect.Plan{Statements: s}, nil }
	q := d.Quote
	t := op.TableName()
	switch op.Kind {
	case ops.CreateTable:
		return one(dialect.CreateTable(d, op.Def, op.Def.Name))
	case ops.DropTable:
		return one("DROP TABLE " + q(op.Name))
	case ops.RenameTable:
		return one(fmt.Sprintf("ALTER TABLE %s RENAME TO %s", q(op.Name), q(op.NewName)))
	case ops.CreateIndex:
		return one(dialect.CreateIndex(d, t, after.Table(t).Index(op.Name)))
	case ops.DropIndex:
		return one("DROP INDEX " + q(op.Name))
	case ops.RenameColumn:
		return one(fmt.Sprintf("ALTER TABLE %s RENAME COLUMN %s TO %s", q(t), q(op.ColName), q(op.NewName)))
	case ops.AddColumn:
		// PostgreSQL cannot place a column: it goes last.
		return one(fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s", q(t), d.ColumnDef(op.Column)))
	case ops.DropColumn:
		return one(fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s", q(t), q(op.ColName)))
	case ops.AlterColumn:
		return d.alterColumn(before, after, op)
	case ops.CreateUnique:
		return one(fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s UNIQUE (%s)", q(t), q(op.Name), dialect.List(d, op.Columns)))
	case ops.CreateForeignKey:
		return one(fmt.Sprintf("ALTER TABLE %s ADD %s", q(t), dialect.FKClause(d, op.FK)))
	case ops.CreateCheck:
		return one(fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s)", q(t), q(op.Check.Name), op.Check.Expr))
	case ops.DropConstraint:
		return one(fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s", q(t), q(op.Name)))
	}
	return dialect.Plan{}, fmt.Errorf("migrate: cannot render %s for %s", op.Kind, d.Name())
}

func (d Dialect) alterColumn(before, after *schema.Schema, op *ops.Op) (dialect.Plan, error) {
	t := op.Table
	old, c := before.Table(t).Column(op.ColName), after.Table(t).Column(op.ColName)
	var stmts []string
	alter := func(clause string) {
		stmts = append(stmts, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s %s", d.Quote(t), d.Quote(c.Name), clause))
	}
	if op.DefaultSet && old.Default != nil {
		alter("DROP DEFAULT")
	}
	if op.Type != nil {
		alter(fmt.Sprintf("TYPE %s USING %s::%s", d.Type(c.Type), d.Quote(c.Name), d.Type(c.Type)))
		stmts = append(stmts, d.serialType(t, old, c)...)
	}
	if op.Nullable != nil {
		if c.Nullable {
			alter("DROP NOT NULL")
		} else {
			alter("SET NOT NULL")
		}
	}
	if op.DefaultSet && c.Default != nil {
		alter("SET DEFAULT " + *c.Default)
	}
	return dialect.Plan{Statements: stmts}, nil
}

// serialType keeps an auto-increment column's sequence as wide as the column: SERIAL's
// sequence is AS integer, and would stop at 2147483647 after the column became a big
// integer.
func (d Dialect) serialType(table string, old, c *schema.Column) []string {
	if !c.AutoIncrement || old.Type.Kind == c.Type.Kind {
		return nil
	}
	switch c.Type.Kind {
	case schema.Integer, schema.BigInteger, schema.SmallInt:
	default:
		return nil
	}
	return []string{fmt.Sprintf("DO $$ BEGIN EXECUTE 'ALTER SEQUENCE ' || pg_get_serial_sequence(%s, %s) || ' AS %s'; END $$",
		dialect.String(d.Quote(table)), dialect.String(c.Name), d.Type(c.Type))}
}
