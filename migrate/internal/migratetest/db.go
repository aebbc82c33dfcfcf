package migratetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/dburl"
)

// Environment variables naming the servers the tests may use, the same as the app's
// tests read: each holds the URL of a database the tests can connect to in order to
// create their own.
const (
	PostgresEnv = "MICROBLOG_TEST_POSTGRES_URL" // e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable
	MySQLEnv    = "MICROBLOG_TEST_MYSQL_URL"    // e.g. mysql://root@127.0.0.1:3306/test
	// RequireEnv, when 1, turns a missing server into a test failure instead of a skip,
	// so that a green run proves every dialect was exercised.
	RequireEnv = "MICROBLOG_TEST_REQUIRE_ALL_DIALECTS"
)

// Dialects lists every dialect, for table-driven tests.
var Dialects = []string{migrate.SQLite, migrate.Postgres, migrate.MySQL}

// DB is an open test database: the pool the engine takes and its dialect name.
type DB struct {
	SQL     *sql.DB
	Dialect string
	URL     string
}

// Close closes the pool.
func (d *DB) Close() error { return d.SQL.Close() }

// OpenURL connects to the database at url (sqlite:///…, postgres://…, mysql://…).
func OpenURL(ctx context.Context, url string) (*DB, error) {
	db, dialect, err := dburl.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	return &DB{SQL: db, Dialect: dialect, URL: url}, nil
}

// Open returns a new empty database of the dialect, closed and removed when the test
// ends.
func Open(t testing.TB, dialect string) *DB {
	t.Helper()
	db, err := OpenURL(context.Background(), URL(t, dialect))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// URL returns the URL of a new empty database of the dialect, removed when the test
// ends: a file in the test's temporary directory for SQLite, a database created on the
// server named by PostgresEnv or MySQLEnv otherwise. It skips the test when that
// variable is unset, or fails it under RequireEnv=1.
func URL(t testing.TB, dialect string) string {
	t.Helper()
	switch dialect {
	case migrate.SQLite:
		return "sqlite:///" + filepath.Join(t.TempDir(), "test.db")
	case migrate.Postgres:
		return serverDB(t, PostgresEnv, dialect)
	case migrate.MySQL:
		return serverDB(t, MySQLEnv, dialect)
	}
	t.Fatalf("migratetest: unknown dialect %q", dialect)
	return ""
}

// Require skips the test when the dialect's server is not named in the environment
// (PostgresEnv, MySQLEnv), or fails it under RequireEnv=1. SQLite needs no server.
func Require(t testing.TB, dialect string) {
	t.Helper()
	env := map[string]string{migrate.Postgres: PostgresEnv, migrate.MySQL: MySQLEnv}[dialect]
	if env == "" || os.Getenv(env) != "" {
		return
	}
	if os.Getenv(RequireEnv) == "1" {
		t.Fatalf("%s tests required (%s=1) but %s is not set", dialect, RequireEnv, env)
	}
	t.Skipf("%s tests skipped: set %s to a server URL to run them", dialect, env)
}

// serverDB creates a database with a random name on the server at env's URL and
// returns its URL; the database is dropped when the test ends.
func serverDB(t testing.TB, env, dialect string) string {
	t.Helper()
	Require(t, dialect)
	admin := os.Getenv(env)
	target, err := dburl.Parse(admin)
	if err != nil {
		t.Fatalf("migratetest: %s: %v", env, err)
	}
	if target.Dialect != dialect {
		t.Fatalf("migratetest: %s names a %s server, want %s", env, target.Dialect, dialect)
	}
	db, err := sql.Open(target.Driver, target.DSN)
	if err != nil {
		t.Fatalf("migratetest: %v", err)
	}
	defer db.Close()
	name := "mgt_" + randomHex(6)
	if _, err := db.ExecContext(context.Background(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("migratetest: create database on the %s server of %s: %v", dialect, env, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open(target.Driver, target.DSN)
		if err != nil {
			t.Errorf("migratetest: cleanup: %v", err)
			return
		}
		defer db.Close()
		drop := "DROP DATABASE IF EXISTS " + name
		if dialect == migrate.Postgres {
			drop += " WITH (FORCE)"
		}
		if _, err := db.ExecContext(context.Background(), drop); err != nil {
			t.Errorf("migratetest: cleanup %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("migratetest: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}
