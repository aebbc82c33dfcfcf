package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"

	"github.com/microblog/microblog/migrate/schema"
)

// Descending columns and partial-index predicates, read back per dialect.

var sqliteIndexWhere = regexp.MustCompile(`(?is)\)\s+WHERE\s+(.+)$`)

func sqliteIndexExtras(ctx context.Context, db *sql.DB, ix *schema.Index, ixSQL string) error {
	rows, err := db.QueryContext(ctx, fmt.Sprintf("SELECT coalesce(name, ''), \"desc\" FROM pragma_index_xinfo(%s) WHERE key = 1 ORDER BY seqno", sqlString(ix.Name)))
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

func pgIndexExtras(ctx context.Context, db *sql.DB, t *schema.Table) error {
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

func mysqlIndexDesc(ctx context.Context, db *sql.DB, table string, idx map[string]*schema.Index) error {
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
