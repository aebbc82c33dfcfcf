package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microblog/microblog/internal/testdb"
)

// The Alembic twins build the schema microblog's own repositories build: the same
// tables, columns, nullability, primary keys, foreign keys and indexes, so the baseline
// upgrades what microblog upgrades. Needs a Python that imports alembic; .ci/run installs
// Debian's python3-alembic and names it.
func TestAlembicTwinsBuildTheSameSchema(t *testing.T) {
	python := os.Getenv("MICROBLOG_TEST_ALEMBIC_PYTHON")
	if python == "" {
		t.Skip("MICROBLOG_TEST_ALEMBIC_PYTHON is unset: set it to a Python that imports alembic (Debian: /usr/bin/python3 with python3-alembic) to check bench/migrate's Alembic baseline")
	}
	dir := t.TempDir()
	if err := writeAllRepos(dir, 3, 4); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "microblog")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/microblog/microblog/cmd/microblog").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, repo := range []string{"wide", "chain"} {
		ours := "sqlite:///" + filepath.Join(dir, repo+"-microblog.db")
		theirs := "sqlite:///" + filepath.Join(dir, repo+"-alembic.db")
		if _, _, _, err := upgrade(bin, filepath.Join(dir, repo), ours); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := alembicUpgrade(python, filepath.Join(dir, "alembic", repo), theirs); err != nil {
			t.Fatal(err)
		}
		want, got := describe(t, ours), describe(t, theirs)
		if want != got {
			t.Errorf("%s: Alembic's schema differs from microblog's\nmicroblog:\n%s\nalembic:\n%s", repo, want, got)
		}
		if n := strings.Count(want, "\ntable "); n < 3 {
			t.Errorf("%s: %d tables described, want at least 3:\n%s", repo, n, want)
		}
	}
}

// describe lists the benchmark tables (t000, t001, ...) of the SQLite database at dbURL:
// columns with nullability and primary-key position, foreign keys, and the indexes made
// by CREATE INDEX with their uniqueness.
func describe(t *testing.T, dbURL string) string {
	t.Helper()
	db := testdb.OpenPlain(t, dbURL)
	var b strings.Builder
	for _, q := range []string{
		`SELECT 'table ' || m.name || ' column ' || p.name || ' notnull=' || p."notnull" || ' pk=' || p.pk FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name LIKE 't0%' ORDER BY m.name, p.cid`,
		`SELECT 'table ' || m.name || ' fk ' || f."from" || ' -> ' || f."table" || '.' || f."to" FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table' AND m.name LIKE 't0%' ORDER BY m.name, f."from"`,
		`SELECT 'table ' || m.name || ' index ' || i.name || ' unique=' || i."unique" FROM sqlite_master m JOIN pragma_index_list(m.name) i WHERE m.type = 'table' AND m.name LIKE 't0%' AND i.origin = 'c' ORDER BY m.name, i.name`,
	} {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "\n%s", line)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}
