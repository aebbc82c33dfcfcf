package database_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
)

// ChangeVersion stays put while nothing is committed — reads, a rolled-back session —
// and moves after every commit: a session's, a statement of the same pool's, and another
// client's (a second pool, standing for another process or the shell; on MySQL another
// microblog pool, whose commits are counted: TestCommitCounterCountsWhatWrites).
// On PostgreSQL commits anywhere on the server move it, and other tests' commits share
// the server: there a version that stays put is only required to happen at all.
func TestChangeVersionMovesOnEveryCommitAndOnlyThen(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			url := testdb.URL(t, d)
			db, err := database.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := testdb.MigrateApp(db); err != nil {
				t.Fatal(err)
			}
			version := func() uint64 {
				t.Helper()
				v, ok, err := db.ChangeVersion(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if !ok {
					t.Fatalf("ChangeVersion ok = %v on %s", ok, d)
				}
				return v
			}
			// q writes a statement's quoted names as the dialect does.
			q := func(stmt string) string {
				if d == database.MySQL {
					return strings.ReplaceAll(stmt, `"`, "`")
				}
				return stmt
			}
			v := version()
			if sees := db.ChangeVersionSeesEveryWriter(); sees != (d != database.MySQL) {
				t.Fatalf("ChangeVersionSeesEveryWriter = %v on %s", sees, d)
			}
			if v == 0 {
				t.Fatal("the first version is 0, which any zero value matches")
			}
			same := func(what string) {
				t.Helper()
				got := version()
				if d == database.Postgres {
					// Another test's commit may come between; two looks in a row must
					// agree at some point.
					for i := 0; got != v && i < 100; i++ {
						v, got = got, version()
					}
				}
				if got != v {
					t.Fatalf("%s: version %d, want %d (unchanged)", what, got, v)
				}
			}
			moved := func(what string) {
				t.Helper()
				got := version()
				if got == v {
					t.Fatalf("%s: version still %d", what, v)
				}
				v = got
			}
			same("asked again")

			var n int
			if err := db.SQL.QueryRowContext(ctx, q(`SELECT count(*) FROM "user"`)).Scan(&n); err != nil {
				t.Fatal(err)
			}
			same("after a read")

			s := db.NewSession()
			if err := s.Add(&models.User{Username: "susan", Email: "susan@example.com"}); err != nil {
				t.Fatal(err)
			}
			if err := s.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			same("after a flush not yet committed")
			if err := s.Rollback(ctx); err != nil {
				t.Fatal(err)
			}
			same("after a rollback")
			if err := s.Add(&models.User{Username: "susan", Email: "susan@example.com"}); err != nil {
				t.Fatal(err)
			}
			if err := s.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			s.Close()
			moved("after a session's commit")

			if _, err := db.SQL.ExecContext(ctx, q(`UPDATE "user" SET about_me = 'hi'`)); err != nil {
				t.Fatal(err)
			}
			moved("after a statement of the same pool")

			other, err := database.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			if _, err := other.SQL.ExecContext(ctx, q(`DELETE FROM "user"`)); err != nil {
				t.Fatal(err)
			}
			moved("after another client's commit")
			same("asked again after it")
			v = version()

			// Many readers at once all see the same version, and it moves for all.
			var wg sync.WaitGroup
			got := make([]uint64, 40)
			for i := range got {
				wg.Go(func() { got[i], _, _ = db.ChangeVersion(ctx) })
			}
			wg.Wait()
			for i, g := range got {
				if g != v && d == database.SQLite {
					t.Fatalf("reader %d: version %d, want %d", i, g, v)
				}
			}

			// Calls made at once share looks; still, a call made after a commit returned
			// never gets the version from before it.
			stop := make(chan struct{})
			var readers sync.WaitGroup
			for range 4 {
				readers.Go(func() {
					for {
						select {
						case <-stop:
							return
						default:
							db.ChangeVersion(ctx)
						}
					}
				})
			}
			insertUser := q(`INSERT INTO "user" (username, email) VALUES (?, ?)`)
			if d == database.Postgres {
				insertUser = `INSERT INTO "user" (username, email) VALUES ($1, $2)`
			}
			var writers sync.WaitGroup
			for i := range 4 {
				writers.Go(func() {
					for j := range 25 {
						before, _, _ := db.ChangeVersion(ctx)
						if _, err := other.SQL.ExecContext(ctx, insertUser,
							fmt.Sprint("u", i, "_", j), fmt.Sprint("u", i, "_", j, "@example.com")); err != nil {
							t.Error(err)
							return
						}
						if after, _, _ := db.ChangeVersion(ctx); after == before {
							t.Errorf("writer %d: version %d before and after its commit", i, after)
							return
						}
					}
				})
			}
			writers.Wait()
			close(stop)
			readers.Wait()
		})
	}
}

// An in-memory SQLite database has no version: its one connection is the pool's.
func TestChangeVersionIsNotOfferedForMemory(t *testing.T) {
	db, err := database.Open(context.Background(), "sqlite:///:memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, ok, err := db.ChangeVersion(context.Background()); ok || err != nil {
		t.Fatalf("ok %v, err %v; want neither", ok, err)
	}
}

// On PostgreSQL calls made at once share looks too: 40 callers making 25 calls each ask
// the server fewer than 750 times (without sharing: 1,000; 326 when written).
func TestSnapshotLooksAreShared(t *testing.T) {
	ctx := context.Background()
	db := testdb.Open(t, database.Postgres)
	first, ok, err := db.ChangeVersion(ctx)
	if err != nil || !ok {
		t.Fatalf("ChangeVersion: ok %v, err %v", ok, err)
	}
	before := database.SnapshotQueries(db)
	var wg sync.WaitGroup
	start := make(chan struct{})
	const callers, each = 40, 25
	for range callers {
		wg.Go(func() {
			<-start
			for range each {
				if _, _, err := db.ChangeVersion(ctx); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()
	asked := database.SnapshotQueries(db) - before
	if asked >= callers*each*3/4 {
		t.Fatalf("%d calls at once asked the server %d times: looks are not shared", callers*each, asked)
	}
	t.Logf("%d calls at once, %d looks (first version %d)", callers*each, asked, first)
}

// mustVersion is db's change version, failing the test without one.
func mustVersion(t testing.TB, db *database.DB) uint64 {
	t.Helper()
	v, ok, err := db.ChangeVersion(context.Background())
	if err != nil || !ok {
		t.Fatalf("ChangeVersion: ok %v, err %v", ok, err)
	}
	return v
}
