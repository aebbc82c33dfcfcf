package database_test

import (
	"context"
	"database/sql"
	"errors"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
)

// Each error below comes from a real failure of a real server or file, never from a
// hand-made string, so that IsUnavailable is checked against what the drivers return.

// closedPort is the address of a port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// sleepSQL is a statement that runs for seconds on the server.
func sleepSQL(dialect string) string {
	if dialect == database.Postgres {
		return "SELECT pg_sleep(10)"
	}
	return "SELECT SLEEP(10)"
}

// backendID is the server's id of the connection, for pg_terminate_backend or KILL.
func backendID(t *testing.T, c *sql.Conn, dialect string) int64 {
	t.Helper()
	q := "SELECT pg_backend_pid()"
	if dialect == database.MySQL {
		q = "SELECT CONNECTION_ID()"
	}
	var id int64
	if err := c.QueryRowContext(context.Background(), q).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestIsUnavailableOnServerFailures(t *testing.T) {
	for _, dialect := range []string{database.Postgres, database.MySQL} {
		t.Run(dialect, func(t *testing.T) {
			dbURL := testdb.URL(t, dialect)
			ctx := context.Background()
			failures := map[string]func(t *testing.T) error{
				"nothing listens on the port": func(t *testing.T) error {
					u := strings.Replace(dbURL, hostPort(t, dbURL), closedPort(t), 1)
					return testdb.OpenPlain(t, u).PingContext(ctx)
				},
				"the server ends the connection (pg_terminate_backend / KILL)": func(t *testing.T) error {
					db := testdb.OpenPlain(t, dbURL)
					c, err := db.Conn(ctx)
					if err != nil {
						t.Fatal(err)
					}
					defer c.Close()
					id := backendID(t, c, dialect)
					kill := "SELECT pg_terminate_backend($1)"
					if dialect == database.MySQL {
						kill = "KILL CONNECTION ?"
					}
					if _, err := testdb.OpenPlain(t, dbURL).ExecContext(ctx, kill, id); err != nil {
						t.Fatal(err)
					}
					time.Sleep(100 * time.Millisecond) // let the server close it
					_, err = c.ExecContext(ctx, "SELECT 1")
					return err
				},
				"the network drops a statement in flight": func(t *testing.T) error {
					p := testdb.NewProxy(t, hostPort(t, dbURL))
					db := testdb.OpenPlain(t, p.URL(dbURL))
					if err := db.PingContext(ctx); err != nil {
						t.Fatal(err)
					}
					// One pinned connection, so that database/sql cannot retry elsewhere.
					c, err := db.Conn(ctx)
					if err != nil {
						t.Fatal(err)
					}
					defer c.Close()
					errc := make(chan error, 1)
					go func() {
						_, err := c.ExecContext(ctx, sleepSQL(dialect))
						errc <- err
					}()
					time.Sleep(300 * time.Millisecond)
					p.Cut()
					return <-errc
				},
				"the network drops a transaction's statement in flight": func(t *testing.T) error {
					p := testdb.NewProxy(t, hostPort(t, dbURL))
					db := testdb.OpenPlain(t, p.URL(dbURL))
					tx, err := db.BeginTx(ctx, nil)
					if err != nil {
						t.Fatal(err)
					}
					defer tx.Rollback()
					errc := make(chan error, 1)
					go func() {
						var v any
						errc <- tx.QueryRowContext(ctx, sleepSQL(dialect)).Scan(&v)
					}()
					time.Sleep(300 * time.Millisecond)
					p.Cut()
					return <-errc
				},
				"every pooled connection is gone and no new one can be opened": func(t *testing.T) error {
					p := testdb.NewProxy(t, hostPort(t, dbURL))
					db := testdb.OpenPlain(t, p.URL(dbURL))
					db.SetMaxIdleConns(4)
					conns := make([]*sql.Conn, 4)
					for i := range conns {
						c, err := db.Conn(ctx)
						if err != nil {
							t.Fatal(err)
						}
						conns[i] = c
					}
					for _, c := range conns {
						c.Close() // back to the pool, idle
					}
					p.Cut()
					_, err := db.ExecContext(ctx, "SELECT 1")
					return err
				},
			}
			if dialect == database.Postgres {
				failures["pgx uses a connection it closed after a failure"] = func(t *testing.T) error {
					p := testdb.NewProxy(t, hostPort(t, dbURL))
					c, err := pgconn.Connect(ctx, p.URL(dbURL))
					if err != nil {
						t.Fatal(err)
					}
					defer c.Close(ctx)
					p.Cut()
					if _, err := c.Exec(ctx, "SELECT 1").ReadAll(); err == nil {
						t.Fatal("statement on a cut connection succeeded")
					}
					_, err = c.Exec(ctx, "SELECT 1").ReadAll()
					return err
				}
			}
			for name, fail := range failures {
				t.Run(name, func(t *testing.T) {
					err := fail(t)
					if err == nil {
						t.Fatal("no error")
					}
					t.Logf("%T: %v", err, err)
					if !database.IsUnavailable(err) {
						t.Errorf("IsUnavailable(%v) = false, want true", err)
					}
					wrapped := errors.Join(errors.New("context"), err)
					if !database.IsUnavailable(wrapped) {
						t.Errorf("IsUnavailable of the wrapped error = false, want true")
					}
				})
			}
		})
	}
}

// hostPort is the host:port of a server DATABASE_URL.
func hostPort(t *testing.T, rawURL string) string {
	t.Helper()
	_, rest, _ := strings.Cut(rawURL, "://")
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		rest = rest[at+1:]
	}
	host, _, _ := strings.Cut(rest, "/")
	return host
}

func TestIsUnavailableSQLiteLocked(t *testing.T) {
	path := t.TempDir() + "/locked.db"
	holder := testdb.OpenPlain(t, "sqlite:///"+path)
	ctx := context.Background()
	if _, err := holder.ExecContext(ctx, "CREATE TABLE t (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	c, err := holder.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	defer c.ExecContext(ctx, "ROLLBACK")
	// The application's own connection settings, with a short busy_timeout so that the
	// test does not wait the full 10 s.
	target, err := database.ParseURL("sqlite:///" + path)
	if err != nil {
		t.Fatal(err)
	}
	dsn := strings.Replace(target.DSN, "busy_timeout(10000)", "busy_timeout(100)", 1)
	if dsn == target.DSN {
		t.Fatalf("busy_timeout not found in %s", target.DSN)
	}
	writer, err := sql.Open(target.Driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	_, err = writer.ExecContext(ctx, "INSERT INTO t VALUES (1)")
	if err == nil {
		t.Fatal("write under another connection's exclusive lock succeeded")
	}
	t.Logf("%T: %v", err, err)
	if !database.IsUnavailable(err) {
		t.Errorf("IsUnavailable(%v) = false, want true", err)
	}
}

// Errors of a statement or of the program, on a database that answers, are not outages.
func TestIsUnavailableNotForOtherErrors(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		errs := map[string]error{}
		_, errs["syntax error"] = db.SQL.ExecContext(ctx, "SELEKT 1")
		_, errs["unknown table"] = db.SQL.ExecContext(ctx, "SELECT * FROM no_such_table")
		errs["no rows"] = db.SQL.QueryRowContext(ctx, "SELECT 1 WHERE 1 = 0").Scan(new(int))
		u := &models.User{Username: "dup", Email: "dup@example.com"}
		if _, err := db.Bun.NewInsert().Model(u).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		s := db.NewSession()
		s.Add(&models.User{Username: "dup", Email: "dup2@example.com"})
		errs["unique violation"] = s.Commit(ctx)
		s.Close()
		canceled, cancel := context.WithCancel(ctx)
		cancel()
		_, errs["canceled context"] = db.SQL.ExecContext(canceled, "SELECT 1")
		if db.Dialect != database.SQLite {
			short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
			_, errs["statement canceled by its deadline"] = db.SQL.ExecContext(short, sleepSQL(db.Dialect))
			cancel()
		}
		if db.Dialect != database.SQLite {
			// A server that answers but refuses the connection: configuration, not outage.
			u, err := url.Parse(testdb.URL(t, db.Dialect))
			if err != nil {
				t.Fatal(err)
			}
			u.Path = "/mbt_no_such_database"
			errs["unknown database at connect"] = testdb.OpenPlain(t, u.String()).PingContext(ctx)
		}
		closed := testdb.OpenPlain(t, testdb.URL(t, db.Dialect))
		closed.Close()
		errs["closed pool"] = closed.PingContext(ctx)
		for name, err := range errs {
			if err == nil {
				t.Errorf("%s: no error", name)
				continue
			}
			if database.IsUnavailable(err) {
				t.Errorf("%s: IsUnavailable(%T: %v) = true, want false", name, err, err)
			}
		}
	})
	if database.IsUnavailable(nil) {
		t.Error("IsUnavailable(nil) = true")
	}
}
