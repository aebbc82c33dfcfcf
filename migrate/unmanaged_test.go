package migrate_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/migratetest"
	"github.com/microblog/microblog/migrate/schema"
)

// fullTextRevision makes, with raw SQL, what each database's full-text search needs over
// note.body: objects the portable schema cannot describe.
func fullTextRevision(unmanaged []string) *migrate.Revision {
	exec := func(sqlite, postgres, mysql string) *migrate.Op {
		return &migrate.Op{Kind: migrate.OpExecute, SQLFor: map[string]string{"sqlite": sqlite, "postgres": postgres, "mysql": mysql}}
	}
	return &migrate.Revision{ID: "rev002", Down: []string{"rev001"}, Message: "full text", Unmanaged: unmanaged,
		CreateDate: time.Date(2026, 1, 1, 0, 0, 1, 0, time.UTC),
		Upgrade: []*migrate.Op{
			exec(`CREATE VIRTUAL TABLE note_fts USING fts5(body, content='note', content_rowid='id')`,
				`ALTER TABLE note ADD COLUMN body_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED`,
				"ALTER TABLE note ADD FULLTEXT INDEX ft_note_body (body)"),
			exec(`CREATE TRIGGER note_fts_insert AFTER INSERT ON note BEGIN INSERT INTO note_fts (rowid, body) VALUES (new.id, new.body); END`,
				`CREATE INDEX ix_note_body_tsv ON note USING gin (body_tsv)`, ""),
		},
		Downgrade: []*migrate.Op{
			exec("DROP TABLE note_fts", "ALTER TABLE note DROP COLUMN body_tsv", "ALTER TABLE note DROP INDEX ft_note_body"),
		},
	}
}

// Objects a revision declares unmanaged are not drift, on any dialect; undeclared, they
// are. The declaration goes through the file format (written, read back).
func TestUnmanagedObjectsAreNotDrift(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
		ctx := context.Background()
		base := chain(t, &schema.Schema{Tables: []*schema.Table{table("note", str("body", 140, false))}})
		for _, c := range []struct {
			unmanaged []string
			drift     bool
		}{
			{nil, true},
			{[]string{"note_fts"}, true}, // the shadow tables and PostgreSQL's column are still unknown
			{[]string{"note_fts", "note_fts_*", "note.body_tsv", "note.ix_note_body_tsv", "note.ft_note_*"}, false},
		} {
			r := runner(t, db, repoFS(t, append(base, fullTextRevision(c.unmanaged))...))
			if err := r.Upgrade(ctx, "heads"); err != nil {
				t.Fatal(err)
			}
			drift, err := r.Drift(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if (len(drift) > 0) != c.drift {
				t.Errorf("unmanaged %q: drift %q, want drift: %v", c.unmanaged, drift, c.drift)
			}
			if err := r.Downgrade(ctx, "base"); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestUnmanagedPatternsAreChecked(t *testing.T) {
	for _, bad := range []string{"a.b.c", ".col", "note[", "note.[", " note"} {
		r := fullTextRevision([]string{bad})
		data, err := r.Marshal("")
		if err != nil {
			t.Fatal(err)
		}
		_, err = migrate.ParseRevision("versions/rev002_full_text.yaml", data)
		if err == nil || !strings.Contains(err.Error(), "unmanaged:") || !strings.Contains(err.Error(), "rev002_full_text.yaml:") {
			t.Errorf("unmanaged %q: error %v, want one naming the file, line and field", bad, err)
		}
	}
}
