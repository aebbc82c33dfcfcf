package cli_test

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/cli"
)

// run --pprof serves Go's profiles on their own address only: the site's address
// answers /debug/pprof/ with its 404 page, and the profiles stop with the server.
func TestRunPprofServesProfilesOnTheirOwnAddressOnly(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	addr, prof := freeAddr(t), freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	env := map[string]string{"DATABASE_URL": "sqlite:///" + filepath.Join(dir, "app.db")}
	errOut := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- cli.Main(ctx, []string{"run", "--addr", addr, "--pprof", prof}, cli.IO{
			Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: errOut,
			Env: func(k string) (string, bool) { v, ok := env[k]; return v, ok }, EnvFile: filepath.Join(dir, ".env"),
		})
	}()
	get := func(u string) (int, string, error) {
		resp, err := http.Get(u)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), nil
	}
	// The server answers probes while it starts: wait until it is ready.
	var err error
	code := 0
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if code, _, err = get("http://" + addr + "/readyz"); err == nil && code == http.StatusOK {
			break
		}
	}
	if err != nil || code != http.StatusOK {
		cancel()
		t.Fatalf("server never ready: %d %v; log:\n%s", code, err, errOut.String())
	}
	if code, body, err := get("http://" + prof + "/debug/pprof/"); err != nil || code != 200 || !strings.Contains(body, "goroutine") {
		t.Errorf("profiles: %d %v\n%.300s", code, err, body)
	}
	if code, body, err := get("http://" + addr + "/debug/pprof/"); err != nil || code != http.StatusNotFound || strings.Contains(body, "goroutine") {
		t.Errorf("site address /debug/pprof/: %d %v\n%.300s", code, err, body)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("run did not stop")
	}
	if _, _, err := get("http://" + prof + "/debug/pprof/"); err == nil {
		t.Error("profiles still served after run stopped")
	}
}

// A --pprof address that cannot be listened on stops run with an error naming it.
func TestRunPprofBadAddressIsAnError(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	env := map[string]string{"DATABASE_URL": "sqlite:///" + filepath.Join(dir, "app.db")}
	code, _, stderr := run(t, context.Background(), env, "run", "--addr", freeAddr(t), "--pprof", "256.0.0.1:x")
	if code == 0 || !strings.Contains(stderr, "pprof") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}
