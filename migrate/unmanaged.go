package migrate

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/microblog/microblog/migrate/schema"
)

// Unmanaged patterns name schema objects that a revision makes with raw SQL (execute)
// and that the engine's portable schema cannot describe: an SQLite FTS5 table and its
// shadow tables, a PostgreSQL generated tsvector column or GIN index, a MySQL FULLTEXT
// index. A revision lists them under `unmanaged:`, as path.Match patterns:
//
//	unmanaged: [post_fts, post_fts_*, post.body_tsv, post.ft_post_body]
//
// A pattern without a dot matches whole tables; "table.name" matches the columns,
// indexes and constraints called name of the tables matching table. The live schema
// is read without them wherever it is compared with the revisions (Runner.Drift, `db
// check`, resuming an interrupted MySQL upgrade), so they are neither reported as drift
// nor mistaken for half-applied operations. Autogenerate never sees them either way: it
// compares the models with the replayed revisions, and execute SQL adds nothing there.
// The declaration holds for the whole repository once any revision makes it.
func (r *Repo) Unmanaged() []string {
	var out []string
	for _, rev := range r.order {
		for _, p := range rev.Unmanaged {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// Managed returns the schema s (as Inspect reads it) without the objects the
// repository's revisions declare unmanaged: what the revisions describe.
func (r *Repo) Managed(s *schema.Schema) *schema.Schema { return withoutUnmanaged(s, r.Unmanaged()) }

// checkUnmanaged rejects malformed patterns when the revision file is read.
func checkUnmanaged(patterns []string) error {
	for _, p := range patterns {
		table, name, _ := strings.Cut(p, ".")
		if table == "" || strings.Contains(name, ".") || strings.TrimSpace(p) != p {
			return fmt.Errorf("want table or table.name patterns, got %q", p)
		}
		for _, part := range []string{table, name} {
			if _, err := path.Match(part, ""); err != nil {
				return fmt.Errorf("bad pattern %q: %w", p, err)
			}
		}
	}
	return nil
}

// withoutUnmanaged returns s without the objects the patterns name (s itself when there
// are none). The patterns were checked when read, so matching cannot fail.
func withoutUnmanaged(s *schema.Schema, patterns []string) *schema.Schema {
	if len(patterns) == 0 {
		return s
	}
	match := func(pattern, name string) bool { ok, _ := path.Match(pattern, name); return ok }
	out := &schema.Schema{}
	for _, t := range s.Tables {
		var names []string // object patterns that apply to this table
		dropped := false
		for _, p := range patterns {
			table, name, dotted := strings.Cut(p, ".")
			if !match(table, t.Name) {
				continue
			}
			if !dotted {
				dropped = true
				break
			}
			names = append(names, name)
		}
		if dropped {
			continue
		}
		if len(names) == 0 {
			out.Tables = append(out.Tables, t)
			continue
		}
		skip := func(name string) bool {
			return slices.ContainsFunc(names, func(p string) bool { return match(p, name) })
		}
		c := *t
		c.Columns = slices.DeleteFunc(slices.Clone(t.Columns), func(x *schema.Column) bool { return skip(x.Name) })
		c.Indexes = slices.DeleteFunc(slices.Clone(t.Indexes), func(x *schema.Index) bool { return skip(x.Name) })
		c.Uniques = slices.DeleteFunc(slices.Clone(t.Uniques), func(x *schema.Unique) bool { return skip(x.Name) })
		c.Checks = slices.DeleteFunc(slices.Clone(t.Checks), func(x *schema.Check) bool { return skip(x.Name) })
		c.ForeignKeys = slices.DeleteFunc(slices.Clone(t.ForeignKeys), func(x *schema.ForeignKey) bool { return skip(x.Name) })
		out.Tables = append(out.Tables, &c)
	}
	return out
}
