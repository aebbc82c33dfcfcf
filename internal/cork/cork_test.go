package cork_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/cork"
	"github.com/microblog/microblog/internal/cork/corktest"
)

// body is n bytes of a pattern whose every line differs, so that a byte out of place
// shows.
func body(n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "line %06d \x00\xff é\n", i)
	}
	return b.Bytes()[:n]
}

// server serves /send/N with Send and /plain/N as a handler writes without it, through
// cork's listener over a counting one, under cork.Handler as the app's server does.
func server(t *testing.T, writes *atomic.Int64) *httptest.Server {
	t.Helper()
	return serve(t, writes, func(mux *http.ServeMux) http.Handler { return cork.Handler(mux) })
}

// serve starts a server whose handler is outer(mux) over the routes of server.
func serve(t *testing.T, writes *atomic.Int64, outer func(*http.ServeMux) http.Handler) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /send/{n}", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.PathValue("n"), &n)
		w.Header().Set("Content-Type", "application/octet-stream")
		cork.Send(w, r, http.StatusOK, body(n))
	})
	mux.HandleFunc("GET /plain/{n}", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.PathValue("n"), &n)
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", fmt.Sprint(n))
		w.Write(body(n))
	})
	srv := httptest.NewUnstartedServer(outer(mux))
	srv.Listener = cork.Listen(corktest.Listener{Listener: srv.Listener, Writes: writes})
	srv.Config.ConnContext = cork.ConnContext
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// A response sent with Send leaves in one write whatever its size up to 64 KB, where
// net/http alone needs two past its 4 KB buffer; the bytes arrive exactly, request after
// request on one kept-alive connection, for HEAD too; past 64 KB it still arrives whole.
func TestSendWritesAResponseOnce(t *testing.T) {
	var writes atomic.Int64
	srv := server(t, &writes)
	client := srv.Client()
	get := func(method, path string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, b
	}
	get("GET", "/send/10") // the connection is open
	for _, n := range []int{0, 100, 4000, 5515, 8192, 40000, 65000, 200000} {
		before := writes.Load()
		resp, got := get("GET", fmt.Sprintf("/send/%d", n))
		if resp.StatusCode != http.StatusOK || !bytes.Equal(got, body(n)) {
			t.Fatalf("/send/%d: status %d, %d bytes back, want %d exactly", n, resp.StatusCode, len(got), n)
		}
		if resp.ContentLength != int64(n) {
			t.Fatalf("/send/%d: Content-Length %d", n, resp.ContentLength)
		}
		w := writes.Load() - before
		if n <= 65000 && w != 1 {
			t.Fatalf("/send/%d took %d writes, want 1", n, w)
		}
		if n == 5515 {
			before := writes.Load()
			get("GET", "/plain/5515")
			if w := writes.Load() - before; w < 2 {
				t.Fatalf("/plain/5515 took %d writes: the test no longer shows what Send saves", w)
			}
		}
	}
	before := writes.Load()
	resp, got := get("HEAD", "/send/5515")
	if resp.StatusCode != http.StatusOK || len(got) != 0 || resp.ContentLength != 5515 {
		t.Fatalf("HEAD: status %d, %d bytes, Content-Length %d", resp.StatusCode, len(got), resp.ContentLength)
	}
	if w := writes.Load() - before; w != 1 {
		t.Fatalf("HEAD took %d writes", w)
	}
}

// Pipelined requests on one raw connection get their responses whole and in order, and
// many connections at once each get theirs.
func TestSendUnderPipeliningAndConcurrency(t *testing.T) {
	var writes atomic.Int64
	srv := server(t, &writes)
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sizes := []int{5515, 10, 70000, 4096, 0}
	var reqs strings.Builder
	for _, n := range sizes {
		fmt.Fprintf(&reqs, "GET /send/%d HTTP/1.1\r\nHost: x\r\n\r\n", n)
	}
	if _, err := io.WriteString(c, reqs.String()); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	for _, n := range sizes {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		if err != nil || !bytes.Equal(got, body(n)) {
			t.Fatalf("pipelined /send/%d: %d bytes, err %v", n, len(got), err)
		}
	}

	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			n := 3000 + i*500
			resp, err := srv.Client().Get(fmt.Sprintf("%s/send/%d", srv.URL, n))
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			if got, _ := io.ReadAll(resp.Body); !bytes.Equal(got, body(n)) {
				t.Errorf("/send/%d: %d bytes", n, len(got))
			}
		})
	}
	wg.Wait()
}

// Without cork's listener (a server that was not given it, a TLS connection) Send writes
// as net/http does, with the same bytes.
func TestSendWithoutTheListener(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cork.Send(w, r, http.StatusCreated, body(9000))
	}))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated || !bytes.Equal(got, body(9000)) {
		t.Fatalf("status %d, %d bytes", resp.StatusCode, len(got))
	}
}

// Under Handler, a page sent with Send reaches the client only once the request is over:
// what the handler does after Send (here, after a pause) is done when the client reads
// the page, still in one write. Without Handler the page leaves as Send returns, before.
func TestHandlerSendsWhenTheRequestEnds(t *testing.T) {
	for _, wrapped := range []bool{true, false} {
		var writes, done atomic.Int64
		srv := serve(t, &writes, func(mux *http.ServeMux) http.Handler {
			mux.HandleFunc("GET /late", func(w http.ResponseWriter, r *http.Request) {
				cork.Send(w, r, http.StatusOK, body(5515))
				time.Sleep(50 * time.Millisecond)
				done.Add(1)
			})
			if wrapped {
				return cork.Handler(mux)
			}
			return mux
		})
		client := srv.Client()
		for i := range 3 {
			before := writes.Load()
			resp, err := client.Get(srv.URL + "/late")
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			finished := done.Load() == int64(i+1)
			if !bytes.Equal(got, body(5515)) {
				t.Fatalf("wrapped %v: %d bytes back", wrapped, len(got))
			}
			if wrapped && !finished {
				t.Fatalf("under Handler the client had the page before the request ended")
			}
			if !wrapped && finished {
				t.Fatalf("without Handler the page waited for the request to end: the test no longer shows what Handler does")
			}
			if w := writes.Load() - before; wrapped && w != 1 {
				t.Fatalf("under Handler the page took %d writes, want 1", w)
			}
			for done.Load() != int64(i+1) {
				time.Sleep(time.Millisecond) // the unwrapped request's end, before the next
			}
		}
	}
}
