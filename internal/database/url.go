package database

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// Dialect names, as used across the project and by the migration engine.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
	MySQL    = "mysql"
)

// DefaultSQLitePath is the database file used when DATABASE_URL is unset.
const DefaultSQLitePath = "app.db"

// Target is a parsed DATABASE_URL: which dialect, and how to reach it.
type Target struct {
	Dialect string
	Driver  string // database/sql driver name
	DSN     string // driver-specific connection string
	// Redacted is the URL with any password masked, safe for logs and errors.
	Redacted string
}

// ParseURL interprets a DATABASE_URL. An empty string means the SQLite file app.db in the
// working directory. Accepted forms:
//
//	sqlite:///relative/path.db   sqlite:////absolute/path.db   sqlite:// (in memory)
//	postgres://user:pass@host:5432/db?sslmode=disable   (also postgresql://)
//	mysql://user:pass@host:3306/db   (also mysql+pymysql:// as Flask apps write it)
func ParseURL(raw string) (Target, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return sqliteTarget(DefaultSQLitePath, DefaultSQLitePath), nil
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return Target{}, fmt.Errorf("database: DATABASE_URL %q: want sqlite:///FILE, postgres://… or mysql://…", redactRaw(raw))
	}
	switch strings.ToLower(scheme) {
	case "sqlite", "sqlite3":
		// SQLAlchemy's forms: sqlite:///rel.db, sqlite:////abs.db, sqlite:// for memory.
		path := strings.TrimPrefix(rest, "/")
		if path == "" || path == ":memory:" {
			return sqliteTarget(":memory:", raw), nil
		}
		path, query, _ := strings.Cut(path, "?")
		if query != "" {
			return Target{}, fmt.Errorf("database: DATABASE_URL %q: SQLite URLs take no query parameters (got %q)", raw, query)
		}
		return sqliteTarget(filepath.FromSlash(path), raw), nil
	case "postgres", "postgresql", "postgresql+psycopg2", "postgresql+psycopg":
		u, err := url.Parse("postgres://" + rest)
		if err != nil {
			return Target{}, fmt.Errorf("database: DATABASE_URL %q: %w", redactRaw(raw), unwrapURLError(err))
		}
		if u.Host == "" {
			return Target{}, fmt.Errorf("database: DATABASE_URL %q: no host", u.Redacted())
		}
		if strings.Trim(u.Path, "/") == "" {
			return Target{}, fmt.Errorf("database: DATABASE_URL %q: no database name after the host", u.Redacted())
		}
		return Target{Dialect: Postgres, Driver: "pgx", DSN: u.String(), Redacted: u.Redacted()}, nil
	case "mysql", "mysql+pymysql", "mariadb", "mysql+mysqldb":
		u, err := url.Parse("mysql://" + rest)
		if err != nil {
			return Target{}, fmt.Errorf("database: DATABASE_URL %q: %w", redactRaw(raw), unwrapURLError(err))
		}
		return mysqlTarget(u)
	}
	return Target{}, fmt.Errorf("database: DATABASE_URL %q: unsupported scheme %q (want sqlite, postgres, postgresql or mysql)", redactRaw(raw), scheme)
}

func sqliteTarget(path, shown string) Target {
	// busy_timeout comes first so that switching to WAL already waits for locks.
	// The switch is the _journal_mode key, which the driver applies after every _pragma:
	// so synchronous is NORMAL by then, and on a new database file the switch (a
	// rollback-journal transaction) syncs its journal once instead of twice
	// (_pragma=journal_mode would run before _pragma=synchronous: the driver sorts them).
	// _txlock=immediate takes the write lock at BEGIN, so concurrent writers queue on
	// busy_timeout instead of failing with SQLITE_BUSY at their first write.
	params := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_time_format=sqlite&_txlock=immediate"
	if path == ":memory:" {
		return Target{Dialect: SQLite, Driver: sqliteSerializedDriver, DSN: "file::memory:?" + params, Redacted: shown}
	}
	return Target{
		Dialect:  SQLite,
		Driver:   sqliteSerializedDriver,
		DSN:      "file:" + path + "?" + params + "&_journal_mode=WAL",
		Redacted: shown,
	}
}

func mysqlTarget(u *url.URL) (Target, error) {
	if u.Host == "" {
		return Target{}, fmt.Errorf("database: DATABASE_URL %q: no host", u.Redacted())
	}
	db := strings.Trim(u.Path, "/")
	if db == "" {
		return Target{}, fmt.Errorf("database: DATABASE_URL %q: no database name after the host", u.Redacted())
	}
	cfg := mysql.NewConfig()
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Net = "tcp"
	cfg.Addr = u.Host
	if u.Port() == "" {
		cfg.Addr = u.Host + ":3306"
	}
	cfg.DBName = db
	cfg.ParseTime = true
	// Report matched rather than changed rows, so an UPDATE that rewrites a value with
	// itself still counts as having found its row.
	cfg.ClientFoundRows = true
	cfg.Loc = time.UTC
	// bun writes string arguments into the statement with backslashes escaped, which is
	// right only while NO_BACKSLASH_ESCAPES is off: take it out of the session's mode,
	// whatever the server's default.
	cfg.Params = map[string]string{"charset": "utf8mb4", "sql_mode": "REPLACE(@@sql_mode,'NO_BACKSLASH_ESCAPES','')"}
	cfg.Collation = "utf8mb4_unicode_ci"
	for k, vs := range u.Query() {
		if len(vs) > 0 {
			cfg.Params[k] = vs[len(vs)-1]
		}
	}
	return Target{Dialect: MySQL, Driver: "mysql", DSN: cfg.FormatDSN(), Redacted: u.Redacted()}, nil
}

// redactRaw masks the password of a URL that net/url could not parse.
func redactRaw(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return raw
	}
	userinfo := rest[:at]
	if user, _, hasPass := strings.Cut(userinfo, ":"); hasPass {
		return scheme + "://" + user + ":xxxxx" + rest[at:]
	}
	return raw
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
