package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
)

// Fifty requests at once on one session cookie (a user with many tabs, or a script) each
// post and then read the home page: every post is stored, no request fails (no duplicate
// key on the session row, no SQLITE_BUSY), and the log holds no error. Before the session
// store saved with one upsert, PostgreSQL answered some of these with a 500 after the
// post had been stored.
func TestOneSessionConcurrentRequests(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			s, _, logs := newDialectSite(t, d, nil)
			b := signedIn(t, s, "john", false)
			const workers, rounds = 50, 4
			var (
				wg       sync.WaitGroup
				mu       sync.Mutex
				failures []string
			)
			fail := func(format string, args ...any) {
				mu.Lock()
				failures = append(failures, fmt.Sprintf(format, args...))
				mu.Unlock()
			}
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range rounds {
						form := url.Values{"post": {fmt.Sprintf("post %d.%d", w, i)}}
						req, _ := http.NewRequest("POST", s.srv.URL+"/index", strings.NewReader(form.Encode()))
						req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
						if status, err := send(b, req); err != nil || status != http.StatusFound {
							fail("post %d.%d: %d %v", w, i, status, err)
						}
						req, _ = http.NewRequest("GET", s.srv.URL+"/index", nil)
						if status, err := send(b, req); err != nil || status != http.StatusOK {
							fail("home %d.%d: %d %v", w, i, status, err)
						}
					}
				}()
			}
			wg.Wait()
			if len(failures) > 0 {
				t.Errorf("%d of %d requests failed, first: %s", len(failures), 2*workers*rounds, failures[0])
			}
			n, err := s.db.Bun.NewSelect().Model((*models.Post)(nil)).Count(context.Background())
			if err != nil || int(n) != workers*rounds {
				t.Errorf("posts stored: %d (%v), want %d", n, err, workers*rounds)
			}
			if strings.Contains(logs.String(), "level=ERROR") {
				t.Errorf("errors logged:\n%s", firstLines(logs.String(), "level=ERROR", 3))
			}
		})
	}
}

// send does one request with the browser's cookies and reads the whole answer.
func send(b *browser, req *http.Request) (int, error) {
	resp, err := b.c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var buf [4096]byte
	for {
		if _, err := resp.Body.Read(buf[:]); err != nil {
			break
		}
	}
	return resp.StatusCode, nil
}

// firstLines returns up to n lines of log that contain want.
func firstLines(log, want string, n int) string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, want) && len(out) < n {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
