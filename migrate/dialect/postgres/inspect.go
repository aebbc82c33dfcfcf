package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"

	"github.com/microblog/microblog/migrate/dialect"
	"github.com/microblog/microblog/migrate/schema"
)

// Inspect reads the current schema's tables from information_schema and pg_catalog.
func (Dialect) Inspect(ctx context.Context, db *sql.DB) (*schema.Schema, error) {
	names, err := dialect.QueryStrings(ctx, db, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name NOT IN ('alembic_version', 'migrate_history', 'migrate_progress') AND left(table_name, 6) <> 'river_'")
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
				c.Type = dialect.ReadType(strings.ToLower(strings.TrimSpace(dtype)))
			}
			if dflt.Valid {
				if strings.HasPrefix(dflt.String, "nextval(") {
					c.AutoIncrement = true
				} else {
					d := readDefault(dflt.String)
					c.Default = &d
				}
			}
			t.Columns = append(t.Columns, c)
		}
		rows.Close()
		if err := enumColumns(ctx, db, t); err != nil {
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
		if err := indexExtras(ctx, db, t); err != nil {
			return nil, err
		}
		s.Tables = append(s.Tables, t)
	}
	return s, nil
}

var castSuffix = regexp.MustCompile(`::[a-z ]+(\(\d+\))?$`)

func readDefault(d string) string {
	d = castSuffix.ReplaceAllString(d, "")
	switch strings.ToLower(d) {
	case "true", "false", "current_timestamp", "now()":
		if strings.ToLower(d) == "now()" {
			return "CURRENT_TIMESTAMP"
		}
		return strings.ToUpper(d)
	}
	return d
}

// indexExtras reads the descending columns and partial-index predicates of t's indexes.
func indexExtras(ctx context.Context, db *sql.DB, t *schema.Table) error {
	rows, err := db.QueryContext(ctx, `SELECT i.relname, coalesce(pg_get_expr(ix.indpred, ix.indrelid), ''),
		array_to_string(array(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.n
			WHERE (ix.indoption[k.o - 1] & 1) = 1 ORDER BY k.o), ',')
		FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class r ON r.oid = ix.indrelid
		WHERE r.relname = $1 AND r.relnamespace = current_schema()::regnamespace`, t.Name)
	if err != nil {
		return fmt.Errorf("inspect indexes of %s: %w", t.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, where, desc string
		if err := rows.Scan(&name, &where, &desc); err != nil {
			return fmt.Errorf("inspect indexes of %s: %w", t.Name, err)
		}
		if ix := t.Index(name); ix != nil {
			ix.Where = where
			if desc != "" {
				ix.Desc = strings.Split(desc, ",")
			}
		}
	}
	return rows.Err()
}

// enumColumns reads the enum columns of a PostgreSQL table (information_schema calls their
// type USER-DEFINED) with their type's name and values.
func enumColumns(ctx context.Context, db *sql.DB, t *schema.Table) error {
	rows, err := db.QueryContext(ctx, `SELECT a.attname, ty.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
		FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid JOIN pg_type ty ON ty.oid = a.atttypid JOIN pg_enum e ON e.enumtypid = ty.oid
		WHERE r.relname = $1 AND r.relnamespace = current_schema()::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
		GROUP BY a.attname, ty.typname`, t.Name)
	if err != nil {
		return fmt.Errorf("inspect enum columns of %s: %w", t.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var col, name, vals string
		if err := rows.Scan(&col, &name, &vals); err != nil {
			return fmt.Errorf("inspect enum columns of %s: %w", t.Name, err)
		}
		if c := t.Column(col); c != nil {
			c.Type = schema.Type{Kind: schema.Enum, EnumName: name, Values: vals}
		}
	}
	return rows.Err()
}
