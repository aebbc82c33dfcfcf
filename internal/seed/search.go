package seed

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/microblog/microblog/internal/bulk"
	"github.com/microblog/microblog/internal/database"
)

// The SQLite search index: post_fts, an FTS5 table whose content is post's, fed by the
// trigger post_fts_insert (migration 84fc1485177b).
const (
	ftsTable   = "post_fts"
	ftsTrigger = "post_fts_insert"
	// ftsDefaultHashSize is FTS5's hashsize when its table does not set one: the
	// pending terms it holds before writing them out as a new segment.
	ftsDefaultHashSize = 1 << 20
	// ftsLoadHashSize is the hashsize while the index is built after the load: the terms
	// of the seeded posts (a small vocabulary) fit, and are written as one or a few
	// large segments instead of a thousand 1 MiB ones merged again and again.
	ftsLoadHashSize = 64 << 20
)

// deferSearchIndex, on SQLite, drops the trigger that adds each new post to post_fts and
// returns restore, which builds the index from every post in one pass ('rebuild') and
// creates the trigger again from its own statement, in the same transaction. Fed by the
// trigger, FTS5 writes a small segment at every statement and merges them over and over:
// that was a quarter of the load's CPU time, a third once the other indexes were built
// at the end. The search index afterwards holds the same terms and answers searches
// alike (the tests run FTS5's integrity-check and count its documents); its table's
// settings are left as they were. post must be empty before the load, which Run makes
// sure of. On other dialects it does nothing: PostgreSQL's search column is computed
// with the row and its GIN index is deferred with the others
// (bulk.Tx.DeferIndexesAndForeignKeys); MariaDB's FULLTEXT index stays.
func deferSearchIndex(ctx context.Context, tx *bulk.Tx) (restore func(context.Context) error, err error) {
	if tx.Dialect() != database.SQLite {
		return func(context.Context) error { return nil }, nil
	}
	var trigger string
	if err := tx.QueryRow(ctx, "SELECT COALESCE((SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?), '')", ftsTrigger).Scan(&trigger); err != nil {
		return nil, fmt.Errorf("search index: the trigger %s: %w", ftsTrigger, err)
	}
	if trigger == "" {
		return nil, fmt.Errorf("search index: no trigger %s", ftsTrigger)
	}
	var hashSize sql.NullInt64
	if err := tx.QueryRow(ctx, "SELECT (SELECT v FROM "+ftsTable+"_config WHERE k = 'hashsize')").Scan(&hashSize); err != nil {
		return nil, fmt.Errorf("search index: its hashsize: %w", err)
	}
	if err := tx.Exec(ctx, "DROP TRIGGER "+bulk.Quote(tx.Dialect(), ftsTrigger)); err != nil {
		return nil, fmt.Errorf("search index: %w", err)
	}
	return func(ctx context.Context) error {
		setHashSize := func(n int64) error {
			return tx.Exec(ctx, "INSERT INTO "+ftsTable+" ("+ftsTable+", rank) VALUES ('hashsize', "+strconv.FormatInt(n, 10)+")")
		}
		steps := []func() error{
			func() error { return setHashSize(ftsLoadHashSize) },
			func() error { return tx.Exec(ctx, "INSERT INTO "+ftsTable+" ("+ftsTable+") VALUES ('rebuild')") },
			// FTS5's own command puts the old value back; with none before, the next
			// step then removes its row, as the table was before the load.
			func() error { return setHashSize(orDefault(hashSize, ftsDefaultHashSize)) },
			func() error {
				if hashSize.Valid {
					return nil
				}
				// As before the load: no setting of its own (FTS5 reads the default).
				return tx.Exec(ctx, "DELETE FROM "+ftsTable+"_config WHERE k = 'hashsize'")
			},
			func() error { return tx.Exec(ctx, trigger) },
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return fmt.Errorf("search index: build: %w", err)
			}
		}
		return nil
	}, nil
}

func orDefault(n sql.NullInt64, def int64) int64 {
	if n.Valid {
		return n.Int64
	}
	return def
}
