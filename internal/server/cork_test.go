package server_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/cork"
	"github.com/microblog/microblog/internal/cork/corktest"
	"github.com/microblog/microblog/internal/server"
)

// The server gives its pages the connections cork.Send needs: a 6 KB page sent with it
// leaves in one write, where the same page written plainly takes two, and only once its
// request is over (cork.Handler is outermost).
func TestServedPagesCanLeaveInOneWrite(t *testing.T) {
	page := bytes.Repeat([]byte("<p>microblog</p>\n"), 360) // 6,120 bytes
	var over atomic.Bool
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/corked" {
			over.Store(false)
			cork.Send(w, r, http.StatusOK, page)
			time.Sleep(20 * time.Millisecond) // what a request does after its page
			over.Store(true)
			return
		}
		w.Write(page)
	})
	s := server.New(server.Options{Log: slog.New(slog.DiscardHandler), Handler: app})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var writes atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, corktest.Listener{Listener: ln, Writes: &writes}) }()
	defer func() { cancel(); <-done }()
	base := "http://" + ln.Addr().String()
	fetch := func(path string) int64 {
		t.Helper()
		before := writes.Load()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !bytes.Equal(body, page) {
			t.Fatalf("%s: %d bytes back, want the page's %d", path, len(body), len(page))
		}
		return writes.Load() - before
	}
	fetch("/plain") // the connection is open
	if n := fetch("/corked"); n != 1 {
		t.Fatalf("a page sent with cork.Send took %d writes, want 1", n)
	}
	if !over.Load() {
		t.Fatal("the client had the page before its request was over")
	}
	if n := fetch("/plain"); n < 2 {
		t.Fatalf("the plain page took %d writes: the test no longer shows the difference", n)
	}
}
