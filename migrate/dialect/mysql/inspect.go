package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/microblog/microblog/migrate/dialect"
	"github.com/microblog/microblog/migrate/schema"
)

// readType maps a type as MySQL reports it back to a portable type: TINYINT(1) is a
// boolean, CHAR(36) a UUID.
func readType(t string) schema.Type {
	t = strings.ToLower(strings.TrimSpace(t))
	switch t {
	case "tinyint(1)":
		return schema.Type{Kind: schema.Boolean}
	case "char(36)":
		return schema.Type{Kind: schema.UUID}
	}
	return dialect.ReadType(t)
}

// Inspect reads the current database's tables from information_schema.
func (Dialect) Inspect(ctx context.Context, db *sql.DB) (*schema.Schema, error) {
	names, err := dialect.QueryStrings(ctx, db, "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' AND table_name NOT IN ('alembic_version', 'migrate_history', 'migrate_progress', 'microblog_changes') AND LEFT(table_name, 6) <> 'river_'")
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
			c := &schema.Column{Name: cname, Type: readType(ctype), Nullable: nullable == "YES", AutoIncrement: strings.Contains(extra, "auto_increment")}
			if strings.HasPrefix(ctype, "enum(") {
				c.Type, _ = schema.ParseType(ctype) // the values keep their case
			}
			if dflt.Valid && dflt.String != "NULL" {
				d := readDefault(dflt.String)
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
		if err := fkRules(ctx, db, name, fks); err != nil {
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
		if err := indexDesc(ctx, db, name, idx); err != nil {
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

func readDefault(d string) string {
	l := strings.ToLower(d)
	switch {
	case strings.HasPrefix(l, "current_timestamp"):
		return "CURRENT_TIMESTAMP"
	case d == "1" || d == "0":
		return d
	}
	return d
}

// fkRules reads the ON DELETE / ON UPDATE actions of a table's foreign keys. InnoDB
// treats RESTRICT as NO ACTION, and MariaDB reports a key without a rule as RESTRICT, so
// both read as the default ("").
func fkRules(ctx context.Context, db *sql.DB, table string, fks map[string]*schema.ForeignKey) error {
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

// indexDesc reads the descending columns of a table's indexes.
func indexDesc(ctx context.Context, db *sql.DB, table string, idx map[string]*schema.Index) error {
	rows, err := db.QueryContext(ctx, `SELECT index_name, column_name FROM information_schema.statistics
		WHERE table_schema = DATABASE() AND table_name = ? AND collation = 'D' ORDER BY index_name, seq_in_index`, table)
	if err != nil {
		return fmt.Errorf("inspect indexes of %s: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, col string
		if err := rows.Scan(&name, &col); err != nil {
			return fmt.Errorf("inspect indexes of %s: %w", table, err)
		}
		if ix := idx[name]; ix != nil {
			ix.Desc = append(ix.Desc, col)
		}
	}
	return rows.Err()
}
