package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/microblog/microblog/migrate/schema"
)

// Inspect reads the schema of a live database (every table but the version table) into
// the portable form, so that it can be compared with what the revisions describe.
// Constraint names come back as created; types come back as portable kinds.
//
// Tables named river_* belong to the River job queue, whose own migrations manage them
// (package internal/jobs); like the engine's bookkeeping tables they are not part of the
// inspected schema, so autogenerate never proposes to drop them.
func Inspect(ctx context.Context, db *sql.DB, dialect string) (*schema.Schema, error) {
	var s *schema.Schema
	var err error
	switch dialect {
	case SQLite:
		s, err = inspectSQLite(ctx, db)
	case Postgres:
		s, err = inspectPostgres(ctx, db)
	case MySQL:
		s, err = inspectMySQL(ctx, db)
	default:
		return nil, fmt.Errorf("migrate: inspect: unknown dialect %q", dialect)
	}
	if err != nil {
		return nil, fmt.Errorf("migrate: inspect %s: %w", dialect, err)
	}
	slices.SortFunc(s.Tables, func(a, b *schema.Table) int { return strings.Compare(a.Name, b.Name) })
	return s, nil
}

func queryStrings(ctx context.Context, db *sql.DB, q string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// sqlType maps a type as a database reports it back to a portable type.
func sqlType(dialect, t string) schema.Type {
	t = strings.ToLower(strings.TrimSpace(t))
	switch {
	case dialect == MySQL && t == "tinyint(1)":
		return schema.Type{Kind: schema.Boolean}
	case strings.HasPrefix(t, "int(") || strings.HasPrefix(t, "int "):
		return schema.Type{Kind: schema.Integer}
	case strings.HasPrefix(t, "bigint"):
		return schema.Type{Kind: schema.BigInteger}
	case strings.HasPrefix(t, "smallint"):
		return schema.Type{Kind: schema.SmallInt}
	case t == "timestamp with time zone" || (dialect == SQLite && t == "timestamp"):
		return schema.Type{Kind: schema.DateTime, Timezone: true}
	case strings.HasPrefix(t, "datetime"), strings.HasPrefix(t, "timestamp"):
		return schema.Type{Kind: schema.DateTime}
	case strings.HasPrefix(t, "time"):
		return schema.Type{Kind: schema.Time}
	case t == "double" || t == "double precision" || t == "float" || t == "real":
		return schema.Type{Kind: schema.Float}
	case strings.HasPrefix(t, "decimal"):
		t = "numeric" + strings.TrimPrefix(t, "decimal")
	case t == "longblob" || t == "bytea" || t == "blob":
		return schema.Type{Kind: schema.Binary}
	case t == "longtext" || t == "mediumtext":
		return schema.Type{Kind: schema.Text}
	case t == "char(36)" && (dialect == MySQL || dialect == SQLite):
		return schema.Type{Kind: schema.UUID}
	}
	pt, err := schema.ParseType(t)
	if err != nil {
		return schema.Type{Kind: schema.Kind(t)}
	}
	return pt
}

var (
	sqliteUnique = regexp.MustCompile(`CONSTRAINT "([^"]+)" UNIQUE \(([^)]*)\)`)
	sqliteCheck  = regexp.MustCompile(`CONSTRAINT "([^"]+)" CHECK \(`)
	sqliteFKName = regexp.MustCompile(`(?i)CONSTRAINT\s+("[^"]+"|` + "`[^`]+`" + `|\w+)\s+FOREIGN\s+KEY\s*\(([^)]*)\)`)
	sqlitePK     = regexp.MustCompile(`CONSTRAINT "([^"]+)" PRIMARY KEY`)
)

func unquoteList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		out = append(out, strings.Trim(strings.TrimSpace(p), "\"`"))
	}
	return out
}

func inspectSQLite(ctx context.Context, db *sql.DB) (*schema.Schema, error) {
	names, err := queryStrings(ctx, db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('alembic_version', 'migrate_history', 'migrate_progress') AND substr(name, 1, 6) <> 'river_'")
	if err != nil {
		return nil, err
	}
	s := &schema.Schema{}
	for _, name := range names {
		t := &schema.Table{Name: name}
		var ddl string
		if err := db.QueryRowContext(ctx, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", name).Scan(&ddl); err != nil {
			return nil, err
		}
		rows, err := db.QueryContext(ctx, fmt.Sprintf("PRAGMA table_info(%q)", name))
		if err != nil {
			return nil, err
		}
		var pk []string
		for rows.Next() {
			var cid, notnull, pkpos int
			var cname, ctype string
			var dflt sql.NullString
			if err := rows.Scan(&cid, &cname, &ctype, &notnull, &dflt, &pkpos); err != nil {
				rows.Close()
				return nil, err
			}
			c := &schema.Column{Name: cname, Type: sqlType(SQLite, ctype), Nullable: notnull == 0 && pkpos == 0}
			if dflt.Valid {
				d := dflt.String
				c.Default = &d
			}
			if pkpos > 0 {
				pk = append(pk, cname)
			}
			t.Columns = append(t.Columns, c)
		}
		rows.Close()
		sqliteEnums(t, ddl)
		if len(pk) > 0 {
			t.PrimaryKey = &schema.PrimaryKey{Name: schema.PrimaryKeyName(name), Columns: pk}
			if m := sqlitePK.FindStringSubmatch(ddl); m != nil {
				t.PrimaryKey.Name = m[1]
			}
			if len(pk) == 1 && t.Column(pk[0]).Type.Kind == schema.Integer {
				t.Column(pk[0]).AutoIncrement = true
			}
		}
		for _, m := range sqliteUnique.FindAllStringSubmatch(ddl, -1) {
			t.Uniques = append(t.Uniques, &schema.Unique{Name: m[1], Columns: unquoteList(m[2])})
		}
		for _, m := range sqliteCheck.FindAllStringSubmatch(ddl, -1) {
			t.Checks = append(t.Checks, &schema.Check{Name: m[1]})
		}
		if t.ForeignKeys, err = sqliteForeignKeys(ctx, db, name, ddl); err != nil {
			return nil, err
		}
		ixs, err := queryStrings(ctx, db, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name", name)
		if err != nil {
			return nil, err
		}
		for _, ixName := range ixs {
			var ixSQL string
			if err := db.QueryRowContext(ctx, "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", ixName).Scan(&ixSQL); err != nil {
				return nil, err
			}
			// Indexes on expressions (made by execute ops, e.g. lower(username)) have
			// no column name for those parts; they are outside the portable schema.
			cols, err := queryStrings(ctx, db, fmt.Sprintf("SELECT coalesce(name, '') FROM pragma_index_info(%s) ORDER BY seqno", sqlString(ixName)))
			if err != nil {
				return nil, err
			}
			if slices.Contains(cols, "") {
				continue
			}
			ix := &schema.Index{Name: ixName, Columns: cols, Unique: strings.HasPrefix(strings.ToUpper(ixSQL), "CREATE UNIQUE")}
			if err := sqliteIndexExtras(ctx, db, ix, ixSQL); err != nil {
				return nil, err
			}
			t.Indexes = append(t.Indexes, ix)
		}
		s.Tables = append(s.Tables, t)
	}
	return s, nil
}

// sqliteForeignKeys reads a table's foreign keys from SQLite itself (PRAGMA
// foreign_key_list), which knows every spelling of the DDL: quoted or bare names, named
// constraints (ours) or unnamed ones (SQLAlchemy's, in a database made by Flask-Migrate).
// Names come from the CONSTRAINT clauses of the table's DDL; an unnamed key has none.
func sqliteForeignKeys(ctx context.Context, db *sql.DB, table, ddl string) ([]*schema.ForeignKey, error) {
	names := map[string]string{} // column list -> constraint name
	for _, m := range sqliteFKName.FindAllStringSubmatch(ddl, -1) {
		names[strings.Join(unquoteList(m[2]), ",")] = strings.Trim(m[1], "\"`")
	}
	rows, err := db.QueryContext(ctx, "SELECT id, \"table\", \"from\", coalesce(\"to\", ''), on_update, on_delete FROM pragma_foreign_key_list("+sqlString(table)+") ORDER BY id, seq")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var fks []*schema.ForeignKey
	last := -1
	for rows.Next() {
		var id int
		var ref, from, to, onUpdate, onDelete string
		if err := rows.Scan(&id, &ref, &from, &to, &onUpdate, &onDelete); err != nil {
			return nil, err
		}
		if id != last {
			fks = append(fks, &schema.ForeignKey{RefTable: ref, OnDelete: fkAction(onDelete), OnUpdate: fkAction(onUpdate)})
			last = id
		}
		fk := fks[len(fks)-1]
		fk.Columns = append(fk.Columns, from)
		fk.RefColumns = append(fk.RefColumns, to)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, fk := range fks {
		fk.Name = names[strings.Join(fk.Columns, ",")]
	}
	// PRAGMA lists them last-declared first; keep the declaration order.
	slices.Reverse(fks)
	return fks, nil
}

// fkAction maps SQLite's spelling of a key's default action to the schema's ("").
func fkAction(a string) string {
	if a == "NO ACTION" {
		return ""
	}
	return a
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func inspectPostgres(ctx context.Context, db *sql.DB) (*schema.Schema, error) {
	names, err := queryStrings(ctx, db, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name NOT IN ('alembic_version', 'migrate_history', 'migrate_progress') AND left(table_name, 6) <> 'river_'")
	if err != nil {
		return nil, err
	}
	s := &schema.Schema{}
	for _, name := range names {
		t := &schema.Table{Name: name}
		rows, err := db.QueryContext(ctx, `SELECT column_name, data_type, coalesce(character_maximum_length, 0), is_nullable, column_default,
			coalesce(numeric_precision, 0), coalesce(numeric_scale, 0)
			FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, name)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var cname, dtype, nullable string
			var length, prec, scale int
			var dflt sql.NullString
			if err := rows.Scan(&cname, &dtype, &length, &nullable, &dflt, &prec, &scale); err != nil {
				rows.Close()
				return nil, err
			}
			c := &schema.Column{Name: cname, Nullable: nullable == "YES"}
			switch dtype {
			case "character varying":
				c.Type = schema.Type{Kind: schema.String, Length: length}
			case "numeric":
				c.Type = schema.Type{Kind: schema.Numeric, Precision: prec, Scale: scale}
			case "jsonb", "json":
				c.Type = schema.Type{Kind: schema.JSON}
			case "time without time zone":
				c.Type = schema.Type{Kind: schema.Time}
			default:
				c.Type = sqlType(Postgres, dtype)
			}
			if dflt.Valid {
				if strings.HasPrefix(dflt.String, "nextval(") {
					c.AutoIncrement = true
				} else {
					d := pgDefault(dflt.String)
					c.Default = &d
				}
			}
			t.Columns = append(t.Columns, c)
		}
		rows.Close()
		if err := pgEnums(ctx, db, t); err != nil {
			return nil, err
		}
		crow, err := db.QueryContext(ctx, `SELECT c.conname, c.contype,
			array_to_string(array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o), ','),
			coalesce(f.relname, ''),
			array_to_string(array(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o), ','),
			c.confdeltype, c.confupdtype, pg_get_constraintdef(c.oid)
			FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid LEFT JOIN pg_class f ON f.oid = c.confrelid
			WHERE r.relname = $1 AND r.relnamespace = current_schema()::regnamespace ORDER BY c.conname`, name)
		if err != nil {
			return nil, err
		}
		for crow.Next() {
			var cname, ctype, cols, ref, refcols, del, upd, def string
			if err := crow.Scan(&cname, &ctype, &cols, &ref, &refcols, &del, &upd, &def); err != nil {
				crow.Close()
				return nil, err
			}
			switch ctype {
			case "p":
				t.PrimaryKey = &schema.PrimaryKey{Name: cname, Columns: strings.Split(cols, ",")}
			case "u":
				t.Uniques = append(t.Uniques, &schema.Unique{Name: cname, Columns: strings.Split(cols, ",")})
			case "c":
				t.Checks = append(t.Checks, &schema.Check{Name: cname})
			case "f":
				rule := map[string]string{"a": "", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
				t.ForeignKeys = append(t.ForeignKeys, &schema.ForeignKey{Name: cname, Columns: strings.Split(cols, ","), RefTable: ref, RefColumns: strings.Split(refcols, ","), OnDelete: rule[del], OnUpdate: rule[upd]})
			}
		}
		crow.Close()
		irow, err := db.QueryContext(ctx, `SELECT i.relname, ix.indisunique,
			array_to_string(array(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.n ORDER BY k.o), ',')
			FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class r ON r.oid = ix.indrelid
			WHERE r.relname = $1 AND r.relnamespace = current_schema()::regnamespace AND ix.indexprs IS NULL
			AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid) ORDER BY i.relname`, name)
		if err != nil {
			return nil, err
		}
		for irow.Next() {
			var iname, cols string
			var unique bool
			if err := irow.Scan(&iname, &unique, &cols); err != nil {
				irow.Close()
				return nil, err
			}
			t.Indexes = append(t.Indexes, &schema.Index{Name: iname, Unique: unique, Columns: strings.Split(cols, ",")})
		}
		irow.Close()
		if err := pgIndexExtras(ctx, db, t); err != nil {
			return nil, err
		}
		s.Tables = append(s.Tables, t)
	}
	return s, nil
}

var pgCast = regexp.MustCompile(`::[a-z ]+(\(\d+\))?$`)

func pgDefault(d string) string {
	d = pgCast.ReplaceAllString(d, "")
	switch strings.ToLower(d) {
	case "true", "false", "current_timestamp", "now()":
		if strings.ToLower(d) == "now()" {
			return "CURRENT_TIMESTAMP"
		}
		return strings.ToUpper(d)
	}
	return d
}

func inspectMySQL(ctx context.Context, db *sql.DB) (*schema.Schema, error) {
	names, err := queryStrings(ctx, db, "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' AND table_name NOT IN ('alembic_version', 'migrate_history', 'migrate_progress') AND LEFT(table_name, 6) <> 'river_'")
	if err != nil {
		return nil, err
	}
	s := &schema.Schema{}
	for _, name := range names {
		t := &schema.Table{Name: name}
		rows, err := db.QueryContext(ctx, `SELECT column_name, column_type, is_nullable, column_default, extra
			FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position`, name)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var cname, ctype, nullable, extra string
			var dflt sql.NullString
			if err := rows.Scan(&cname, &ctype, &nullable, &dflt, &extra); err != nil {
				rows.Close()
				return nil, err
			}
			c := &schema.Column{Name: cname, Type: sqlType(MySQL, ctype), Nullable: nullable == "YES", AutoIncrement: strings.Contains(extra, "auto_increment")}
			if strings.HasPrefix(ctype, "enum(") {
				c.Type, _ = schema.ParseType(ctype) // the values keep their case
			}
			if dflt.Valid && dflt.String != "NULL" {
				d := mysqlDefault(dflt.String)
				c.Default = &d
			}
			t.Columns = append(t.Columns, c)
		}
		rows.Close()
		krow, err := db.QueryContext(ctx, `SELECT tc.constraint_name, tc.constraint_type, coalesce(k.column_name, ''), coalesce(k.referenced_table_name, ''), coalesce(k.referenced_column_name, '')
			FROM information_schema.table_constraints tc
			LEFT JOIN information_schema.key_column_usage k ON k.constraint_schema = tc.constraint_schema AND k.table_name = tc.table_name AND k.constraint_name = tc.constraint_name
			WHERE tc.table_schema = DATABASE() AND tc.table_name = ? ORDER BY tc.constraint_name, k.ordinal_position`, name)
		if err != nil {
			return nil, err
		}
		fks := map[string]*schema.ForeignKey{}
		for krow.Next() {
			var cname, ctype, col, ref, refcol string
			if err := krow.Scan(&cname, &ctype, &col, &ref, &refcol); err != nil {
				krow.Close()
				return nil, err
			}
			switch ctype {
			case "PRIMARY KEY":
				if t.PrimaryKey == nil {
					t.PrimaryKey = &schema.PrimaryKey{Name: schema.PrimaryKeyName(name)}
				}
				t.PrimaryKey.Columns = append(t.PrimaryKey.Columns, col)
			case "FOREIGN KEY":
				fk := fks[cname]
				if fk == nil {
					fk = &schema.ForeignKey{Name: cname, RefTable: ref}
					fks[cname] = fk
					t.ForeignKeys = append(t.ForeignKeys, fk)
				}
				fk.Columns = append(fk.Columns, col)
				fk.RefColumns = append(fk.RefColumns, refcol)
			case "CHECK":
				if c := t.Column(cname); c == nil {
					t.Checks = append(t.Checks, &schema.Check{Name: cname})
				} else if c.Type.Kind == schema.Text { // MariaDB's JSON is LONGTEXT with a json_valid check named after the column
					c.Type = schema.Type{Kind: schema.JSON}
				}
			}
		}
		krow.Close()
		if err := mysqlFKRules(ctx, db, name, fks); err != nil {
			return nil, err
		}
		irow, err := db.QueryContext(ctx, `SELECT index_name, non_unique, column_name FROM information_schema.statistics
			WHERE table_schema = DATABASE() AND table_name = ? AND index_name <> 'PRIMARY' ORDER BY index_name, seq_in_index`, name)
		if err != nil {
			return nil, err
		}
		idx := map[string]*schema.Index{}
		var order []string
		for irow.Next() {
			var iname, col string
			var nonUnique int
			if err := irow.Scan(&iname, &nonUnique, &col); err != nil {
				irow.Close()
				return nil, err
			}
			ix := idx[iname]
			if ix == nil {
				ix = &schema.Index{Name: iname, Unique: nonUnique == 0}
				idx[iname] = ix
				order = append(order, iname)
			}
			ix.Columns = append(ix.Columns, col)
		}
		irow.Close()
		if err := mysqlIndexDesc(ctx, db, name, idx); err != nil {
			return nil, err
		}
		for _, iname := range order {
			if fks[iname] != nil || implicitFKIndex(idx[iname], t.ForeignKeys) {
				continue // the index InnoDB made for a foreign key
			}
			t.Indexes = append(t.Indexes, idx[iname])
		}
		s.Tables = append(s.Tables, t)
	}
	return s, nil
}

// implicitFKIndex reports whether ix is the index InnoDB creates by itself for a foreign
// key that no index served: named after the key when the key has a name of its own, after
// its first column when it had none (as in a database made by Flask-Migrate, whose
// followers.followed_id gets KEY `followed_id`).
func implicitFKIndex(ix *schema.Index, fks []*schema.ForeignKey) bool {
	if ix.Unique {
		return false
	}
	for _, fk := range fks {
		if slices.Equal(ix.Columns, fk.Columns) && ix.Name == fk.Columns[0] {
			return true
		}
	}
	return false
}

func mysqlDefault(d string) string {
	l := strings.ToLower(d)
	switch {
	case strings.HasPrefix(l, "current_timestamp"):
		return "CURRENT_TIMESTAMP"
	case d == "1" || d == "0":
		return d
	}
	return d
}

// mysqlFKRules reads the ON DELETE / ON UPDATE actions of a table's foreign keys. InnoDB
// treats RESTRICT as NO ACTION, and MariaDB reports a key without a rule as RESTRICT, so
// both read as the default ("").
func mysqlFKRules(ctx context.Context, db *sql.DB, table string, fks map[string]*schema.ForeignKey) error {
	if len(fks) == 0 {
		return nil
	}
	rows, err := db.QueryContext(ctx, `SELECT constraint_name, delete_rule, update_rule FROM information_schema.referential_constraints
		WHERE constraint_schema = DATABASE() AND table_name = ?`, table)
	if err != nil {
		return fmt.Errorf("inspect foreign-key rules of %s: %w", table, err)
	}
	defer rows.Close()
	rule := func(r string) string {
		if r == "RESTRICT" || r == "NO ACTION" {
			return ""
		}
		return r
	}
	for rows.Next() {
		var name, del, upd string
		if err := rows.Scan(&name, &del, &upd); err != nil {
			return fmt.Errorf("inspect foreign-key rules of %s: %w", table, err)
		}
		if fk := fks[name]; fk != nil {
			fk.OnDelete, fk.OnUpdate = rule(del), rule(upd)
		}
	}
	return rows.Err()
}
