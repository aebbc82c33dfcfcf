// Package testdb gives tests a brand-new, empty database on each dialect: a temporary
// SQLite file, or a freshly created PostgreSQL / MariaDB database that is dropped when the
// test ends, so that test runs never collide. Servers are named by environment variables;
// when one is unset, tests for that dialect are skipped with a visible reason.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/jobs"
)

// Environment variables naming the servers tests may use. Each holds a DATABASE_URL of a
// database the tests can connect to in order to create their own.
const (
	PostgresEnv = "MICROBLOG_TEST_POSTGRES_URL" // e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable
	MySQLEnv    = "MICROBLOG_TEST_MYSQL_URL"    // e.g. mysql://root@127.0.0.1:3306/test
	RedisEnv    = "MICROBLOG_TEST_REDIS_URL"    // e.g. redis://127.0.0.1:6379/0
	// RequireEnv, when set to 1 (CI sets it), turns a missing server into a test
	// failure instead of a skip, so a green run proves every dialect was exercised.
	RequireEnv = "MICROBLOG_TEST_REQUIRE_ALL_DIALECTS"
)

// Dialects lists every dialect, for table-driven tests.
var Dialects = []string{database.SQLite, database.Postgres, database.MySQL}

// URL returns the DATABASE_URL of a new empty database of the given dialect, removed at
// the end of the test. It skips the test when the dialect's server is not configured.
func URL(t testing.TB, dialect string) string {
	t.Helper()
	switch dialect {
	case database.SQLite:
		return "sqlite:///" + filepath.Join(t.TempDir(), "test.db")
	case database.Postgres:
		return serverDB(t, PostgresEnv, dialect)
	case database.MySQL:
		return serverDB(t, MySQLEnv, dialect)
	}
	t.Fatalf("testdb: unknown dialect %q", dialect)
	return ""
}

// RedisURL returns the Redis URL tests may use, skipping the test (or failing it under
// RequireEnv) when it is not set. Tests share that server: they keep apart by using
// names of their own (see RandomName).
func RedisURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(RedisEnv)
	if u == "" {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("testdb: %s is not set and %s=1 requires every service", RedisEnv, RequireEnv)
		}
		t.Skipf("Redis tests skipped: set %s (e.g. redis://127.0.0.1:6379/0) to run them", RedisEnv)
	}
	return u
}

// RandomName returns prefix followed by random hex digits, for names that must not
// collide between test runs sharing a server.
func RandomName(prefix string) string { return prefix + randomHex(6) }

// Configured reports whether the dialect's test server is named in the environment
// (SQLite needs none).
func Configured(dialect string) bool {
	switch dialect {
	case database.Postgres:
		return os.Getenv(PostgresEnv) != ""
	case database.MySQL:
		return os.Getenv(MySQLEnv) != ""
	}
	return true
}

// Open returns an open connection to a new empty database of the given dialect, closed
// and removed at the end of the test.
func Open(t testing.TB, dialect string) *database.DB {
	t.Helper()
	db, err := database.Open(context.Background(), URL(t, dialect))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// OpenPlain opens a database/sql pool on a DATABASE_URL without microblog's database
// layer — no ping, no text guard, no commit counting — as another program would, closed
// at the end of the test.
func OpenPlain(t testing.TB, rawURL string) *sql.DB {
	t.Helper()
	target, err := database.ParseURL(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open(target.Driver, target.DSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func serverDB(t testing.TB, env, dialect string) string {
	t.Helper()
	admin := os.Getenv(env)
	if admin == "" {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("%s tests required (%s=1) but %s is not set", dialect, RequireEnv, env)
		}
		t.Skipf("%s tests skipped: set %s to a server URL to run them", dialect, env)
	}
	target, err := database.ParseURL(admin)
	if err != nil {
		t.Fatalf("testdb: %s: %v", env, err)
	}
	if target.Dialect != dialect {
		t.Fatalf("testdb: %s names a %s server, want %s", env, target.Dialect, dialect)
	}
	sqldb, err := sql.Open(target.Driver, target.DSN)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	defer sqldb.Close()
	name := "mbt_" + randomHex(6)
	ctx := context.Background()
	if _, err := sqldb.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("testdb: create database on %s: %v", target.Redacted, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open(target.Driver, target.DSN)
		if err != nil {
			t.Errorf("testdb: cleanup: %v", err)
			return
		}
		defer db.Close()
		drop := "DROP DATABASE IF EXISTS " + name
		if dialect == database.Postgres {
			drop += " WITH (FORCE)"
		}
		if _, err := db.ExecContext(context.Background(), drop); err != nil {
			t.Errorf("testdb: cleanup %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("testdb: crypto/rand: %v", err))
	}
	return hex.EncodeToString(b)
}

// Queue opens the job queue for db as the app would (River in SQLite and PostgreSQL,
// asynq in Redis for MySQL), under a queue name of the test's own, closed when the test
// ends. MySQL needs MICROBLOG_TEST_REDIS_URL.
func Queue(t testing.TB, db *database.DB) jobs.Queue {
	t.Helper()
	opts := jobs.Options{Queue: RandomName("test-"), PollInterval: 50 * time.Millisecond, StopTimeout: 5 * time.Second}
	if db.Dialect == database.MySQL {
		opts.RedisURL = RedisURL(t)
	}
	q, err := jobs.Open(context.Background(), db, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	return q
}
