package web_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/schema"
)

// A snapshot of every table of a live database, for tests that compare whole databases
// before and after an operation: a table added later is in it without anyone listing it.

// tableRow is one row: its columns' values as text ("NULL" for NULL), by column name.
type tableRow map[string]string

// key is the row as one comparable string.
func (r tableRow) key() string {
	cols := make([]string, 0, len(r))
	for c := range r {
		cols = append(cols, c)
	}
	slices.Sort(cols)
	var b strings.Builder
	for _, c := range cols {
		fmt.Fprintf(&b, "%s=%q;", c, r[c])
	}
	return b.String()
}

// snapshot is every row of every table, by table name.
type snapshot map[string][]tableRow

// snapshotTables reads every row of every base table the database's catalog lists:
// SQLite's PRAGMA table_list (its internal tables, and the shadow tables of virtual
// tables such as FTS5, which hold index pages rather than rows, are not listed as
// "table"), information_schema elsewhere. River's tables other than river_job (leader
// election, queue settings, its migration versions: no user data, and changed by the
// queue's own clock) are left out; river_job, which holds job arguments, is in.
func snapshotTables(t *testing.T, db *database.DB) snapshot {
	t.Helper()
	ctx := context.Background()
	var q string
	switch db.Dialect {
	case database.SQLite:
		q = "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%'"
	case database.Postgres:
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
	default:
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'"
	}
	var names []string
	if err := db.Bun.NewRaw(q).Scan(ctx, &names); err != nil {
		t.Fatalf("list tables: %v", err)
	}
	snap := snapshot{}
	for _, name := range names {
		if strings.HasPrefix(name, "river_") && name != "river_job" || name == database.CommitCounterTable {
			continue // the commit counter (MySQL) holds counts, no user data
		}
		snap[name] = readTable(t, db, name)
	}
	if len(snap) < 9 {
		t.Fatalf("the catalog lists %d tables (%v); the schema has at least 9", len(snap), names)
	}
	return snap
}

func readTable(t *testing.T, db *database.DB, name string) []tableRow {
	t.Helper()
	rows, err := db.Bun.QueryContext(context.Background(), "SELECT * FROM ?", bun.Ident(name))
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []tableRow
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		row := tableRow{}
		for i, c := range cols {
			row[strings.ToLower(c)] = cellText(vals[i])
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return out
}

func cellText(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return string(v)
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	default:
		return fmt.Sprint(v)
	}
}

// foreignKeys reads the foreign keys of the application's tables from the live
// database.
func foreignKeys(t *testing.T, db *database.DB) map[string][]*schema.ForeignKey {
	t.Helper()
	s, err := migrate.Inspect(context.Background(), db.SQL, db.Dialect)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]*schema.ForeignKey{}
	for _, tb := range s.Tables {
		out[tb.Name] = tb.ForeignKeys
	}
	return out
}

// withoutRows is before minus the rows gone says, by table: what a deletion must leave.
// gone starts from owned (rows that belong to the deleted account by their content) and
// follows every foreign key: a row that refers to a gone row must be gone as well, since
// no foreign key may point at nothing.
func withoutRows(before snapshot, fks map[string][]*schema.ForeignKey, owned func(table string, r tableRow) bool) (snapshot, map[string]int) {
	gone := map[string][]bool{}
	for table, rows := range before {
		gone[table] = make([]bool, len(rows))
		for i, r := range rows {
			gone[table][i] = owned(table, r)
		}
	}
	for changed := true; changed; {
		changed = false
		for table, rows := range before {
			for _, fk := range fks[table] {
				refs := map[string]bool{}
				for i, r := range before[fk.RefTable] {
					if gone[fk.RefTable][i] {
						refs[project(r, fk.RefColumns)] = true
					}
				}
				for i, r := range rows {
					if !gone[table][i] && refs[project(r, fk.Columns)] {
						gone[table][i], changed = true, true
					}
				}
			}
		}
	}
	want, counts := snapshot{}, map[string]int{}
	for table, rows := range before {
		want[table] = []tableRow{}
		for i, r := range rows {
			if gone[table][i] {
				counts[table]++
			} else {
				want[table] = append(want[table], r)
			}
		}
	}
	return want, counts
}

func project(r tableRow, cols []string) string {
	var b strings.Builder
	for _, c := range cols {
		fmt.Fprintf(&b, "%q,", r[strings.ToLower(c)])
	}
	return b.String()
}

// diffSnapshots reports, per table, the rows one snapshot has and the other lacks.
func diffSnapshots(t *testing.T, got, want snapshot) {
	t.Helper()
	tables := map[string]bool{}
	for name := range got {
		tables[name] = true
	}
	for name := range want {
		tables[name] = true
	}
	for name := range tables {
		g, w := keys(got[name]), keys(want[name])
		if slices.Equal(g, w) {
			continue
		}
		extra, missing := minus(g, w), minus(w, g)
		t.Errorf("table %s: %d rows, want %d\nleft behind: %v\nwrongly gone: %v", name, len(g), len(w), extra, missing)
	}
}

func keys(rows []tableRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.key()
	}
	slices.Sort(out)
	return out
}

// minus is a without one occurrence of each element of b (both sorted).
func minus(a, b []string) []string {
	count := map[string]int{}
	for _, s := range b {
		count[s]++
	}
	var out []string
	for _, s := range a {
		if count[s] > 0 {
			count[s]--
			continue
		}
		out = append(out, s)
	}
	return out
}
