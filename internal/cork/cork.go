// Package cork sends a response whose body is known in full — a remembered page — in one
// write system call. net/http writes a plain HTTP/1 response through a 4 KB buffer of
// its connection: a response above that (a compressed home page is 5.5 KB with its
// headers) goes out in two writes, the buffer's first 4 KB when it fills and the rest
// when the handler returns, and the client wakes up for each. In stop 25's profile of the
// front-cached home page the two writes were 30% of the server's CPU.
//
// Listen wraps the server's listener so that its connections can hold writes back;
// ConnContext (http.Server.ConnContext) makes a request's connection known to Send; Send
// holds the connection's writes while net/http writes the status, headers and body and
// flushes them, then passes them on in one write, still within the handler (so the
// server's WriteTimeout applies to it as to any write). Everything else — other handlers,
// streamed responses, a TLS connection, HTTP/2 — is written as before.
//
// Handler, around the server's outermost handler, keeps what Send wrote held until that
// handler returns: whatever a request does after its page is written (its access-log
// line, deferred bookkeeping of middleware) is done before the client has the page, as
// without Send. Without Handler, Send passes the page on as it returns.
package cork

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
)

// maxHeld is the most a connection holds back: a larger response goes out as net/http
// writes it, after what was held.
const maxHeld = 64 << 10

// Listen wraps ln: the connections it accepts can hold writes back for Send.
func Listen(ln net.Listener) net.Listener { return listener{ln} }

type listener struct{ net.Listener }

func (l listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &conn{Conn: c}, nil
}

type connKey struct{}

// Handler serves h and sends what Send held once h returns. Put it outermost, so that
// the request's every step is done before its client has the answer.
func Handler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := r.Context().Value(connKey{}).(*conn)
		if c == nil || r.ProtoMajor != 1 {
			h.ServeHTTP(w, r)
			return
		}
		c.mu.Lock()
		c.outer = true
		c.mu.Unlock()
		defer func() {
			c.mu.Lock()
			c.outer = false
			c.mu.Unlock()
			c.release()
		}()
		h.ServeHTTP(w, r)
	})
}

// ConnContext is for http.Server.ConnContext: it records a connection from Listen in
// the context of the requests it carries.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if cc, ok := c.(*conn); ok {
		return context.WithValue(ctx, connKey{}, cc)
	}
	return ctx
}

// Send writes a response with status and body (headers as set on w; Content-Length is
// set to the body's length when absent), in one write on a connection from Listen.
func Send(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	h := w.Header()
	if _, ok := h["Content-Length"]; !ok && status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	c, _ := r.Context().Value(connKey{}).(*conn)
	if c == nil || r.ProtoMajor != 1 {
		w.WriteHeader(status)
		w.Write(body)
		return
	}
	if outer := c.hold(); !outer {
		defer c.release()
	}
	w.WriteHeader(status)
	w.Write(body)
	// Past net/http's buffers into the held bytes. Where a wrapper of w cannot flush,
	// release sends what came so far and net/http the rest, as without Send.
	_ = http.NewResponseController(w).Flush()
}

// conn holds its writes while holding is set, up to maxHeld bytes. Writes come from the
// goroutine serving the connection; Close may come from another (Server.Close).
type conn struct {
	net.Conn
	mu      sync.Mutex
	outer   bool // Handler is serving a request on it
	holding bool
	held    []byte
}

// hold starts holding writes and tells whether Handler will send them.
func (c *conn) hold() (outer bool) {
	c.mu.Lock()
	c.holding = true
	outer = c.outer
	c.mu.Unlock()
	return outer
}

// release sends what was held. A failed write breaks the connection as any failed write
// does: it is closed, so that net/http's next read on it ends it.
func (c *conn) release() {
	c.mu.Lock()
	c.holding = false
	err := c.sendHeldLocked()
	c.mu.Unlock()
	if err != nil {
		c.Conn.Close()
	}
}

func (c *conn) Write(p []byte) (int, error) {
	c.mu.Lock()
	if c.holding && len(c.held)+len(p) <= maxHeld {
		c.held = append(c.held, p...)
		c.mu.Unlock()
		return len(p), nil
	}
	err := c.sendHeldLocked()
	c.mu.Unlock()
	if err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}

// sendHeldLocked writes what is held; c.mu is held.
func (c *conn) sendHeldLocked() error {
	if len(c.held) == 0 {
		return nil
	}
	_, err := c.Conn.Write(c.held)
	c.held = c.held[:0]
	if cap(c.held) > maxHeld {
		c.held = nil
	}
	return err
}

// ReadFrom keeps the connection's own ReadFrom (sendfile for static files) for net/http,
// after what is held.
func (c *conn) ReadFrom(r io.Reader) (int64, error) {
	c.mu.Lock()
	holding := c.holding
	err := c.sendHeldLocked()
	c.mu.Unlock()
	if err != nil {
		return 0, err
	}
	if rf, ok := c.Conn.(io.ReaderFrom); ok && !holding {
		return rf.ReadFrom(r)
	}
	return io.Copy(writerOnly{c}, r)
}

// writerOnly hides conn's ReadFrom from io.Copy.
type writerOnly struct{ io.Writer }

// CloseWrite lets net/http half-close the connection, as it does a TCP connection's.
func (c *conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// Close drops what is held (only a handler that panicked leaves anything) and closes.
func (c *conn) Close() error {
	c.mu.Lock()
	c.holding, c.held = false, nil
	c.mu.Unlock()
	return c.Conn.Close()
}
