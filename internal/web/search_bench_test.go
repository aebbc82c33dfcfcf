package web_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"math/rand/v2"
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
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
	"github.com/microblog/microblog/internal/web"
)

// The search benchmark's data set: searchBenchPosts posts of 6 to 16 words drawn from
// searchVocabulary by a Zipf law (word k about 1/k as frequent as the first), written by
// 1,000 users over a year. It is built once and kept (SQLite: a file under
// MICROBLOG_BENCH_DIR or the temporary directory; PostgreSQL: the database
// microblog_bench_search on MICROBLOG_TEST_POSTGRES_URL's server), so that later runs
// measure at once; delete it to rebuild.
const (
	searchBenchPosts = 1_000_000
	searchBenchUsers = 1_000
)

// searchVocabulary, most frequent first.
var searchVocabulary = strings.Fields(`time people year day way thing world life hand part child eye woman place
work week case point government company number group problem fact water room mother area money story month lot right
study book job word business issue side kind head house service friend father power hour game line end member law car
city community name president team minute idea kid body information back parent face others level office door health
person art war history party result change morning reason research girl guy moment air teacher force education foot
boy age policy process music market sense nation plan college interest death experience effect class control care
field development role effort rate heart drug show leader light voice wife police mind price report decision son
view relationship town road arm difference value building action model season society tax director position player
record paper space ground form event official matter center couple site project activity star table need court oil
situation cost industry figure street image phone data picture practice piece land product doctor wall patient worker
news test movie north love support technology step baby computer type attention film tree source organization hair
window evidence population truth song camera garden river coffee kayak bicycle mountain ocean sunset forest island
bridge castle museum library concert festival recipe kitchen bread cheese apple orange lemon pepper tomato potato
garlic onion butter honey chocolate guitar piano violin drum painting poem novel chapter letter journey train airport
ticket hotel beach harbor lighthouse glacier volcano desert canyon meadow valley lake pond stream waterfall rainbow
thunder storm snow winter spring summer autumn holiday birthday wedding parade marathon tournament trophy medal puzzle
chess riddle dragon wizard castle knight princess pirate treasure compass lantern candle blanket pillow umbrella
hedgehog otter walrus penguin parrot falcon dolphin whale octopus jellyfish squirrel raccoon badger beaver moose`)

// searchBenchQueries are the searched texts: a common word (in about 7% of posts), the
// most frequent word (in about half), a rare word, and two words together.
var searchBenchQueries = []struct{ name, q string }{
	{"common", "water"}, {"frequent", "time"}, {"rare", "moose"}, {"two-words", "water story"},
}

type searchBench struct {
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
	switch dialect {
	case database.SQLite:
		dir := os.Getenv("MICROBLOG_BENCH_DIR")
		if dir == "" {
			dir = filepath.Join(os.TempDir(), "microblog-bench-search")
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		dbURL = "sqlite:///" + filepath.Join(dir, "search.db")
	case database.Postgres:
		admin := os.Getenv(testdb.PostgresEnv)
		if admin == "" {
			b.Skipf("set %s to run the PostgreSQL search benchmark", testdb.PostgresEnv)
		}
		t, err := database.ParseURL(admin)
		if err != nil {
			b.Fatal(err)
		}
		sqldb, err := sql.Open(t.Driver, t.DSN)
		if err != nil {
			b.Fatal(err)
		}
		var exists bool
		if err := sqldb.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'microblog_bench_search')").Scan(&exists); err != nil {
			b.Fatal(err)
		}
		if !exists {
			if _, err := sqldb.ExecContext(ctx, "CREATE DATABASE microblog_bench_search"); err != nil {
				b.Fatal(err)
			}
		}
		sqldb.Close()
		u, _ := url.Parse(admin)
		u.Path = "/microblog_bench_search"
		dbURL = u.String()
	default:
		b.Fatalf("no search benchmark for %s", dialect)
	}
	db, err := database.Open(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	if err := migrateApp(db); err != nil {
		b.Fatal(err)
	}
	var n int
	if err := db.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM post").Scan(&n); err != nil {
		b.Fatal(err)
	}
	if n != searchBenchPosts {
		b.Logf("%s: writing %d posts (once; kept for later runs)", dialect, searchBenchPosts)
		began := time.Now()
		fillSearchBench(b, db)
		b.Logf("%s: data set written in %s", dialect, time.Since(began).Round(time.Second))
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
	resp, err := client.PostForm(srv.URL+"/auth/login", url.Values{"username": {"reader"}, "password": {"bench-reader-password"}})
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
	s := &searchBench{handler: h, cookie: cookie}
	searchBenchSites[dialect] = s
	return s
}

// fillSearchBench empties the tables and writes the data set with multi-row INSERTs,
// 500 posts a statement, 20,000 a transaction; the full-text index is maintained by
// the database as for any post.
func fillSearchBench(b *testing.B, db *database.DB) {
	ctx := context.Background()
	for _, q := range []string{"DELETE FROM post", `DELETE FROM "user"`} {
		if db.Dialect == database.MySQL {
			q = strings.ReplaceAll(q, `"`, "`")
		}
		if _, err := db.SQL.ExecContext(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	s := db.NewSession()
	reader := &models.User{Username: "reader", Email: "reader@example.com"}
	if err := reader.SetPassword("bench-reader-password"); err != nil {
		b.Fatal(err)
	}
	s.Add(reader)
	var users []*models.User
	for i := range searchBenchUsers {
		u := &models.User{Username: fmt.Sprintf("writer%04d", i), Email: fmt.Sprintf("writer%04d@example.com", i)}
		users = append(users, u)
		s.Add(u)
	}
	if err := s.Commit(ctx); err != nil {
		b.Fatal(err)
	}
	s.Close()
	rng := rand.New(rand.NewPCG(7, 11))
	zipf := rand.NewZipf(rand.New(rand.NewPCG(3, 5)), 1.07, 1, uint64(len(searchVocabulary)-1))
	start := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	const perStmt, perTx = 500, 20_000
	var tx *sql.Tx
	var err error
	var sb strings.Builder
	var args []any
	for i := range searchBenchPosts {
		if i%perTx == 0 {
			if tx != nil {
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
			}
			if tx, err = db.SQL.BeginTx(ctx, nil); err != nil {
				b.Fatal(err)
			}
		}
		words := make([]string, 6+rng.IntN(11))
		for j := range words {
			words[j] = searchVocabulary[zipf.Uint64()]
		}
		body := strings.Join(words, " ")
		if len(body) > 140 {
			body = strings.TrimSpace(body[:140])
		}
		if sb.Len() == 0 {
			sb.WriteString("INSERT INTO post (body, timestamp, user_id, language) VALUES ")
		} else {
			sb.WriteString(", ")
		}
		if db.Dialect == database.Postgres {
			fmt.Fprintf(&sb, "($%d, $%d, $%d, 'en')", len(args)+1, len(args)+2, len(args)+3)
		} else {
			sb.WriteString("(?, ?, ?, 'en')")
		}
		at := start.Add(time.Duration(i) * 31 * time.Second)
		args = append(args, body, at, users[rng.IntN(len(users))].ID)
		if (i+1)%perStmt == 0 || i == searchBenchPosts-1 {
			if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
				b.Fatal(err)
			}
			sb.Reset()
			args = args[:0]
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if db.Dialect == database.Postgres {
		if _, err := db.SQL.ExecContext(ctx, "VACUUM ANALYZE post"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSearch runs the first page of /search (25 posts) through the app's whole
// handler (middleware, session, rendering) over 1,000,000 posts, on SQLite and
// PostgreSQL, for each query of searchBenchQueries, and reports the median and the 99th
// percentile and how many posts match.
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
					if n := strings.Count(rec.Body.String(), `<span id="post`); n != 25 && query.name != "rare" {
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
