package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// tableOps writes the upgrade ops creating table i (8 columns, a primary key, a foreign
// key to table i-1, two indexes) and returns the matching downgrade ops.
func tableOps(b *strings.Builder, i int) (down []string) {
	name := fmt.Sprintf("t%03d", i)
	fmt.Fprintf(b, "  - create_table:\n      name: %s\n      columns:\n", name)
	for _, c := range []string{
		"{name: id, type: integer, nullable: false, autoincrement: true}",
		"{name: name, type: varchar(64), nullable: false}",
		"{name: email, type: varchar(120), nullable: false}",
		"{name: score, type: integer, nullable: true}",
		"{name: created, type: datetime, nullable: false}",
		"{name: active, type: boolean, nullable: false}",
		"{name: note, type: text, nullable: true}",
		"{name: parent_id, type: integer, nullable: true}",
	} {
		fmt.Fprintf(b, "        - %s\n", c)
	}
	fmt.Fprintf(b, "      primary_key: {name: pk_%s, columns: [id]}\n", name)
	if i > 0 {
		fmt.Fprintf(b, "      foreign_keys:\n        - {name: fk_%s_parent_id_t%03d, columns: [parent_id], ref_table: t%03d, ref_columns: [id]}\n", name, i-1, i-1)
	}
	fmt.Fprintf(b, "  - create_index: {table: %s, name: ix_%s_email, columns: [email], unique: true}\n", name, name)
	fmt.Fprintf(b, "  - create_index: {table: %s, name: ix_%s_created, columns: [created], unique: false}\n", name, name)
	return []string{
		fmt.Sprintf("  - drop_index: {table: %s, name: ix_%s_created}\n", name, name),
		fmt.Sprintf("  - drop_index: {table: %s, name: ix_%s_email}\n", name, name),
		fmt.Sprintf("  - drop_table: {name: %s}\n", name),
	}
}

func writeRevision(dir, id, parent, message, up string, down []string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "revision: %s\n", id)
	if parent == "" {
		b.WriteString("down_revision: null\n")
	} else {
		fmt.Fprintf(&b, "down_revision: %s\n", parent)
	}
	fmt.Fprintf(&b, "message: %q\ncreate_date: 2026-12-02 00:00:00.000000\nupgrade:\n%s", message, up)
	b.WriteString("downgrade:\n")
	for _, d := range down {
		b.WriteString(d)
	}
	path := filepath.Join(dir, "versions", id+"_"+strings.ReplaceAll(message, " ", "_")+".yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	return nil
}

func mkRepo(dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, "versions"), 0o755); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	return nil
}

// repoFormat writes one tool's repositories: microblog's YAML revisions, or Alembic's
// Python ones (alembicFormat).
type repoFormat struct {
	project  func(dir string) error
	table    func(b *strings.Builder, i int) (down []string)
	revision func(dir, id, parent, message, up string, down []string) error
}

func microblogFormat() repoFormat { return repoFormat{mkRepo, tableOps, writeRevision} }

// writeRepos writes, in format f, the three repositories under dir: empty/ (no
// revisions), wide/ (one revision creating tables tables) and chain/ (chainLen
// revisions, each creating one table).
func writeRepos(dir string, tables, chainLen int, f repoFormat) error {
	if err := f.project(filepath.Join(dir, "empty")); err != nil {
		return err
	}
	wide := filepath.Join(dir, "wide")
	if err := f.project(wide); err != nil {
		return err
	}
	var up strings.Builder
	var down []string
	for i := range tables {
		// drop in reverse order of creation: later tables refer to earlier ones
		down = append(f.table(&up, i), down...)
	}
	if err := f.revision(wide, "a0000000wide", "", fmt.Sprintf("%d tables", tables), up.String(), down); err != nil {
		return err
	}
	chain := filepath.Join(dir, "chain")
	if err := f.project(chain); err != nil {
		return err
	}
	parent := ""
	for i := range chainLen {
		var up strings.Builder
		d := f.table(&up, i)
		id := fmt.Sprintf("c%011d", i)
		if err := f.revision(chain, id, parent, fmt.Sprintf("table %d", i), up.String(), d); err != nil {
			return err
		}
		parent = id
	}
	return nil
}
