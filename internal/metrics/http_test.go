package metrics_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/microblog/microblog/internal/metrics"
)

// The route label is the pattern of the innermost mux wrapped by Routed, through
// middleware that copies the request, even when the handler panics; a response that is
// flushed as it goes (a notification stream) still flushes through the instrument.
func TestRequestsAreLabelledByRoutePattern(t *testing.T) {
	m := metrics.New()
	inner := http.NewServeMux()
	inner.HandleFunc("GET /user/{username}", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hi")) })
	inner.HandleFunc("POST /boom", func(http.ResponseWriter, *http.Request) { panic("boom") })
	inner.HandleFunc("GET /stream", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "data: 1\n\n")
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("flush through the instrument: %v", err)
		}
	})
	inner.HandleFunc("/", http.NotFound)
	// Middleware that copies the request (as the session and context layers do) and
	// turns panics into 500s.
	copying := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if recover() != nil {
				w.WriteHeader(http.StatusInternalServerError)
			}
		}()
		metrics.Routed(inner).ServeHTTP(w, r.WithContext(r.Context()))
	})
	outer := http.NewServeMux()
	outer.HandleFunc("GET /static/", http.NotFound)
	outer.Handle("/", copying)
	srv := httptest.NewServer(m.Instrument(metrics.Routed(outer)))
	defer srv.Close()

	for _, req := range []struct{ method, path string }{
		{"GET", "/user/susan"}, {"GET", "/user/bob"}, {"GET", "/user/%00%ff"}, {"POST", "/boom"},
		{"GET", "/stream"}, {"GET", "/static/x.css"}, {"GET", "/no/such"}, {"DELETE", "/user/susan"},
	} {
		r, _ := http.NewRequest(req.method, srv.URL+req.path, nil)
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	rec := httptest.NewRecorder()
	m.Handler("").ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		`microblog_http_requests_total{route="GET /user/{username}",status="200"} 3`,
		`microblog_http_requests_total{route="POST /boom",status="500"} 1`,
		`microblog_http_requests_total{route="GET /stream",status="200"} 1`,
		`microblog_http_requests_total{route="GET /static/",status="404"} 1`,
		// DELETE /user/susan: no method of that pattern, so the catch-all's 404.
		`microblog_http_requests_total{route="/",status="404"} 2`,
		`microblog_http_requests_in_flight 0`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("scrape lacks %s", want)
		}
	}
	if strings.Contains(body, "susan") || strings.Contains(body, "bob") {
		t.Errorf("a raw path reached a label:\n%s", body)
	}
}

// A token is required, compared exactly.
func TestTokenGuardsTheMetrics(t *testing.T) {
	h := metrics.New().Handler("0123456789abcdef0123456789abcdef")
	for auth, want := range map[string]int{
		"":                                       http.StatusUnauthorized,
		"Bearer ":                                http.StatusUnauthorized,
		"Bearer 0123456789abcdef0123456789abcde": http.StatusUnauthorized,
		"Bearer 0123456789abcdef0123456789abcdef ": http.StatusUnauthorized,
		"Basic 0123456789abcdef0123456789abcdef":   http.StatusUnauthorized,
		"0123456789abcdef0123456789abcdef":         http.StatusUnauthorized,
		"Bearer 0123456789abcdef0123456789abcdef":  http.StatusOK,
	} {
		req := httptest.NewRequest("GET", "/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("Authorization %q: %d, want %d", auth, rec.Code, want)
		}
		if want == http.StatusUnauthorized && (rec.Header().Get("WWW-Authenticate") == "" || strings.Contains(rec.Body.String(), "go_goroutines")) {
			t.Errorf("Authorization %q: refused without WWW-Authenticate, or with the metrics", auth)
		}
	}
}
