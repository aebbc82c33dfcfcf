package migrate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/microblog/microblog/migrate/schema"
)

// Dialect names.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
	MySQL    = "mysql"
)

// Plan is the SQL one op becomes on one dialect.
type Plan struct {
	Statements []string
	// Rebuild is true when SQLite rebuilds a table: foreign-key enforcement must be off
	// around the transaction, and PRAGMA foreign_key_check must pass before it commits.
	Rebuild bool
	// Require is a require op's check on this dialect (nil for other ops, and for a
	// require that gives no query for this dialect).
	Require *Requirement
	// Guards check the rows just before the statements run (see Guard).
	Guards []*Guard
}

// Render turns op into SQL for dialect, given the schema before the op (replayed from
// the revision history, so SQLite rebuilds know every table's exact shape).
func Render(dialect string, before *schema.Schema, op *Op) (Plan, error) {
	p, _, err := renderOp(dialect, before, op)
	return p, err
}

// renderOp is Render that also returns the schema after op (which shares with before the
// tables op leaves alone; before is not changed).
func renderOp(dialect string, before *schema.Schema, op *Op) (Plan, *schema.Schema, error) {
	r := renderer{dialect: dialect}
	switch dialect {
	case SQLite, Postgres, MySQL:
	default:
		return Plan{}, nil, fmt.Errorf("migrate: unknown dialect %q (want sqlite, postgres or mysql)", dialect)
	}
	after, err := applied(before, op)
	if err != nil {
		return Plan{}, nil, err
	}
	p, err := r.render(before, after, op)
	p.Guards = guardsFor(dialect, before, op)
	if err != nil || r.dialect != Postgres {
		return p, after, err
	}
	p, err = pgEnumTypes(r, before, after, op, p)
	return p, after, err
}

type renderer struct{ dialect string }

func (r renderer) q(name string) string {
	if r.dialect == MySQL {
		return "`" + strings.ReplaceAll(name, "`", "``") + "`"
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

func (r renderer) qs(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = r.q(n)
	}
	return strings.Join(out, ", ")
}

// typ renders a portable type with the dialect's canonical name.
func (r renderer) typ(t schema.Type) string {
	switch t.Kind {
	case schema.Integer:
		return "INTEGER"
	case schema.BigInteger:
		return "BIGINT"
	case schema.SmallInt:
		return "SMALLINT"
	case schema.String:
		return fmt.Sprintf("VARCHAR(%d)", t.Length)
	case schema.Text:
		return "TEXT"
	case schema.Boolean:
		if r.dialect == MySQL {
			return "BOOL"
		}
		return "BOOLEAN"
	case schema.DateTime:
		switch {
		case t.Timezone && r.dialect == Postgres:
			return "TIMESTAMP WITH TIME ZONE"
		case t.Timezone && r.dialect == SQLite:
			return "TIMESTAMP" // told apart from DATETIME by inspection; the driver reads both as time
		}
		// MySQL and MariaDB have no timezone-aware type: DATETIME(6) holds the UTC time.
		switch r.dialect {
		case Postgres:
			return "TIMESTAMP WITHOUT TIME ZONE"
		case MySQL:
			return "DATETIME(6)"
		}
		return "DATETIME"
	case schema.Date:
		return "DATE"
	case schema.Time:
		if r.dialect == MySQL {
			return "TIME(6)"
		}
		return "TIME"
	case schema.Float:
		switch r.dialect {
		case Postgres:
			return "DOUBLE PRECISION"
		case MySQL:
			return "DOUBLE"
		}
		return "FLOAT"
	case schema.Numeric:
		if t.Precision == 0 {
			t.Precision = 10 // SQLAlchemy's and MySQL's default; PostgreSQL needs one to keep the scale
		}
		return fmt.Sprintf("NUMERIC(%d, %d)", t.Precision, t.Scale)
	case schema.Binary:
		switch r.dialect {
		case Postgres:
			return "BYTEA"
		case MySQL:
			return "LONGBLOB"
		}
		return "BLOB"
	case schema.JSON:
		switch r.dialect {
		case Postgres:
			return "JSONB"
		case MySQL:
			return "JSON"
		}
		return "JSON" // SQLite keeps any type name; SQLAlchemy's spelling, so inspection can tell it from TEXT
	case schema.Enum:
		return r.enumType(t)
	case schema.UUID:
		switch r.dialect {
		case Postgres:
			return "UUID"
		}
		return "CHAR(36)"
	}
	return strings.ToUpper(string(t.Kind))
}

func (r renderer) defaultSQL(c *schema.Column) string {
	d := *c.Default
	if r.dialect == MySQL && strings.EqualFold(d, "CURRENT_TIMESTAMP") && c.Type.Kind == schema.DateTime {
		return "CURRENT_TIMESTAMP(6)"
	}
	if r.dialect == MySQL && (c.Type.Kind == schema.Text || c.Type.Kind == schema.JSON) {
		return "(" + d + ")" // MariaDB and MySQL 8 take expression defaults on TEXT only in parentheses
	}
	return d
}

// columnDef renders "name TYPE [NOT NULL] [DEFAULT x]" with the dialect's way of making
// an auto-incrementing key.
func (r renderer) columnDef(c *schema.Column) string {
	var b strings.Builder
	b.WriteString(r.q(c.Name))
	b.WriteByte(' ')
	switch {
	case c.AutoIncrement && r.dialect == Postgres && c.Type.Kind == schema.BigInteger:
		b.WriteString("BIGSERIAL")
	case c.AutoIncrement && r.dialect == Postgres:
		b.WriteString("SERIAL")
	case c.AutoIncrement && r.dialect == SQLite:
		// Only INTEGER PRIMARY KEY is the rowid that numbers new rows (a BIGINT key
		// would not be); SQLite's integers are 64-bit whatever the declared type.
		b.WriteString("INTEGER")
	default:
		b.WriteString(r.typ(c.Type))
	}
	if !c.Nullable {
		b.WriteString(" NOT NULL")
	}
	if c.Default != nil {
		b.WriteString(" DEFAULT " + r.defaultSQL(c))
	}
	if c.AutoIncrement && r.dialect == MySQL {
		b.WriteString(" AUTO_INCREMENT")
	}
	if c.Type.Kind == schema.Enum && r.dialect == SQLite {
		fmt.Fprintf(&b, " CHECK (%s IN (%s))", r.q(c.Name), c.Type.EnumArgs())
	}
	return b.String()
}

func (r renderer) fkClause(fk *schema.ForeignKey) string {
	s := fmt.Sprintf("CONSTRAINT %s FOREIGN KEY(%s) REFERENCES %s (%s)", r.q(fk.Name), r.qs(fk.Columns), r.q(fk.RefTable), r.qs(fk.RefColumns))
	if fk.OnDelete != "" {
		s += " ON DELETE " + fk.OnDelete
	}
	if fk.OnUpdate != "" {
		s += " ON UPDATE " + fk.OnUpdate
	}
	return s
}

// createTable renders CREATE TABLE with every constraint inline (named), as SQLAlchemy
// does; name overrides the table name (for SQLite rebuilds).
func (r renderer) createTable(t *schema.Table, name string) string {
	var parts []string
	for _, c := range t.Columns {
		parts = append(parts, "\t"+r.columnDef(c))
	}
	if t.PrimaryKey != nil {
		parts = append(parts, fmt.Sprintf("\tCONSTRAINT %s PRIMARY KEY (%s)", r.q(t.PrimaryKey.Name), r.qs(t.PrimaryKey.Columns)))
	}
	for _, u := range t.Uniques {
		parts = append(parts, fmt.Sprintf("\tCONSTRAINT %s UNIQUE (%s)", r.q(u.Name), r.qs(u.Columns)))
	}
	for _, c := range t.Checks {
		parts = append(parts, fmt.Sprintf("\tCONSTRAINT %s CHECK (%s)", r.q(c.Name), c.Expr))
	}
	for _, fk := range t.ForeignKeys {
		parts = append(parts, "\t"+r.fkClause(fk))
	}
	s := fmt.Sprintf("CREATE TABLE %s (\n%s\n)", r.q(name), strings.Join(parts, ",\n"))
	if r.dialect == MySQL {
		s += " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"
	}
	return s
}

func (r renderer) createIndex(table string, ix *schema.Index) string {
	u := ""
	if ix.Unique {
		u = "UNIQUE "
	}
	cols := r.qs(ix.Columns)
	if len(ix.Desc) > 0 {
		parts := make([]string, len(ix.Columns))
		for i, c := range ix.Columns {
			parts[i] = r.q(c)
			if slices.Contains(ix.Desc, c) {
				parts[i] += " DESC"
			}
		}
		cols = strings.Join(parts, ", ")
	}
	s := fmt.Sprintf("CREATE %sINDEX %s ON %s (%s)", u, r.q(ix.Name), r.q(table), cols)
	if ix.Where != "" {
		s += " WHERE " + ix.Where
	}
	return s
}

func (r renderer) render(before, after *schema.Schema, op *Op) (Plan, error) {
	one := func(s ...string) (Plan, error) { return Plan{Statements: s}, nil }
	t := op.TableName()
	switch op.Kind {
	case OpRequire:
		sql := op.sqlFor(r.dialect)
		if strings.TrimSpace(sql) == "" {
			return Plan{}, nil
		}
		return Plan{Require: &Requirement{Query: sql, Message: op.Message, Fix: op.Fix, Tables: op.Tables, Line: op.Line}}, nil
	case OpExecute:
		sql := op.sqlFor(r.dialect)
		if strings.TrimSpace(sql) == "" {
			return Plan{}, nil
		}
		return one(sql)
	case OpCreateTable:
		return one(r.createTable(op.Def, op.Def.Name))
	case OpDropTable:
		return one("DROP TABLE " + r.q(op.Name))
	case OpRenameTable:
		return one(fmt.Sprintf("ALTER TABLE %s RENAME TO %s", r.q(op.Name), r.q(op.NewName)))
	case OpCreateIndex:
		if op.Where != "" && r.dialect == MySQL {
			return Plan{}, fmt.Errorf("migrate: index %q on %q is partial (where: %s): MySQL and MariaDB have no partial indexes; index the whole column, or give the mysql dialect its own index with an execute op", op.Name, t, op.Where)
		}
		if r.dialect == MySQL {
			return one(append([]string{r.createIndex(t, after.Table(t).Index(op.Name))}, r.mysqlFKIndexesUnneeded(before.Table(t), after.Table(t))...)...)
		}
		return one(r.createIndex(t, after.Table(t).Index(op.Name)))
	case OpDropIndex:
		if r.dialect == MySQL {
			// InnoDB refuses to drop the last index a foreign key can use: give the key
			// back the index it would have made for itself, then drop.
			stmts := r.mysqlFKIndexes(before.Table(t), after.Table(t))
			return one(append(stmts, fmt.Sprintf("DROP INDEX %s ON %s", r.q(op.Name), r.q(t)))...)
		}
		return one("DROP INDEX " + r.q(op.Name))
	case OpRenameColumn:
		return one(fmt.Sprintf("ALTER TABLE %s RENAME COLUMN %s TO %s", r.q(t), r.q(op.ColName), r.q(op.NewName)))
	}
	if r.dialect == SQLite {
		return r.sqlite(before, after, op)
	}
	switch op.Kind {
	case OpAddColumn:
		return one(fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s%s", r.q(t), r.columnDef(op.Column), r.positionSQL(before.Table(t), op)))
	case OpDropColumn:
		return one(fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s", r.q(t), r.q(op.ColName)))
	case OpAlterColumn:
		return r.alterColumn(before, after, op)
	case OpCreateUnique:
		if r.dialect == MySQL {
			return one(append([]string{fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s UNIQUE (%s)", r.q(t), r.q(op.Name), r.qs(op.Columns))}, r.mysqlFKIndexesUnneeded(before.Table(t), after.Table(t))...)...)
		}
		return one(fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s UNIQUE (%s)", r.q(t), r.q(op.Name), r.qs(op.Columns)))
	case OpCreateForeignKey:
		return one(fmt.Sprintf("ALTER TABLE %s ADD %s", r.q(t), r.fkClause(op.FK)))
	case OpCreateCheck:
		return one(fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s)", r.q(t), r.q(op.Check.Name), op.Check.Expr))
	case OpDropConstraint:
		kind := ConstraintKind(before.Table(t), op.Name)
		if r.dialect == Postgres {
			return one(fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s", r.q(t), r.q(op.Name)))
		}
		switch kind {
		case "unique":
			stmts := r.mysqlFKIndexes(before.Table(t), after.Table(t))
			return one(append(stmts, fmt.Sprintf("ALTER TABLE %s DROP INDEX %s", r.q(t), r.q(op.Name)))...)
		case "foreign key":
			stmts := []string{fmt.Sprintf("ALTER TABLE %s DROP FOREIGN KEY %s", r.q(t), r.q(op.Name))}
			// InnoDB creates an index named after the constraint when no index covers its
			// columns; drop it too, or a downgrade would leave it behind.
			if after.Table(t).Index(op.Name) == nil {
				stmts = append(stmts, fmt.Sprintf("DROP INDEX IF EXISTS %s ON %s", r.q(op.Name), r.q(t)))
			}
			return one(stmts...)
		default:
			return one(fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s", r.q(t), r.q(op.Name)))
		}
	}
	return Plan{}, fmt.Errorf("migrate: cannot render %s for %s", op.Kind, r.dialect)
}

func (r renderer) alterColumn(before, after *schema.Schema, op *Op) (Plan, error) {
	t := op.Table
	old, c := before.Table(t).Column(op.ColName), after.Table(t).Column(op.ColName)
	if r.dialect == MySQL {
		// MODIFY restates the whole column.
		return Plan{Statements: []string{fmt.Sprintf("ALTER TABLE %s MODIFY %s", r.q(t), r.columnDef(c))}}, nil
	}
	var stmts []string
	alter := func(clause string) {
		stmts = append(stmts, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s %s", r.q(t), r.q(c.Name), clause))
	}
	if op.DefaultSet && old.Default != nil {
		alter("DROP DEFAULT")
	}
	if op.Type != nil {
		alter(fmt.Sprintf("TYPE %s USING %s::%s", r.typ(c.Type), r.q(c.Name), r.typ(c.Type)))
		stmts = append(stmts, r.serialType(t, old, c)...)
	}
	if op.Nullable != nil {
		if c.Nullable {
			alter("DROP NOT NULL")
		} else {
			alter("SET NOT NULL")
		}
	}
	if op.DefaultSet && c.Default != nil {
		alter("SET DEFAULT " + r.defaultSQL(c))
	}
	return Plan{Statements: stmts}, nil
}

// sqlite renders the ops SQLite cannot do with ALTER TABLE as a table rebuild: a new
// table of the target shape, rows copied, old table dropped, new one renamed, indexes
// recreated. Adding a plain nullable or defaulted column, and dropping a column nothing
// constrains, use ALTER TABLE directly.
func (r renderer) sqlite(before, after *schema.Schema, op *Op) (Plan, error) {
	t := op.Table
	old, nw := before.Table(t), after.Table(t)
	switch op.Kind {
	case OpAddColumn:
		if c := op.Column; sqliteAddsInPlace(c) && !placed(old, op) {
			return Plan{Statements: []string{fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s", r.q(t), r.columnDef(c))}}, nil
		}
	case OpDropColumn:
		if !constrained(old, op.ColName) {
			return Plan{Statements: []string{fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s", r.q(t), r.q(op.ColName))}}, nil
		}
	}
	tmp := "_migrate_tmp_" + t
	var cols, exprs []string
	for _, c := range nw.Columns {
		oc := old.Column(c.Name)
		if oc == nil {
			continue // a new column: its default fills it (without one, a NOT NULL column fails loudly on rows)
		}
		cols = append(cols, r.q(c.Name))
		exprs = append(exprs, r.q(c.Name))
	}
	stmts := []string{
		r.createTable(nw, tmp),
		fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s", r.q(tmp), strings.Join(cols, ", "), strings.Join(exprs, ", "), r.q(t)),
		"DROP TABLE " + r.q(t),
		fmt.Sprintf("ALTER TABLE %s RENAME TO %s", r.q(tmp), r.q(t)),
	}
	for _, ix := range nw.Indexes {
		stmts = append(stmts, r.createIndex(t, ix))
	}
	return Plan{Statements: stmts, Rebuild: true}, nil
}

// constrained reports whether a column takes part in an index, constraint or key, which
// SQLite's ALTER TABLE DROP COLUMN refuses.
func constrained(t *schema.Table, col string) bool {
	if t.PrimaryKey != nil && slices.Contains(t.PrimaryKey.Columns, col) {
		return true
	}
	for _, ix := range t.Indexes {
		if slices.Contains(ix.Columns, col) {
			return true
		}
	}
	for _, u := range t.Uniques {
		if slices.Contains(u.Columns, col) {
			return true
		}
	}
	for _, fk := range t.ForeignKeys {
		if slices.Contains(fk.Columns, col) {
			return true
		}
	}
	return len(t.Checks) > 0
}

// mysqlFKIndexes returns the CREATE INDEX statements that give each foreign key of the
// table, left without a usable index by a drop, the index InnoDB would have created for
// it (named after the constraint, which is how InnoDB names it too).
func (r renderer) mysqlFKIndexes(before, after *schema.Table) []string {
	var stmts []string
	for _, fk := range after.ForeignKeys {
		if covered(after, fk.Columns) || !covered(before, fk.Columns) {
			continue
		}
		stmts = append(stmts, fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s (%s)", r.q(fk.Name), r.q(after.Name), r.qs(fk.Columns)))
	}
	return stmts
}

// covered reports whether an index, unique constraint or the primary key of t starts with
// cols, so that MySQL can use it for a foreign key on cols.
func covered(t *schema.Table, cols []string) bool {
	starts := func(ix []string) bool { return len(ix) >= len(cols) && slices.Equal(ix[:len(cols)], cols) }
	if t.PrimaryKey != nil && starts(t.PrimaryKey.Columns) {
		return true
	}
	for _, ix := range t.Indexes {
		if starts(ix.Columns) {
			return true
		}
	}
	for _, u := range t.Uniques {
		if starts(u.Columns) {
			return true
		}
	}
	return false
}
