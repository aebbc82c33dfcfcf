package main

import (
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// The Alembic baseline: the same three cases written as an Alembic project of the kind
// Flask-Migrate generates (one Python script a revision, op.create_table and
// op.create_index as `flask db migrate` writes them), upgraded with `python -m alembic
// upgrade head` on the same kind of fresh database, so that the issue's comparison with
// Alembic is measured in the same run as microblog's own figures.

// alembicEnv is the project's env.py: online mode only, on the URL the benchmark passes in
// BENCH_ALEMBIC_URL, with Alembic's default of one transaction for the whole upgrade.
const alembicEnv = `import os

from alembic import context
from sqlalchemy import create_engine

engine = create_engine(os.environ["BENCH_ALEMBIC_URL"])
with engine.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
`

// alembicTable writes the Python statements creating table i as tableOps does for
// microblog (same columns, keys and indexes) and returns those dropping it.
func alembicTable(b *strings.Builder, i int) (down []string) {
	name := fmt.Sprintf("t%03d", i)
	fmt.Fprintf(b, "    op.create_table(\n        %q,\n", name)
	for _, c := range []string{
		"sa.Column('id', sa.Integer(), nullable=False, autoincrement=True)",
		"sa.Column('name', sa.String(length=64), nullable=False)",
		"sa.Column('email', sa.String(length=120), nullable=False)",
		"sa.Column('score', sa.Integer(), nullable=True)",
		"sa.Column('created', sa.DateTime(), nullable=False)",
		"sa.Column('active', sa.Boolean(), nullable=False)",
		"sa.Column('note', sa.Text(), nullable=True)",
		"sa.Column('parent_id', sa.Integer(), nullable=True)",
	} {
		fmt.Fprintf(b, "        %s,\n", c)
	}
	if i > 0 {
		fmt.Fprintf(b, "        sa.ForeignKeyConstraint(['parent_id'], ['t%03d.id'], name='fk_%s_parent_id_t%03d'),\n", i-1, name, i-1)
	}
	fmt.Fprintf(b, "        sa.PrimaryKeyConstraint('id', name='pk_%s'),\n    )\n", name)
	fmt.Fprintf(b, "    op.create_index('ix_%s_email', '%s', ['email'], unique=True)\n", name, name)
	fmt.Fprintf(b, "    op.create_index('ix_%s_created', '%s', ['created'], unique=False)\n", name, name)
	return []string{
		fmt.Sprintf("    op.drop_index('ix_%s_created', table_name='%s')\n", name, name),
		fmt.Sprintf("    op.drop_index('ix_%s_email', table_name='%s')\n", name, name),
		fmt.Sprintf("    op.drop_table('%s')\n", name),
	}
}

// alembicProject creates dir as an Alembic project (alembic.ini, env.py, versions/).
func alembicProject(dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, "versions"), 0o755); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	ini := "[alembic]\nscript_location = " + abs + "\n"
	for name, text := range map[string]string{"alembic.ini": ini, "env.py": alembicEnv} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
	}
	return nil
}

func alembicRevision(dir, id, parent, message, up string, down []string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "\"\"\"%s\n\nRevision ID: %s\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\n", message, id)
	fmt.Fprintf(&b, "revision = %q\n", id)
	if parent == "" {
		b.WriteString("down_revision = None\n")
	} else {
		fmt.Fprintf(&b, "down_revision = %q\n", parent)
	}
	b.WriteString("branch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n")
	b.WriteString(up)
	b.WriteString("\n\ndef downgrade():\n")
	for _, d := range down {
		b.WriteString(d)
	}
	path := filepath.Join(dir, "versions", id+"_"+strings.ReplaceAll(message, " ", "_")+".py")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	return nil
}

func alembicFormat() repoFormat { return repoFormat{alembicProject, alembicTable, alembicRevision} }

// sqlalchemyURL turns one of the benchmark's database URLs into SQLAlchemy's form, with
// the drivers Debian packages (psycopg2, PyMySQL).
func sqlalchemyURL(dbURL string) (string, error) {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "", fmt.Errorf("bench: %w", err)
	}
	switch u.Scheme {
	case "sqlite":
		return dbURL, nil // sqlite:////absolute/path is SQLAlchemy's form too
	case "postgres", "postgresql":
		u.Scheme = "postgresql+psycopg2"
	case "mysql", "mariadb":
		u.Scheme = "mysql+pymysql"
	default:
		return "", fmt.Errorf("bench: no SQLAlchemy driver for %q", u.Scheme)
	}
	return u.String(), nil
}

// alembicUpgrade runs `python -m alembic -c dir/alembic.ini upgrade head` against dbURL
// and returns its wall time, CPU time and peak RSS in KiB, as upgrade does for microblog.
func alembicUpgrade(python, dir, dbURL string) (wall, cpu time.Duration, maxrss int64, err error) {
	saURL, err := sqlalchemyURL(dbURL)
	if err != nil {
		return 0, 0, 0, err
	}
	cmd := exec.Command(python, "-m", "alembic", "-c", filepath.Join(dir, "alembic.ini"), "upgrade", "head")
	cmd.Env = append(os.Environ(), "BENCH_ALEMBIC_URL="+saURL)
	return timed(cmd)
}
