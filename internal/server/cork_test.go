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

	"github.com/microblog/microblog/internal/cork"
	"github.com/microblog/microblog/internal/cork/corktest"
	"github.com/microblog/microblog/internal/server"
)

// The server gives its pages the connections cork.Send needs: a 6 KB page sent with it
// leaves in one write, where the same page written plainly takes two.
func TestServedPagesCanLeaveInOneWrite(t *testing.T) {
	page := bytes.Repeat([]byte("<p>microblog</p>\n"), 360) // 6,120 bytes
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/corked" {
			cork.Send(w, r, http.StatusOK, page)
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
	if n := fetch("/plain"); n < 2 {
		t.Fatalf("the plain page took %d writes: the test no longer shows the difference", n)
	}
}
