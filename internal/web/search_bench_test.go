package web_test

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/search"
	"github.com/microblog/microblog/internal/seed"
	"github.com/microblog/microblog/internal/testdb"
	"github.com/microblog/microblog/internal/web"
)

// The search benchmark's data set is `microblog seed`'s (internal/seed) for 10,000 users
// with 100 posts each: 1,000,000 posts in English, Spanish and Portuguese, with
// post.language set. It is built once and kept (SQLite: a file under MICROBLOG_BENCH_DIR
// or the temporary directory; PostgreSQL: the database microblog_bench_search on
// MICROBLOG_TEST_POSTGRES_URL's server), so that later runs measure at once; delete it to
// rebuild.
var searchBenchSeed = seed.Options{Users: 10_000, PostsPerUser: 100, Follows: 10, Seed: 1,
	Until: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Days: 365}

// searchBenchQueries are the searched texts, with the posts each matches on that data
// set (SQLite; counted with SELECT count(*) FROM post_fts WHERE post_fts MATCH …): a
// common English word (39,211 posts: 3.9%), another form of it (stemming; the same
// posts), a Spanish word (21,258), and two words (3,013). Every content word of the
// seed's phrases is about that common; "the" (39%) is a stop word on PostgreSQL.
var searchBenchQueries = []struct{ name, q string }{
	{"common", "whales"}, {"common-stem", "whale"}, {"spanish", "ballenas"}, {"two-words", "whales today"},
}

type searchBench struct {
	db      *database.DB
	handler http.Handler
	cookie  *http.Cookie
}

// searchBenchSites holds the sites built in this process, by dialect.
var searchBenchSites = map[string]*searchBench{}

func searchBenchSite(b *testing.B, dialect string) *searchBench {
	if s := searchBenchSites[dialect]; s != nil {
		return s
	}
	ctx := context.Background()
	var dbURL string
	var reset func()
	switch dialect {
	case database.SQLite:
		dir := os.Getenv("MICROBLOG_BENCH_DIR")
		if dir == "" {
			dir = filepath.Join(os.TempDir(), "microblog-bench-search")
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		file := filepath.Join(dir, "seeded.db")
		dbURL = "sqlite:///" + file
		reset = func() {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(file + suffix)
			}
		}
	case database.Postgres:
		admin := os.Getenv(testdb.PostgresEnv)
		if admin == "" {
			b.Skipf("set %s to run the PostgreSQL search benchmark", testdb.PostgresEnv)
		}
		t, err := database.ParseURL(admin)
		if err != nil {
			b.Fatal(err)
		}
		server := func(stmts ...string) {
			sqldb, err := sql.Open(t.Driver, t.DSN)
			if err != nil {
				b.Fatal(err)
			}
			defer sqldb.Close()
			for _, q := range stmts {
				if _, err := sqldb.ExecContext(ctx, q); err != nil && !strings.Contains(err.Error(), "already exists") {
					b.Fatal(err)
				}
			}
		}
		server("CREATE DATABASE microblog_bench_search")
		reset = func() {
			server("DROP DATABASE microblog_bench_search WITH (FORCE)", "CREATE DATABASE microblog_bench_search")
		}
		u, _ := url.Parse(admin)
		u.Path = "/microblog_bench_search"
		dbURL = u.String()
	default:
		b.Fatalf("no search benchmark for %s", dialect)
	}
	open := func() *database.DB {
		db, err := database.Open(ctx, dbURL)
		if err != nil {
			b.Fatal(err)
		}
		if err := migrateApp(db); err != nil {
			b.Fatal(err)
		}
		return db
	}
	db := open()
	var posts, users int
	if err := db.SQL.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM post), (SELECT COUNT(*) FROM "user")`).Scan(&posts, &users); err != nil {
		b.Fatal(err)
	}
	if want := searchBenchSeed.Users * searchBenchSeed.PostsPerUser; posts != want || users != searchBenchSeed.Users {
		b.Logf("%s: seeding %d posts (once; kept for later runs)", dialect, want)
		db.Close()
		reset()
		db = open()
		began := time.Now()
		if _, err := seed.Run(ctx, db, searchBenchSeed); err != nil {
			b.Fatal(err)
		}
		if db.Dialect == database.Postgres {
			if _, err := db.SQL.ExecContext(ctx, "VACUUM ANALYZE"); err != nil {
				b.Fatal(err)
			}
		}
		b.Logf("%s: seeded in %s", dialect, time.Since(began).Round(time.Second))
	}
	var first string
	if err := db.SQL.QueryRowContext(ctx, `SELECT username FROM "user" WHERE id = 1`).Scan(&first); err != nil {
		b.Fatal(err)
	}
	cfg, _ := config.Load(func(string) (string, bool) { return "", false }, "")
	app, err := web.New(db, cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})), testdb.Queue(b, db))
	if err != nil {
		b.Fatal(err)
	}
	h := app.Handler()
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(srv.URL+"/auth/login", url.Values{"username": {first}, "password": {seed.DemoPassword}})
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "microblog_session" {
			cookie = c
		}
	}
	if cookie == nil {
		b.Fatalf("no session cookie after login (status %d)", resp.StatusCode)
	}
	s := &searchBench{db: db, handler: h, cookie: cookie}
	searchBenchSites[dialect] = s
	return s
}

// BenchmarkSearch runs the first page of /search (25 posts) through the app's whole
// handler (middleware, session, rendering) over 1,000,000 posts, on SQLite and
// PostgreSQL, for each query of searchBenchQueries, and reports the median and the 99th
// percentile.
//
//	go test ./internal/web -run '^$' -bench Search -benchtime 400x -timeout 60m
func BenchmarkSearch(b *testing.B) {
	for _, dialect := range []string{database.SQLite, database.Postgres} {
		for _, query := range searchBenchQueries {
			b.Run(dialect+"/"+query.name, func(b *testing.B) {
				site := searchBenchSite(b, dialect)
				target := "/search?q=" + url.QueryEscape(query.q)
				var times []time.Duration
				for b.Loop() {
					req := httptest.NewRequest("GET", target, nil)
					req.AddCookie(site.cookie)
					rec := httptest.NewRecorder()
					began := time.Now()
					site.handler.ServeHTTP(rec, req)
					times = append(times, time.Since(began))
					if rec.Code != http.StatusOK {
						b.Fatalf("%s: %d", target, rec.Code)
					}
					if n := strings.Count(rec.Body.String(), `<span id="post`); n != 25 {
						b.Fatalf("%s: %d posts on the first page, want 25", target, n)
					}
				}
				slices.Sort(times)
				b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
			})
		}
	}
}

// BenchmarkSearchRankAll compares, query against query on the same data, the first page
// of ids as internal/search finds it (relevance within the window of the 1,000 newest
// matches) with ranking every match (the baseline: what a plain ORDER BY rank does).
//
//	go test ./internal/web -run '^$' -bench SearchRankAll -benchtime 20x -timeout 60m
func BenchmarkSearchRankAll(b *testing.B) {
	for _, dialect := range []string{database.SQLite, database.Postgres} {
		for _, way := range []string{"window", "baseline-all-matches"} {
			b.Run(dialect+"/"+way, func(b *testing.B) {
				site := searchBenchSite(b, dialect)
				ctx := context.Background()
				s := site.db.NewSession()
				defer s.Close()
				all := `SELECT rowid FROM post_fts WHERE post_fts MATCH '"whales"' ORDER BY rank, rowid DESC LIMIT 26`
				if dialect == database.Postgres {
					all = `SELECT id FROM post WHERE body_tsv @@ CAST('''whale''' AS tsquery)
						ORDER BY ts_rank(body_tsv, CAST('''whale''' AS tsquery)) DESC, id DESC LIMIT 26`
				}
				var times []time.Duration
				for b.Loop() {
					began := time.Now()
					var ids []int64
					var err error
					if way == "window" {
						ids, err = search.PostIDs(ctx, s, "whales", 26, 0)
					} else {
						err = s.NewRaw(all).Scan(ctx, &ids)
					}
					times = append(times, time.Since(began))
					if err != nil || len(ids) != 26 {
						b.Fatalf("%s: %d ids, %v", way, len(ids), err)
					}
				}
				slices.Sort(times)
				b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
			})
		}
	}
}
