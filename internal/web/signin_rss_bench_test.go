package web_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/password"
	"github.com/microblog/microblog/internal/testdb"
	"github.com/microblog/microblog/internal/web"
)

// rssServerEnv makes TestSigninRSSServer serve instead of skipping; the benchmark sets it
// for the child process it measures.
const rssServerEnv = "MICROBLOG_SIGNIN_RSS_SERVER"

const (
	rssClients  = 50
	rssPassword = "rss-bench-horse-staple-3"
)

// TestSigninRSSServer is the server process of BenchmarkConcurrentSigninRSS: the app over
// a SQLite database with rssClients users, on a loopback port it prints, until its
// standard input closes. Run alone, it skips.
func TestSigninRSSServer(t *testing.T) {
	if os.Getenv(rssServerEnv) == "" {
		t.Skip("the server process of BenchmarkConcurrentSigninRSS")
	}
	db := testdb.Migrated(t, database.SQLite)
	cfg, err := config.Load(func(string) (string, bool) { return "", false }, "")
	if err != nil {
		t.Fatal(err)
	}
	app, err := web.New(db, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), testdb.Queue(t, db))
	if err != nil {
		t.Fatal(err)
	}
	hash, err := password.Hash(rssPassword)
	if err != nil {
		t.Fatal(err)
	}
	s := db.NewSession()
	for i := range rssClients {
		s.Add(&models.User{Username: fmt.Sprintf("rss%02d", i), Email: fmt.Sprintf("rss%02d@example.com", i), PasswordHash: &hash})
	}
	if err := s.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: app.Handler()}
	go srv.Serve(ln)
	fmt.Printf("ADDR %s\n", ln.Addr())
	io.Copy(io.Discard, os.Stdin)
	srv.Close()
}

// BenchmarkConcurrentSigninRSS measures the peak resident memory (VmHWM) of a server
// process while rssClients users sign in at once, each from its own loopback address
// (127.0.0.2 on) so that no per-address limit is involved, one round per iteration. The
// issue's figure: 8 parallel sign-ins took the process from 171 to 565 MB; the target
// is under 250 MB for 50.
//
//	go test ./internal/web -run '^$' -bench ConcurrentSigninRSS -benchtime 3x
func BenchmarkConcurrentSigninRSS(b *testing.B) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestSigninRSSServer$", "-test.bench=^$", "-test.count=1")
	cmd.Env = append(os.Environ(), rssServerEnv+"=1")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	var base string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if addr, ok := strings.CutPrefix(sc.Text(), "ADDR "); ok {
			base = "http://" + addr
			break
		}
	}
	if base == "" {
		b.Fatal("server process printed no address")
	}
	go io.Copy(io.Discard, stdout)
	startRSS := vmHWM(b, cmd.Process.Pid)

	statuses := map[int]int{}
	var slowest time.Duration
	var mu sync.Mutex
	for b.Loop() {
		var wg sync.WaitGroup
		for i := range rssClients {
			wg.Go(func() {
				status, d := signInFrom(b, base, fmt.Sprintf("127.0.0.%d", i+2), fmt.Sprintf("rss%02d", i))
				mu.Lock()
				statuses[status]++
				slowest = max(slowest, d)
				mu.Unlock()
			})
		}
		wg.Wait()
	}
	peak := vmHWM(b, cmd.Process.Pid)
	rounds := float64(b.N)
	b.ReportMetric(float64(peak)/1024, "peak-RSS-MB")
	b.ReportMetric(float64(statuses[http.StatusFound])/rounds, "signed-in/op")
	b.ReportMetric(float64(statuses[http.StatusServiceUnavailable])/rounds, "503/op")
	b.ReportMetric(slowest.Seconds(), "slowest-s")
	b.Logf("VmHWM %d MB after start, %d MB after %d rounds of %d concurrent sign-ins; statuses %v", startRSS/1024, peak/1024, b.N, rssClients, statuses)
	if other := b.N*rssClients - statuses[http.StatusFound] - statuses[http.StatusServiceUnavailable]; other > 0 {
		b.Errorf("%d sign-ins answered neither 302 nor 503: %v", other, statuses)
	}
}

// signInFrom signs user in from the local address from, and returns the status and how
// long it took.
func signInFrom(b *testing.B, base, from, user string) (int, time.Duration) {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	c := &http.Client{
		Transport:     &http.Transport{DialContext: dialer.DialContext, DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       2 * time.Minute,
	}
	start := time.Now()
	resp, err := c.PostForm(base+"/auth/login", url.Values{"username": {user}, "password": {rssPassword}})
	if err != nil {
		b.Error(err)
		return 0, 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, time.Since(start)
}

// vmHWM is the peak resident set size of process pid so far, in KiB.
func vmHWM(b *testing.B, pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			if err != nil {
				b.Fatal(err)
			}
			return kb
		}
	}
	b.Fatal("no VmHWM in /proc/pid/status")
	return 0
}
