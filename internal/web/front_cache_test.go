package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/testdb"
	"github.com/microblog/microblog/internal/web"
)

// frontHits counts the requests the front cache answered, from the access log.
func frontHits(logs *syncBuffer) int { return strings.Count(logs.String(), "cache=front") }

// The front cache answers a reader's repeated home page and Explore with the very page the
// full request gives (body and headers), on every dialect, and never once anything
// was committed — by the app, by plain SQL on another connection (another process), a
// sign-out — nor for another reader, another language, or past the moment the full
// request would have recorded the visit. On MySQL, whose version counts microblog's
// commits only, a write by another program shows once the entry's 2 s are over.
func TestFrontCacheAnswersOnlyWhileNothingChanged(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			s, app, logs := newDialectSite(t, d, nil)
			susan, john := signedIn(t, s, "susan", false), signedIn(t, s, "john", false)
			expect(t, "follow", susan.post("/follow/john", nil), http.StatusFound, "")
			expect(t, "post", john.post("/index", url.Values{"post": {"first words"}}), http.StatusFound, "/index")
			susan.get("/index") // shows the flash of the follow
			john.get("/index")  // and john's of his post

			var pages []page
			for range 4 {
				pages = append(pages, susan.get("/index"))
			}
			// PostgreSQL's version moves with other tests' commits on the same server,
			// so there the readings may or may not be answered.
			switch hits := frontHits(logs); {
			case d != database.Postgres && hits != 2:
				t.Fatalf("front cache answered %d of 4 readings, want the 3rd and 4th", hits)
			case hits > 2:
				t.Fatalf("front cache answered %d of 4 readings on %s", hits, d)
			default:
				t.Logf("the front cache answered %d of 4 readings", hits)
			}
			for i, p := range pages {
				expect(t, fmt.Sprintf("reading %d", i+1), p, http.StatusOK, "", "first words", "Hi, susan!")
				if p.body != pages[0].body {
					t.Fatalf("reading %d differs from the first", i+1)
				}
				for _, h := range []string{"Content-Type", "Content-Security-Policy", "X-Frame-Options", "Referrer-Policy", "X-Content-Type-Options"} {
					if p.header.Get(h) != pages[0].header.Get(h) || p.header.Get(h) == "" {
						t.Errorf("reading %d: %s %q, first %q", i+1, h, p.header.Get(h), pages[0].header.Get(h))
					}
				}
				if fmt.Sprint(p.header.Values("Vary")) != fmt.Sprint(pages[0].header.Values("Vary")) {
					t.Errorf("reading %d: Vary %v, first %v", i+1, p.header.Values("Vary"), pages[0].header.Values("Vary"))
				}
			}

			// Another reader has pages of their own.
			for range 3 {
				expect(t, "john's home", john.get("/index"), http.StatusOK, "", "Hi, john!", "first words")
			}
			// Another language is another page.
			req, _ := http.NewRequest("GET", s.srv.URL+"/index", nil)
			req.Header.Set("Accept-Language", "es")
			for range 3 {
				expect(t, "in Spanish", susan.do(req), http.StatusOK, "", "Inicio")
			}

			// Plain SQL on a connection of its own, as another process would.
			other := otherClient(t, s)
			q := `UPDATE "user" SET username = 'johnny' WHERE username = 'john'`
			if d == database.MySQL {
				q = strings.ReplaceAll(q, `"`, "`")
			}
			if _, err := other.SQL.Exec(q); err != nil {
				t.Fatal(err)
			}
			expect(t, "after a rename by another connection", susan.get("/index"), http.StatusOK, "", "johnny")

			// The app's own writes.
			susan.get("/index")
			susan.get("/index")
			expect(t, "johnny posts", john.post("/index", url.Values{"post": {"second words"}}), http.StatusFound, "/index")
			expect(t, "after a post", susan.get("/index"), http.StatusOK, "", "second words", "first words")
			susan.get("/explore")
			susan.get("/explore")
			expect(t, "johnny posts again", john.post("/index", url.Values{"post": {"third words"}}), http.StatusFound, "/index")
			expect(t, "explore after a post", susan.get("/explore"), http.StatusOK, "", "third words")

			if d == database.MySQL {
				// A program that is not microblog writes: its commit is not counted, and
				// the page kept before it is trusted for 2 s at most.
				var name string
				if err := s.db.SQL.QueryRow("SELECT DATABASE()").Scan(&name); err != nil {
					t.Fatal(err)
				}
				plain := testdb.OpenPlain(t, os.Getenv(testdb.MySQLEnv))
				susan.get("/index")
				susan.get("/index")
				if _, err := plain.Exec("UPDATE `" + name + "`.`user` SET username = 'jonathan' WHERE username = 'johnny'"); err != nil {
					t.Fatal(err)
				}
				before := frontHits(logs)
				expect(t, "at once after another program's write", susan.get("/index"), http.StatusOK, "", "johnny")
				if frontHits(logs) != before+1 {
					t.Fatal("the page kept before the write was not answered: the test no longer shows what uncountedTrust bounds")
				}
				web.SetSessionClock(app, func() time.Time { return time.Now().Add(2100 * time.Millisecond) })
				expect(t, "2 s after another program's write", susan.get("/index"), http.StatusOK, "", "jonathan")
				// The page made again (the page cache keeps a page the second time it is
				// made) takes the expired entry's place, and is answered.
				susan.get("/index")
				before = frontHits(logs)
				expect(t, "again", susan.get("/index"), http.StatusOK, "", "jonathan")
				if frontHits(logs) != before+1 {
					t.Fatal("the page made after an entry's time ran out was not answered: the expired entry stayed in its place")
				}
				web.SetSessionClock(app, time.Now)
			}

			// Past the moment the full request would record the visit, the page is read
			// again; until then it is answered.
			susan.get("/index")
			susan.get("/index")
			before := frontHits(logs)
			susan.get("/index")
			if d != database.Postgres && frontHits(logs) != before+1 {
				t.Fatal("an unchanged page read a third time was not answered by the front cache")
			}
			web.SetSessionClock(app, func() time.Time { return time.Now().Add(61 * time.Second) })
			before = frontHits(logs)
			expect(t, "a minute later", susan.get("/index"), http.StatusOK, "", "third words")
			if frontHits(logs) != before {
				t.Error("the front cache answered past the next last_seen update")
			}
			web.SetSessionClock(app, time.Now)

			// A sign-out in another tab ends the session for every copy of its cookie.
			tab := s.browser()
			base, _ := url.Parse(s.srv.URL)
			tab.c.Jar.SetCookies(base, susan.c.Jar.Cookies(base))
			susan.get("/index")
			susan.get("/index")
			expect(t, "the other tab", tab.get("/index"), http.StatusOK, "", "third words")
			expect(t, "sign out", susan.post("/auth/logout", nil), http.StatusFound, "")
			expect(t, "the other tab after the sign-out", tab.get("/index"), http.StatusFound, "/auth/login?next=%2Findex")
		})
	}
}

// otherClient is a second client of the site's database: on SQLite a pool of its own on
// the same file, as another process would have; elsewhere the site's pool will do (the
// server tells every client of every commit).
func otherClient(t *testing.T, s *site) *database.DB {
	t.Helper()
	if s.db.Dialect != database.SQLite {
		return s.db
	}
	var file string
	if err := s.db.SQL.QueryRow("SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&file); err != nil {
		t.Fatal(err)
	}
	other, err := database.Open(context.Background(), "sqlite:///"+file)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	return other
}

// Readers hammering one home page while its author posts: every post acknowledged
// before a reading began is on that reading's page.
func TestFrontCacheNeverHidesAnAcknowledgedPost(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) { neverHidesAnAcknowledgedPost(t, d) })
	}
}

func neverHidesAnAcknowledgedPost(t *testing.T, d string) {
	s, _, logs := newDialectSite(t, d, nil)
	susan, john := signedIn(t, s, "susan", false), signedIn(t, s, "john", false)
	expect(t, "follow", susan.post("/follow/john", nil), http.StatusFound, "")
	susan.get("/index")
	john.get("/index")
	var acked atomic.Int64 // posts acknowledged so far
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var failures atomic.Int64
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				n := acked.Load()
				req, _ := http.NewRequest("GET", s.srv.URL+"/index", nil)
				resp, err := susan.c.Do(req)
				if err != nil {
					failures.Add(1)
					return
				}
				var body strings.Builder
				_, err = io.Copy(&body, resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK {
					failures.Add(1)
					return
				}
				if n > 0 && !strings.Contains(body.String(), fmt.Sprintf("post number %d.", n)) {
					t.Errorf("a reading begun after post %d was acknowledged does not show it", n)
					failures.Add(1)
					return
				}
			}
		})
	}
	for i := 1; i <= 15 && failures.Load() == 0; i++ {
		expect(t, "post", john.post("/index", url.Values{"post": {fmt.Sprintf("post number %d.", i)}}), http.StatusFound, "/index")
		acked.Store(int64(i))
		time.Sleep(20 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if failures.Load() > 0 {
		t.Fatalf("%d readers failed", failures.Load())
	}
	// On PostgreSQL other tests' commits may keep the version moving.
	t.Logf("the front cache answered %d readings", frontHits(logs))
	if frontHits(logs) == 0 && d == database.SQLite {
		t.Fatal("the front cache answered none of the readings: the test tested nothing")
	}
}

// A client without gzip (curl without --compressed, a load tool, a crawler) is answered
// from the caches too, with the page opened: the bytes a browser's page holds, their
// length, no Content-Encoding and one Vary: Accept-Encoding. Rendered for each request
// instead, such a client cost 13 to 19 times the CPU of a browser's request
// (docs/performance.md, section 21).
func TestFrontCacheAnswersClientsWithoutGzip(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			s, _, logs := newDialectSite(t, d, nil)
			susan := signedIn(t, s, "susan", false)
			expect(t, "post", susan.post("/index", url.Values{"post": {"plain words"}}), http.StatusFound, "/index")
			susan.get("/index") // shows the flash
			browser := susan.get("/index")
			before := frontHits(logs)
			for i := range 4 {
				req, _ := http.NewRequest("GET", s.srv.URL+"/index", nil)
				req.Header.Set("Accept-Encoding", "identity") // Go's client then leaves the body as sent
				p := susan.do(req)
				expect(t, fmt.Sprintf("reading %d without gzip", i+1), p, http.StatusOK, "", "plain words", "Hi, susan!")
				if p.body != browser.body {
					t.Fatalf("reading %d without gzip differs from the browser's page", i+1)
				}
				if ce, cl := p.header.Get("Content-Encoding"), p.header.Get("Content-Length"); ce != "" || cl != fmt.Sprint(len(p.body)) {
					t.Fatalf("reading %d without gzip: Content-Encoding %q, Content-Length %q for %d bytes", i+1, ce, cl, len(p.body))
				}
				if n := strings.Count(strings.Join(p.header.Values("Vary"), ","), "Accept-Encoding"); n != 1 {
					t.Errorf("reading %d without gzip: Vary %v names Accept-Encoding %d times", i+1, p.header.Values("Vary"), n)
				}
			}
			// PostgreSQL's version moves with other tests' commits on the same server.
			switch hits := frontHits(logs) - before; {
			case d != database.Postgres && hits < 2:
				t.Fatalf("the front cache answered %d of 4 readings without gzip, want at least the last two", hits)
			default:
				t.Logf("the front cache answered %d of 4 readings without gzip", hits)
			}
			// A browser's reading after them still gets the compressed page.
			req, _ := http.NewRequest("GET", s.srv.URL+"/index", nil)
			req.Header.Set("Accept-Encoding", "gzip")
			res, err := susan.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.Header.Get("Content-Encoding") != "gzip" {
				t.Errorf("a reading with gzip after those without: Content-Encoding %q", res.Header.Get("Content-Encoding"))
			}
		})
	}
}
