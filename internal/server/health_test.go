package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/server"
)

// logBuffer is a log destination safe for the server's goroutines and the test.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serve runs s on a local port until the test ends; it returns the base URL and a
// function that stops the server and returns Serve's result.
func serve(t *testing.T, s *server.Server) (base string, shutdown func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	var once sync.Once
	var result error
	shutdown = func() error {
		once.Do(func() { cancel(); result = <-done })
		return result
	}
	t.Cleanup(func() { shutdown() })
	return "http://" + ln.Addr().String(), shutdown
}

func get(t *testing.T, url string) (int, server.Health, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var h server.Health
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(body, &h); err != nil {
			t.Fatalf("GET %s: %v in %q", url, err, body)
		}
	}
	return resp.StatusCode, h, string(body)
}

// Before the application is mounted the server answers probes and says it is starting;
// /readyz reports each check, 503 while any fails, and flips back when it passes.
func TestReadinessFollowsItsChecks(t *testing.T) {
	logs := &logBuffer{}
	var dbDown atomic.Bool
	s := server.New(server.Options{Log: slog.New(slog.NewTextHandler(logs, nil)),
		Ready: []server.Check{{Name: "startup", Run: func(context.Context) error { return errors.New("waiting for the database (attempt 2 failed)") }}}})
	base, _ := serve(t, s)

	if code, h, _ := get(t, base+"/healthz"); code != 200 || h.Status != "ok" {
		t.Errorf("/healthz while starting = %d %+v, want 200 ok", code, h)
	}
	code, h, _ := get(t, base+"/readyz")
	if code != 503 || h.Status != "fail" || h.Checks["startup"].Error != "waiting for the database (attempt 2 failed)" {
		t.Errorf("/readyz while starting = %d %+v", code, h)
	}
	if code, _, body := get(t, base+"/explore"); code != 503 || !strings.Contains(body, "starting") {
		t.Errorf("a page while starting = %d %q, want 503", code, body)
	}

	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "page "+r.URL.Path) })
	s.Mount(app, []server.Check{
		{Name: "database", Run: func(context.Context) error {
			if dbDown.Load() {
				return errors.New("no answer from the database")
			}
			return nil
		}},
		{Name: "queue", Run: func(context.Context) error { return nil }},
	}, nil)
	if code, _, body := get(t, base+"/explore"); code != 200 || body != "page /explore" {
		t.Errorf("a page once mounted = %d %q", code, body)
	}
	code, h, _ = get(t, base+"/readyz")
	if code != 200 || h.Status != "ok" || len(h.Checks) != 2 || h.Checks["database"].Status != "ok" || h.Checks["queue"].Status != "ok" {
		t.Errorf("/readyz when every check passes = %d %+v", code, h)
	}
	dbDown.Store(true)
	for range 3 { // a failing check is logged once, not at every probe
		code, h, _ = get(t, base+"/readyz")
	}
	if code != 503 || h.Status != "fail" || h.Checks["database"] != (server.CheckResult{Status: "fail", Error: "no answer from the database"}) || h.Checks["queue"].Status != "ok" {
		t.Errorf("/readyz with the database down = %d %+v", code, h)
	}
	if code, h, _ := get(t, base+"/healthz"); code != 200 || h.Status != "ok" {
		t.Errorf("/healthz with the database down = %d %+v: liveness must not depend on it", code, h)
	}
	dbDown.Store(false)
	if code, _, _ := get(t, base+"/readyz"); code != 200 {
		t.Errorf("/readyz after the database came back = %d", code)
	}
	log := logs.String()
	if n := strings.Count(log, `msg="readiness check failing" check=database`); n != 1 {
		t.Errorf("the failing check was logged %d times, want once:\n%s", n, log)
	}
	if !strings.Contains(log, `msg="readiness check passing again" check=database`) {
		t.Errorf("no log line when the check passed again:\n%s", log)
	}
}

// A check that hangs does not hang the probe: each is bounded.
func TestReadinessCheckIsBounded(t *testing.T) {
	s := server.New(server.Options{Log: slog.New(slog.DiscardHandler),
		Ready: []server.Check{{Name: "database", Run: func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }}}})
	base, _ := serve(t, s)
	start := time.Now()
	code, h, _ := get(t, base+"/readyz")
	if code != 503 || h.Checks["database"].Status != "fail" {
		t.Errorf("/readyz with a hanging check = %d %+v", code, h)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("a hanging check held the probe %v", took)
	}
}

// Shutdown stops accepting at once, lets a request in flight finish, and cuts one that
// outlives ShutdownTimeout.
func TestShutdownWaitsForRequestsThenCutsThem(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan string, 2)
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- r.URL.Path
		if r.URL.Path == "/slow" {
			<-release
		} else {
			<-r.Context().Done() // /hung never ends by itself
		}
		fmt.Fprint(w, "done")
	})
	logs := &logBuffer{}
	s := server.New(server.Options{Log: slog.New(slog.NewTextHandler(logs, nil)), Handler: app, ShutdownTimeout: 1500 * time.Millisecond})
	base, shutdown := serve(t, s)
	addr := strings.TrimPrefix(base, "http://")

	slow := make(chan string, 1)
	go func() {
		resp, err := http.Get(base + "/slow")
		if err != nil {
			slow <- err.Error()
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		slow <- fmt.Sprintf("%d %s", resp.StatusCode, body)
	}()
	if p := <-entered; p != "/slow" {
		t.Fatalf("entered %s", p)
	}
	stopped := make(chan error, 1)
	start := time.Now()
	go func() { stopped <- shutdown() }()
	refused := false
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			refused = true
			break
		}
		c.Close()
	}
	if !refused {
		t.Fatal("new connections still accepted during the shutdown")
	}
	close(release)
	if got := <-slow; got != "200 done" {
		t.Errorf("the request in flight got %q, want 200 done", got)
	}
	if err := <-stopped; err != nil {
		t.Errorf("Serve = %v", err)
	}
	if took := time.Since(start); took > 1500*time.Millisecond {
		t.Errorf("shutdown took %v with nothing left running", took)
	}

	// A request that outlives the timeout is cut.
	s2 := server.New(server.Options{Log: slog.New(slog.NewTextHandler(logs, nil)), Handler: app, ShutdownTimeout: 500 * time.Millisecond})
	base2, shutdown2 := serve(t, s2)
	conn, err := net.Dial("tcp", strings.TrimPrefix(base2, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /hung HTTP/1.1\r\nHost: x\r\n\r\n")
	<-entered
	start = time.Now()
	if err := shutdown2(); err != nil {
		t.Errorf("Serve with a hung request = %v", err)
	}
	if took := time.Since(start); took < 500*time.Millisecond || took > 5*time.Second {
		t.Errorf("shutdown with a hung request took %v, want the 500ms bound", took)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if line, err := bufio.NewReader(conn).ReadString('\n'); err == nil {
		t.Errorf("the hung request got %q after the cut, want its connection closed", line)
	}
	if !strings.Contains(logs.String(), "shutdown timeout reached") {
		t.Errorf("no log line for the cut:\n%s", logs.String())
	}
}
