package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/microblog/microblog/migrate/dialect"
	"github.com/microblog/microblog/migrate/schema"
)

// Inspect reads the schema of a live database of the built-in dialect named dialect
// (every table but the version table) into the portable form, so that it can be compared
// with what the revisions describe. Constraint names come back as created; types come
// back as portable kinds.
//
// Tables named river_* belong to the River job queue, whose own migrations manage them
// (package internal/jobs); like the engine's bookkeeping tables they are not part of the
// inspected schema, so autogenerate never proposes to drop them. On MySQL/MariaDB,
// microblog_changes holds the commit counts of microblog's database layer (package
// internal/database) and is left out the same way.
func Inspect(ctx context.Context, db *sql.DB, dialect string) (*schema.Schema, error) {
	d, ok := LookupDialect(dialect)
	if !ok {
		return nil, fmt.Errorf("migrate: inspect: unknown dialect %q", dialect)
	}
	return inspect(ctx, db, d)
}

// inspect is Inspect with a dialect's implementation: the tables sorted by name.
func inspect(ctx context.Context, db *sql.DB, d dialect.Dialect) (*schema.Schema, error) {
	s, err := d.Inspect(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("migrate: inspect %s: %w", d.Name(), err)
	}
	slices.SortFunc(s.Tables, func(a, b *schema.Table) int { return strings.Compare(a.Name, b.Name) })
	return s, nil
}
