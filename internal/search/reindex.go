package search

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/microblog/microblog/internal/database"
)

// ReindexBatch is how many posts Reindex handles per statement.
const ReindexBatch = 10000

// Progress is told how many posts of total have been indexed so far.
type Progress func(done, total int64)

// Reindex rebuilds the full-text index from the posts, calling progress after each
// batch. The databases keep the index in step by themselves; this is for an index
// suspected damaged, or after a change of the text search configurations.
//
//   - SQLite: the FTS5 index is emptied and refilled in one transaction, so searches
//     meanwhile see the old index and writers wait (busy_timeout) until it ends.
//   - PostgreSQL: body_tsv is recomputed batch by batch (each its own transaction, so
//     rows are never unindexed), then the GIN index is rebuilt.
//   - MySQL/MariaDB: the FULLTEXT index is dropped and created again in one ALTER
//     TABLE that copies the table (created if it went missing); writers wait, and
//     progress jumps from 0 to all when it ends.
func Reindex(ctx context.Context, db *database.DB, progress Progress) error {
	if progress == nil {
		progress = func(int64, int64) {}
	}
	var total int64
	if err := db.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM post").Scan(&total); err != nil {
		return fmt.Errorf("search: reindex: count posts: %w", err)
	}
	progress(0, total)
	var err error
	switch db.Dialect {
	case database.SQLite:
		err = reindexSQLite(ctx, db.SQL, total, progress)
	case database.Postgres:
		err = reindexPostgres(ctx, db.SQL, total, progress)
	case database.MySQL:
		err = reindexMySQL(ctx, db.SQL)
		if err == nil {
			progress(total, total)
		}
	default:
		err = fmt.Errorf("unknown dialect %s", db.Dialect)
	}
	if err != nil {
		return fmt.Errorf("search: reindex: %w", err)
	}
	return nil
}

func reindexSQLite(ctx context.Context, db *sql.DB, total int64, progress Progress) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO post_fts (post_fts) VALUES ('delete-all')`); err != nil {
		return err
	}
	var done, last int64
	for {
		var n int64
		var next sql.NullInt64
		// The batch's last id first, then one INSERT … SELECT over the id range.
		err := tx.QueryRowContext(ctx, `SELECT COUNT(*), MAX(id) FROM (SELECT id FROM post WHERE id > ? ORDER BY id LIMIT ?)`, last, ReindexBatch).Scan(&n, &next)
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO post_fts (rowid, body) SELECT id, body FROM post WHERE id > ? AND id <= ?`, last, next.Int64); err != nil {
			return err
		}
		done += n
		last = next.Int64
		progress(min(done, total), total)
	}
	return tx.Commit()
}

func reindexPostgres(ctx context.Context, db *sql.DB, total int64, progress Progress) error {
	var done, last int64
	for {
		var n int64
		var next sql.NullInt64
		err := db.QueryRowContext(ctx, `WITH b AS (SELECT id FROM post WHERE id > $1 ORDER BY id LIMIT $2) SELECT COUNT(*), MAX(id) FROM b`, last, ReindexBatch).Scan(&n, &next)
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
		// Any UPDATE recomputes a stored generated column.
		if _, err := db.ExecContext(ctx, `UPDATE post SET body = body WHERE id > $1 AND id <= $2`, last, next.Int64); err != nil {
			return err
		}
		done += n
		last = next.Int64
		progress(min(done, total), total)
	}
	_, err := db.ExecContext(ctx, `REINDEX INDEX ix_post_body_tsv`)
	return err
}

func reindexMySQL(ctx context.Context, db *sql.DB) error {
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'post' AND index_name = 'ft_post_body'").Scan(&n); err != nil {
		return err
	}
	// ALGORITHM=COPY: built in place, over a table that had such an index before,
	// MariaDB 10.11's new index leaves the existing rows out.
	alter := "ALTER TABLE `post` ADD FULLTEXT INDEX `ft_post_body` (`body`), ALGORITHM=COPY"
	if n > 0 {
		alter = "ALTER TABLE `post` DROP INDEX `ft_post_body`, ADD FULLTEXT INDEX `ft_post_body` (`body`), ALGORITHM=COPY"
	}
	_, err := db.ExecContext(ctx, alter)
	return err
}
