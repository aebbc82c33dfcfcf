package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
	"github.com/microblog/microblog/internal/web"
)

const (
	benchUsers        = 10_000
	benchPostsPerUser = 100 // 1,000,000 posts
	benchFollows      = 100 // per user: 1,000,000 follows
)

// populate fills a migrated SQLite database with the benchmark's data set, in commits of
// a few thousand rows.
func populate(b *testing.B, db *database.DB) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Now().UTC().Add(-365 * 24 * time.Hour)
	var users []*models.User
	s := db.NewSession()
	for i := range benchUsers {
		u := &models.User{Username: fmt.Sprintf("user%05d", i), Email: fmt.Sprintf("user%05d@example.com", i)}
		users = append(users, u)
		s.Add(u)
	}
	if err := s.Commit(ctx); err != nil {
		b.Fatal(err)
	}
	s = db.NewSession()
	for i, u := range users {
		for j := range benchPostsPerUser {
			at := start.Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour))))
			s.Add(&models.Post{Body: fmt.Sprintf("post %d of %s", j, u.Username), UserID: u.ID, Timestamp: at})
		}
		n := 0
		for _, k := range rng.Perm(benchUsers) {
			if n == benchFollows {
				break
			}
			if k != i {
				s.Add(&models.Follow{FollowerID: u.ID, FollowedID: users[k].ID})
				n++
			}
		}
		if i%50 == 49 || i == len(users)-1 {
			if err := s.Commit(ctx); err != nil {
				b.Fatal(err)
			}
			s = db.NewSession()
		}
	}
}

// benchSite is a populated database behind the app, with one signed-in user's cookie.
type benchSite struct {
	handler http.Handler
	srv     *httptest.Server
	cookie  *http.Cookie
}

var (
	benchOnce sync.Once
	benchData *benchSite
)

func setupBench(b *testing.B) *benchSite {
	benchOnce.Do(func() {
		b.Logf("populating %d users, %d posts, %d follows (once per run)", benchUsers, benchUsers*benchPostsPerUser, benchUsers*benchFollows)
		began := time.Now()
		// Not b.TempDir: the data set outlives the first benchmark function that built it.
		dir, err := os.MkdirTemp("", "microblog-bench-")
		if err != nil {
			b.Fatal(err)
		}
		db, err := database.Open(context.Background(), "sqlite:///"+dir+"/bench.db")
		if err != nil {
			b.Fatal(err)
		}
		if err := migrateApp(db); err != nil {
			b.Fatal(err)
		}
		populate(b, db)
		cfg, _ := config.Load(func(string) (string, bool) { return "", false }, "")
		// Errors are printed: a benchmark that hides them could not be trusted.
		app, err := web.New(db, cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})), testdb.Queue(b, db))
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		s := db.NewSession()
		var u models.User
		if err := s.NewSelect().Model(&u).Where("username = 'user00042'").Scan(ctx); err != nil {
			b.Fatal(err)
		}
		u.SetPassword("pw")
		if err := s.Commit(ctx); err != nil {
			b.Fatal(err)
		}
		h := app.Handler()
		srv := httptest.NewServer(h)
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := client.PostForm(srv.URL+"/auth/login", url.Values{"username": {"user00042"}, "password": {"pw"}})
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
			b.Fatal("no session cookie after login")
		}
		benchData = &benchSite{handler: h, srv: srv, cookie: cookie}
		b.Logf("data set ready in %s", time.Since(began).Round(time.Second))
	})
	if benchData == nil {
		b.Fatal("benchmark setup failed earlier")
	}
	return benchData
}

// BenchmarkHomePage renders the home page (25 posts of the timeline) in-process for a user
// who follows 100 of 10,000 users, over 1,000,000 posts on SQLite, and reports the median
// and 99th percentile.
//
//	go test ./internal/web -run '^$' -bench HomePage -benchtime 2000x
func BenchmarkHomePage(b *testing.B) {
	site := setupBench(b)
	var times []time.Duration
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest("GET", "/index", nil)
		req.AddCookie(site.cookie)
		rec := httptest.NewRecorder()
		began := time.Now()
		site.handler.ServeHTTP(rec, req)
		times = append(times, time.Since(began))
		if rec.Code != http.StatusOK {
			b.Fatalf("home page: %d", rec.Code)
		}
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkHomePageLoad sends b.N home-page requests over 50 connections to a real HTTP
// server and reports requests per second and errors.
//
//	go test ./internal/web -run '^$' -bench HomePageLoad -benchtime 5000x
func BenchmarkHomePageLoad(b *testing.B) {
	site := setupBench(b)
	const conns = 50
	var next, failed atomic.Int64
	transport := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
	client := &http.Client{Transport: transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	total := int64(b.N)
	b.ResetTimer()
	began := time.Now()
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= total {
				req, _ := http.NewRequest("GET", site.srv.URL+"/index", nil)
				req.AddCookie(site.cookie)
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(began)
	b.ReportMetric(float64(total)/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(failed.Load()), "errors")
}

// migrateApp brings a database up to date with the app's revisions.
func migrateApp(db *database.DB) error { return testdb.MigrateApp(db) }
