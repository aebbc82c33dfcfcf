// Package dburl opens a database named by a URL for the migration engine's tests and
// its scratch application: sqlite:///FILE, postgres://… or mysql://…, as a DATABASE_URL
// is written. It is the engine's own, so that nothing under migrate imports the
// application (migrate could become a module of its own).
package dburl

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"

	"github.com/microblog/microblog/migrate"
)

// Target is a parsed database URL: the engine's dialect name, the database/sql driver
// and its connection string.
type Target struct {
	Dialect string
	Driver  string
	DSN     string
}

// Parse reads a database URL. Accepted forms:
//
//	sqlite:///relative/path.db   sqlite:////absolute/path.db
//	postgres://user:pass@host:5432/db?sslmode=disable   (also postgresql://)
//	mysql://user:pass@host:3306/db   (also mariadb://, mysql+pymysql://)
func Parse(raw string) (Target, error) {
	scheme, rest, ok := strings.Cut(strings.TrimSpace(raw), "://")
	if !ok {
		return Target{}, fmt.Errorf("dburl: %q: want sqlite:///FILE, postgres://… or mysql://…", raw)
	}
	switch strings.ToLower(scheme) {
	case "sqlite", "sqlite3":
		path := strings.TrimPrefix(rest, "/")
		if path == "" || strings.Contains(path, "?") {
			return Target{}, fmt.Errorf("dburl: %q: want sqlite:///FILE without parameters", raw)
		}
		// As the app opens SQLite: foreign keys on, WAL, writers queue on busy_timeout.
		dsn := "file:" + filepath.FromSlash(path) + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_time_format=sqlite&_txlock=immediate"
		return Target{Dialect: migrate.SQLite, Driver: "sqlite", DSN: dsn}, nil
	case "postgres", "postgresql":
		u, err := url.Parse("postgres://" + rest)
		if err != nil {
			return Target{}, fmt.Errorf("dburl: %w", err)
		}
		if u.Host == "" || strings.Trim(u.Path, "/") == "" {
			return Target{}, fmt.Errorf("dburl: %q: want a host and a database name", u.Redacted())
		}
		return Target{Dialect: migrate.Postgres, Driver: "pgx", DSN: u.String()}, nil
	case "mysql", "mariadb", "mysql+pymysql":
		u, err := url.Parse("mysql://" + rest)
		if err != nil {
			return Target{}, fmt.Errorf("dburl: %w", err)
		}
		name := strings.Trim(u.Path, "/")
		if u.Host == "" || name == "" {
			return Target{}, fmt.Errorf("dburl: %q: want a host and a database name", u.Redacted())
		}
		cfg := mysql.NewConfig()
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
		cfg.Net = "tcp"
		cfg.Addr = u.Host
		if u.Port() == "" {
			cfg.Addr += ":3306"
		}
		cfg.DBName = name
		cfg.ParseTime = true
		cfg.Loc = time.UTC
		cfg.Collation = "utf8mb4_unicode_ci"
		cfg.Params = map[string]string{"charset": "utf8mb4"}
		for k, vs := range u.Query() {
			cfg.Params[k] = vs[len(vs)-1]
		}
		return Target{Dialect: migrate.MySQL, Driver: "mysql", DSN: cfg.FormatDSN()}, nil
	}
	return Target{}, fmt.Errorf("dburl: %q: unsupported scheme %q (want sqlite, postgres or mysql)", raw, scheme)
}

// Open connects to the database at a URL and checks that it answers; it returns the
// pool and the engine's dialect name.
func Open(ctx context.Context, raw string) (*sql.DB, string, error) {
	t, err := Parse(raw)
	if err != nil {
		return nil, "", err
	}
	db, err := sql.Open(t.Driver, t.DSN)
	if err != nil {
		return nil, "", fmt.Errorf("dburl: open: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, "", fmt.Errorf("dburl: connect to %s database: %w", t.Dialect, err)
	}
	return db, t.Dialect, nil
}
