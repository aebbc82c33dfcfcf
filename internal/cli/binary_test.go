package cli_test

import (
	"bufio"
	"debug/elf"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStaticBinary builds microblog as the container image does (CGO_ENABLED=0) and runs
// the real binary as a subprocess: from an empty directory with an empty environment,
// and through a graceful shutdown on SIGTERM. (Docker's engine does not run on the CI
// machine; deploy/image-smoke.sh runs the image itself with podman.)
func TestStaticBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if runtime.GOOS != "linux" {
		t.Skip("the image is a Linux one")
	}
	bin := filepath.Join(t.TempDir(), "microblog")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/microblog")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	libs, _ := f.ImportedLibraries()
	interp := slices.ContainsFunc(f.Progs, func(p *elf.Prog) bool { return p.Type == elf.PT_INTERP })
	f.Close()
	if interp || len(libs) > 0 {
		t.Fatalf("the CGO_ENABLED=0 binary is not static: interpreter %v, libraries %v", interp, libs)
	}
	t.Run("EmptyDirectory", func(t *testing.T) { emptyDirectory(t, bin) })
	t.Run("GracefulShutdown", func(t *testing.T) { gracefulShutdown(t, bin) })
	t.Run("ShutdownBound", func(t *testing.T) { shutdownBound(t, bin) })
}

// child is the binary running as a subprocess.
type child struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan error
}

func startBinary(t *testing.T, bin, dir string, env []string, args ...string) *child {
	t.Helper()
	c := &child{cmd: exec.Command(bin, args...), out: &syncBuffer{}, done: make(chan error, 1)}
	c.cmd.Dir, c.cmd.Env, c.cmd.Stdout, c.cmd.Stderr = dir, env, c.out, c.out
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.done <- c.cmd.Wait() }()
	t.Cleanup(func() {
		c.cmd.Process.Kill()
		<-c.done
	})
	return c
}

// waitHTTP waits until GET base+path answers 200.
func (c *child) waitHTTP(t *testing.T, base, path string) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(base + path); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
	}
	t.Fatalf("GET %s never answered 200; output:\n%s", path, c.out.String())
}

// terminate sends SIGTERM and waits up to limit for the exit, which must be 0.
func (c *child) terminate(t *testing.T, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	return c.wait(t, start, limit)
}

func (c *child) wait(t *testing.T, start time.Time, limit time.Duration) time.Duration {
	t.Helper()
	select {
	case err := <-c.done:
		c.done <- err // for the cleanup
		if err != nil {
			t.Errorf("exit after SIGTERM: %v; output:\n%s", err, c.out.String())
		}
	case <-time.After(limit):
		t.Fatalf("still running %v after SIGTERM; output:\n%s", limit, c.out.String())
	}
	return time.Since(start)
}

func freePort(t *testing.T) string { return strings.TrimPrefix(freeAddr(t), "127.0.0.1:") }

// The binary alone, in an empty directory with nothing in its environment but PORT:
// templates, static files, translations and revisions are inside it. It creates app.db
// and logs/, serves the first page, and is healthy and ready.
func emptyDirectory(t *testing.T, bin string) {
	dir := t.TempDir()
	port := freePort(t)
	base := "http://127.0.0.1:" + port
	c := startBinary(t, bin, dir, []string{"PORT=" + port}, "run")
	c.waitHTTP(t, base, "/readyz")
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/auth/login" || !strings.Contains(string(page), `name="username"`) {
		t.Errorf("first page: %d at %s, login form %v", resp.StatusCode, resp.Request.URL, strings.Contains(string(page), `name="username"`))
	}
	for _, path := range []string{"/healthz", "/static/css/app.css", "/static/bootstrap/bootstrap.bundle.min.js"} {
		resp, err := http.Get(base + path)
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("GET %s: %v %v", path, resp.Status, err)
		} else {
			resp.Body.Close()
		}
	}
	c.terminate(t, 30*time.Second)
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Contains(names, "app.db") || !slices.Contains(names, "logs") {
		t.Errorf("the directory holds %v, want app.db and logs", names)
	}
}

// slowRequest starts a POST whose body arrives slowly, on a connection the server has
// already accepted (a first request on it was answered), and sends the first half of
// the body: the request is in flight until finish sends the rest.
type slowRequest struct {
	conn net.Conn
	r    *bufio.Reader
	rest string
}

func startSlowRequest(t *testing.T, addr string) *slowRequest {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	s := &slowRequest{conn: conn, r: bufio.NewReader(conn)}
	fmt.Fprintf(conn, "GET /healthz HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
	resp, err := http.ReadResponse(s.r, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	body := "username=nobody&password=not-the-password"
	half := len(body) / 2
	fmt.Fprintf(conn, "POST /auth/login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s", addr, len(body), body[:half])
	s.rest = body[half:]
	// Let the server read the headers: the connection is then active, not idle, and a
	// shutdown waits for it.
	time.Sleep(500 * time.Millisecond)
	return s
}

// finish sends the rest of the body and reads the whole response.
func (s *slowRequest) finish(t *testing.T) *http.Response {
	t.Helper()
	if _, err := io.WriteString(s.conn, s.rest); err != nil {
		t.Fatalf("the rest of the body: %v", err)
	}
	s.conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err := http.ReadResponse(s.r, nil)
	if err != nil {
		t.Fatalf("no response to the request in flight: %v", err)
	}
	if _, err := io.ReadAll(resp.Body); err != nil {
		t.Errorf("the response to the request in flight was cut: %v", err)
	}
	resp.Body.Close()
	return resp
}

// SIGTERM during a request: no new connection is accepted, the request in flight gets
// its whole response, the workers stop, and the process exits 0 well within
// SHUTDOWN_TIMEOUT.
func gracefulShutdown(t *testing.T, bin string) {
	dir := t.TempDir()
	port := freePort(t)
	addr := "127.0.0.1:" + port
	c := startBinary(t, bin, dir, []string{"PORT=" + port, "LOG_TO_STDOUT=1", "SHUTDOWN_TIMEOUT=20s"}, "run")
	c.waitHTTP(t, "http://"+addr, "/readyz")
	slow := startSlowRequest(t, addr)
	start := time.Now()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	refused := false
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			refused = true
			break
		}
		conn.Close()
	}
	if !refused {
		t.Fatalf("new connections still accepted after SIGTERM; output:\n%s", c.out.String())
	}
	select {
	case err := <-c.done:
		t.Fatalf("exited (%v) with a request in flight; output:\n%s", err, c.out.String())
	default:
	}
	resp := slow.finish(t)
	if resp.StatusCode >= 500 {
		t.Errorf("the request in flight got %s", resp.Status)
	}
	if took := c.wait(t, start, 25*time.Second); took > 15*time.Second {
		t.Errorf("exit took %v after SIGTERM with one short request in flight", took)
	}
	log := c.out.String()
	for _, want := range []string{"shutting down", "workers stopped", "server stopped"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "shutdown timeout reached") {
		t.Errorf("the request was cut:\n%s", log)
	}
}

// A request that never ends does not hold the process past SHUTDOWN_TIMEOUT.
func shutdownBound(t *testing.T, bin string) {
	dir := t.TempDir()
	port := freePort(t)
	addr := "127.0.0.1:" + port
	c := startBinary(t, bin, dir, []string{"PORT=" + port, "LOG_TO_STDOUT=1", "SHUTDOWN_TIMEOUT=2s"}, "run")
	c.waitHTTP(t, "http://"+addr, "/readyz")
	startSlowRequest(t, addr) // never finished
	took := c.terminate(t, 20*time.Second)
	if took < 2*time.Second {
		t.Errorf("exited %v after SIGTERM, before the 2s bound, with a request in flight", took)
	}
	if !strings.Contains(c.out.String(), "shutdown timeout reached") {
		t.Errorf("no log line for the cut request:\n%s", c.out.String())
	}
}
