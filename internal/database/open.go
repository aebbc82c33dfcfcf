package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	_ "github.com/go-sql-driver/mysql" // registers "mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/mysqldialect"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/schema"
	_ "modernc.org/sqlite" // registers "sqlite"
)

// DB is an open database: bun for queries, the raw *sql.DB for the migration engine.
type DB struct {
	Bun     *bun.DB
	SQL     *sql.DB
	Dialect string
	// URL is the DATABASE_URL with its password masked.
	URL string

	models sync.Map // reflect.Type → *model, for sessions
	// bunInserts makes sessions write every INSERT through bun (tests compare the two).
	bunInserts bool
	// changes answers ChangeVersion on a SQLite file, snapshots on PostgreSQL, counter
	// on MySQL/MariaDB.
	changes   *changeWatch
	snapshots *snapshotWatch
	counter   *commitCounter
}

// Open connects to the database named by a DATABASE_URL (see ParseURL) and checks that it
// answers. Errors are one line naming the URL (password masked) and the cause.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	t, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	return OpenTarget(ctx, t)
}

// OpenTarget connects to a parsed target.
func OpenTarget(ctx context.Context, t Target) (*DB, error) {
	sqldb, counter, err := openGuarded(t)
	if err != nil {
		return nil, fmt.Errorf("database: open %s: %w", t.Redacted, err)
	}
	var dialect schema.Dialect
	switch t.Dialect {
	case SQLite:
		dialect = sqlitedialect.New()
		if inMemory(t.DSN) {
			// Every connection to :memory: is a separate database: keep exactly one.
			sqldb.SetMaxOpenConns(1)
		}
	case Postgres:
		dialect = pgdialect.New()
	case MySQL:
		dialect = mysqldialect.New()
	default:
		sqldb.Close()
		return nil, fmt.Errorf("database: unknown dialect %q", t.Dialect)
	}
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqldb.PingContext(pingCtx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("database: cannot connect to %s: %s", t.Redacted, oneLine(err))
	}
	bdb := bun.NewDB(sqldb, textDialect{dialect})
	bdb.AddQueryHook(trackingHook{})
	d := &DB{Bun: bdb, SQL: sqldb, Dialect: t.Dialect, URL: t.Redacted}
	if t.Dialect == SQLite && !inMemory(t.DSN) {
		// Not in memory, whose one connection is the pool's.
		d.changes = &changeWatch{}
	}
	if t.Dialect == Postgres {
		d.snapshots = &snapshotWatch{}
	}
	if counter != nil {
		d.counter = counter
		counter.detect(pingCtx, sqldb)
	}
	return d, nil
}

// inMemory says whether a SQLite DSN (as ParseURL writes it) names :memory:, a database
// of one connection.
func inMemory(dsn string) bool { return strings.HasPrefix(dsn, "file::memory:") }

// Close closes the connection pool.
func (d *DB) Close() error {
	if d.changes != nil {
		d.changes.close()
	}
	if err := d.Bun.Close(); err != nil {
		return fmt.Errorf("database: close: %w", err)
	}
	return nil
}

// oneLine flattens driver errors that span several lines (pgx lists each connection
// attempt on its own line, often twice when it retries without TLS) into one line.
func oneLine(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "no answer within 10s"
	}
	var parts []string
	for _, p := range strings.Split(err.Error(), "\n") {
		p = strings.Join(strings.Fields(p), " ")
		if p != "" && !slices.Contains(parts, p) {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " ")
}
