package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/microblog/microblog/migrate/dialect"
	"github.com/microblog/microblog/migrate/schema"
)

// readType maps a type as SQLite reports it back to a portable type: TIMESTAMP is the
// timezone-aware timestamp, CHAR(36) a UUID.
func readType(t string) schema.Type {
	t = strings.ToLower(strings.TrimSpace(t))
	switch t {
	case "timestamp":
		return schema.Type{Kind: schema.DateTime, Timezone: true}
	case "char(36)":
		return schema.Type{Kind: schema.UUID}
	}
	return dialect.ReadType(t)
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

// Inspect reads the tables from sqlite_master, their columns, keys and indexes from
// SQLite's pragmas, and constraint names from each table's DDL.
func (Dialect) Inspect(ctx context.Context, db *sql.DB) (*schema.Schema, error) {
	names, err := dialect.QueryStrings(ctx, db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('alembic_version', 'migrate_history', 'migrate_progress') AND substr(name, 1, 6) <> 'river_'")
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
			c := &schema.Column{Name: cname, Type: readType(ctype), Nullable: notnull == 0 && pkpos == 0}
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
		enums(t, ddl)
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
		if t.ForeignKeys, err = foreignKeys(ctx, db, name, ddl); err != nil {
			return nil, err
		}
		ixs, err := dialect.QueryStrings(ctx, db, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name", name)
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
			cols, err := dialect.QueryStrings(ctx, db, fmt.Sprintf("SELECT coalesce(name, '') FROM pragma_index_info(%s) ORDER BY seqno", dialect.String(ixName)))
			if err != nil {
				return nil, err
			}
			if slices.Contains(cols, "") {
				continue
			}
			ix := &schema.Index{Name: ixName, Columns: cols, Unique: strings.HasPrefix(strings.ToUpper(ixSQL), "CREATE UNIQUE")}
			if err := indexExtras(ctx, db, ix, ixSQL); err != nil {
				return nil, err
			}
			t.Indexes = append(t.Indexes, ix)
		}
		s.Tables = append(s.Tables, t)
	}
	return s, nil
}

// foreignKeys reads a table's foreign keys from SQLite itself (PRAGMA
// foreign_key_list), which knows every spelling of the DDL: quoted or bare names, named
// constraints (ours) or unnamed ones (SQLAlchemy's, in a database made by Flask-Migrate).
// Names come from the CONSTRAINT clauses of the table's DDL; an unnamed key has none.
func foreignKeys(ctx context.Context, db *sql.DB, table, ddl string) ([]*schema.ForeignKey, error) {
	names := map[string]string{} // column list -> constraint name
	for _, m := range sqliteFKName.FindAllStringSubmatch(ddl, -1) {
		names[strings.Join(unquoteList(m[2]), ",")] = strings.Trim(m[1], "\"`")
	}
	rows, err := db.QueryContext(ctx, "SELECT id, \"table\", \"from\", coalesce(\"to\", ''), on_update, on_delete FROM pragma_foreign_key_list("+dialect.String(table)+") ORDER BY id, seq")
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

var sqliteIndexWhere = regexp.MustCompile(`(?is)\)\s+WHERE\s+(.+)$`)

// indexExtras reads an index's descending columns and a partial index's predicate.
func indexExtras(ctx context.Context, db *sql.DB, ix *schema.Index, ixSQL string) error {
	rows, err := db.QueryContext(ctx, fmt.Sprintf("SELECT coalesce(name, ''), \"desc\" FROM pragma_index_xinfo(%s) WHERE key = 1 ORDER BY seqno", dialect.String(ix.Name)))
	if err != nil {
		return fmt.Errorf("inspect index %s: %w", ix.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var col string
		var desc int
		if err := rows.Scan(&col, &desc); err != nil {
			return fmt.Errorf("inspect index %s: %w", ix.Name, err)
		}
		if desc == 1 {
			ix.Desc = append(ix.Desc, col)
		}
	}
	if m := sqliteIndexWhere.FindStringSubmatch(ixSQL); m != nil {
		ix.Where = strings.TrimSpace(m[1])
	}
	return rows.Err()
}

var sqliteEnumCheck = regexp.MustCompile(`"([^"]+)" VARCHAR\(\d+\)[^,\n]* CHECK \("[^"]+" IN \(((?:'[^']*'(?:, )?)+)\)\)`)

// enums reads back the enum columns a SQLite table's DDL declares the way the
// renderer writes them: "col" VARCHAR(n) … CHECK ("col" IN ('a', 'b')).
func enums(t *schema.Table, ddl string) {
	for _, m := range sqliteEnumCheck.FindAllStringSubmatch(ddl, -1) {
		c := t.Column(m[1])
		if c == nil {
			continue
		}
		var vals []string
		for _, v := range strings.Split(m[2], ", ") {
			vals = append(vals, strings.Trim(v, "'"))
		}
		c.Type = schema.Type{Kind: schema.Enum, Values: strings.Join(vals, ",")}
	}
}
