package cli_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/cli"
	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrations"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func run(t *testing.T, ctx context.Context, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb syncBuffer
	code = cli.Main(ctx, args, cli.IO{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Env:     func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		EnvFile: filepath.Join(t.TempDir(), ".env"),
	})
	return code, out.String(), errb.String()
}

func TestExitCodes(t *testing.T) {
	ctx := context.Background()
	if code, out, _ := run(t, ctx, nil, "--help"); code != 0 || !strings.Contains(out, "run") {
		t.Errorf("--help: exit %d, output %q", code, out)
	}
	if code, _, errOut := run(t, ctx, nil, "frobnicate"); code != 2 || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: exit %d, stderr %q; want 2", code, errOut)
	}
	if code, _, errOut := run(t, ctx, nil, "run", "--nope"); code != 2 || !strings.Contains(errOut, "unknown flag: --nope") {
		t.Errorf("unknown flag: exit %d, stderr %q; want 2", code, errOut)
	}
	code, _, errOut := run(t, ctx, map[string]string{"MAIL_PORT": "smtp"}, "run")
	if code != 1 || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, `Error: config: MAIL_PORT="smtp"`) {
		t.Errorf("bad config: exit %d, stderr %q; want 1 and one line naming MAIL_PORT", code, errOut)
	}
	// DATABASE_WAIT=0: no retry (TestRunWaitsForTheDatabase covers the wait). The log
	// before the error says the server listened; the error is the last line.
	code, _, errOut = run(t, ctx, map[string]string{"DATABASE_URL": "postgres://bob:s3cret@127.0.0.1:1/mb?connect_timeout=2", "DATABASE_WAIT": "0"}, "run", "--addr", "127.0.0.1:0")
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if code != 1 || strings.Contains(errOut, "s3cret") || strings.Count(errOut, "Error:") != 1 ||
		!strings.Contains(lines[len(lines)-1], "Error: run: database: cannot connect to postgres://bob:xxxxx@127.0.0.1:1/mb") {
		t.Errorf("unreachable database: exit %d, stderr %q; want 1 and one masked error line, last", code, errOut)
	}
}

// startRun starts `microblog run --addr addr` with env until ctx ends; done receives its
// exit code, and errOut collects its log.
func startRun(ctx context.Context, t *testing.T, env map[string]string, addr string) (done <-chan int, errOut *syncBuffer) {
	t.Helper()
	ch := make(chan int, 1)
	errOut = &syncBuffer{}
	envFile := filepath.Join(t.TempDir(), ".env")
	go func() {
		ch <- cli.Main(ctx, []string{"run", "--addr", addr}, cli.IO{
			Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: errOut,
			Env:     func(k string) (string, bool) { v, ok := env[k]; return v, ok },
			EnvFile: envFile,
		})
	}()
	return ch, errOut
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestRunServesUntilCancelled(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir) // run writes logs/microblog.log in the working directory
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	env := map[string]string{"DATABASE_URL": "sqlite:///" + filepath.Join(dir, "app.db")}
	done, errOut := startRun(ctx, t, env, addr)
	// Ready once /readyz says so (/healthz answers as soon as the server listens).
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("server never ready; log:\n%s", errOut.String())
		}
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != `{"status":"ok"}` {
		t.Errorf("/healthz = %d %q", resp.StatusCode, body)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("run exited %d after cancel; log:\n%s", code, errOut.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not stop after its context was cancelled")
	}
	if _, err := os.Stat(filepath.Join(dir, "app.db")); err != nil {
		t.Errorf("no database file created: %v", err)
	}
	if log := errOut.String(); !strings.Contains(log, "listening") || !strings.Contains(log, "shutting down") {
		t.Errorf("log lacks listening/shutting down lines:\n%s", log)
	}
	file, err := os.ReadFile(filepath.Join(dir, "logs", "microblog.log"))
	if err != nil || !strings.Contains(string(file), "listening") {
		t.Errorf("logs/microblog.log: %v\n%s", err, file)
	}
}

func TestRunAppliesMigrationsFirst(t *testing.T) {
	repoDir, _ := filepath.Abs(filepath.Join("..", "..", "migrations"))
	dir := t.TempDir()
	t.Chdir(dir)
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	dbURL := "sqlite:///" + filepath.Join(dir, "app.db")
	env := map[string]string{"DATABASE_URL": dbURL}
	done, errOut := startRun(ctx, t, env, addr)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if strings.Contains(errOut.String(), "listening") {
			break
		}
	}
	cancel()
	<-done
	log := errOut.String()
	for _, want := range []string{`msg="running upgrade  -> e517276bb1c2, users table" component=migrate`, "running upgrade e517276bb1c2 -> 780739b227a7, posts table",
		"running upgrade 780739b227a7 -> 37f06a334dbf, new fields in user model", "running upgrade 37f06a334dbf -> ae346256b650, followers",
		// The progress line after each revision (migrate.Provider), with the time elapsed.
		`msg="migrate: revision upgraded" revision=e517276bb1c2 message="users table" component=migrate step=1/`} {
		if !strings.Contains(log, want) {
			t.Errorf("run's log lacks %q:\n%s", want, log)
		}
	}
	if !regexp.MustCompile(`msg="migrate: revision upgraded" revision=ae346256b650 .* duration=\S+ elapsed=\S+`).MatchString(log) {
		t.Errorf("run's log lacks the progress line of ae346256b650 with duration and elapsed time:\n%s", log)
	}
	code, out, errText := run(t, context.Background(), env, "db", "current", "-d", repoDir)
	repo, err := migrate.LoadRepo(migrations.FS, migrations.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if code != 0 || strings.TrimSpace(out) != repo.Heads()[0]+" (head)" {
		t.Errorf("db current after run: exit %d, %q %q", code, out, errText)
	}
}
