package web

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
)

// compressMinSize is the smallest body worth compressing: below it gzip's 18-byte frame
// and the CPU cost outweigh what is saved (a redirect, a 304, a short JSON error).
const compressMinSize = 1024

// compressible are the content types compressed (text); anything else (images, the
// notification stream's text/event-stream, already compressed archives) passes unchanged.
var compressible = map[string]bool{
	"text/html":              true,
	"text/css":               true,
	"text/javascript":        true,
	"text/plain":             true,
	"text/csv":               true,
	"application/javascript": true,
	"application/json":       true,
	"application/xml":        true,
	"image/svg+xml":          true,
}

// compressibleType says whether a Content-Type header names a type compress compresses.
func compressibleType(contentType string) bool {
	t, _, err := mime.ParseMediaType(contentType)
	return err == nil && compressible[t]
}

// acceptsGzip says whether an Accept-Encoding header accepts gzip (RFC 9110 §12.5.3):
// gzip, x-gzip or * listed without q=0.
func acceptsGzip(header []string) bool {
	for _, h := range header {
		for _, part := range strings.Split(h, ",") {
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding != "gzip" && coding != "x-gzip" && coding != "*" {
				continue
			}
			q := 1.0
			if v, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q="); ok {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					q = f
				}
			}
			return q > 0
		}
	}
	return false
}

// wantsGzip reports whether r's response may be compressed: the client accepts gzip and
// asks no range (a range is of the bytes as they are). compress decides by it, and so do
// the remembered pages, which are kept compressed and opened for everyone else.
func wantsGzip(r *http.Request) bool {
	return acceptsGzip(r.Header.Values("Accept-Encoding")) && r.Header.Get("Range") == ""
}

// addVary adds name to the response's Vary header unless one of its values names it
// already: a remembered page replayed through compress keeps one Vary: Accept-Encoding.
func addVary(h http.Header, name string) {
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), name) {
				return
			}
		}
	}
	h.Add("Vary", name)
}

// gzipPool reuses gzip writers (each holds about 800 KB of compression state), and the
// readers that open remembered pages for clients without gzip (gunzip).
type gzipPool struct{ p, readers sync.Pool }

func newGzipPool(level int) *gzipPool {
	return &gzipPool{p: sync.Pool{New: func() any {
		z, _ := gzip.NewWriterLevel(io.Discard, level) // level is a constant known to be valid
		return z
	}}}
}

func (g *gzipPool) get(w io.Writer) *gzip.Writer {
	z := g.p.Get().(*gzip.Writer)
	z.Reset(w)
	return z
}

func (g *gzipPool) put(z *gzip.Writer) { z.Reset(io.Discard); g.p.Put(z) }

// gunzip returns what gz, a gzip stream this process wrote (a remembered page), holds.
// Its trailer gives the length (ISIZE, modulo 4 GiB: a page is far below), so the
// result is allocated once; the stream's checksum is checked at its end.
func (g *gzipPool) gunzip(gz []byte) ([]byte, error) {
	if len(gz) < 18 { // a gzip frame's header and trailer
		return nil, fmt.Errorf("web: gunzip: %d bytes is no gzip stream", len(gz))
	}
	size := binary.LittleEndian.Uint32(gz[len(gz)-4:])
	if uint64(size) > 1032*uint64(len(gz)) { // deflate's largest ratio: a trailer that lies
		return nil, fmt.Errorf("web: gunzip: %d bytes cannot hold the %d its trailer gives", len(gz), size)
	}
	z, _ := g.readers.Get().(*gzip.Reader)
	var err error
	if z == nil {
		z, err = gzip.NewReader(bytes.NewReader(gz))
	} else {
		err = z.Reset(bytes.NewReader(gz))
	}
	if err != nil {
		return nil, fmt.Errorf("web: gunzip: %w", err)
	}
	defer g.readers.Put(z)
	out := make([]byte, size)
	if _, err := io.ReadFull(z, out); err != nil {
		return nil, fmt.Errorf("web: gunzip: %w", err)
	}
	var more [1]byte
	if n, err := z.Read(more[:]); n != 0 || !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("web: gunzip: the stream does not end at the %d bytes its trailer gives (%v)", size, err)
	}
	return out, nil
}

// compress gzips next's text responses (HTML, JSON, CSS, JavaScript) of at least
// compressMinSize bytes for clients that accept gzip, and adds Vary: Accept-Encoding to
// every response of a compressible type. A strong ETag sent to a client that accepts gzip
// becomes weak (W/"..."): compressed bytes differ from those the tag was computed on, but
// mean the same; If-None-Match compares weakly, so revalidation still answers 304. Range
// requests, partial and bodiless responses pass unchanged, as do other types, among them
// text/event-stream (the notification stream is not routed through here anyway: it must
// reach the client event by event).
func compress(pool *gzipPool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &compressWriter{w: w, pool: pool, accepts: wantsGzip(r)}
		defer cw.close()
		next.ServeHTTP(cw, r)
	})
}

// compressWriter holds the first compressMinSize bytes of a body back to decide, once it
// knows the status, the headers and whether the body is big enough, between compressing
// and passing the response through.
type compressWriter struct {
	w       http.ResponseWriter
	pool    *gzipPool
	accepts bool

	status  int
	buf     []byte
	decided bool
	gz      *gzip.Writer // set when compressing
}

func (c *compressWriter) Header() http.Header { return c.w.Header() }

// Unwrap lets http.ResponseController reach the connection.
func (c *compressWriter) Unwrap() http.ResponseWriter { return c.w }

func (c *compressWriter) WriteHeader(code int) {
	if c.decided || c.status != 0 {
		if c.decided && !c.gzipping() {
			c.w.WriteHeader(code)
		}
		return
	}
	if code < 200 { // an informational response (103) goes out at once
		c.w.WriteHeader(code)
		return
	}
	c.status = code
	if code == http.StatusNoContent || code == http.StatusNotModified || code == http.StatusPartialContent {
		c.decide(false)
	}
}

func (c *compressWriter) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	if !c.decided {
		if len(c.buf)+len(p) < compressMinSize {
			c.buf = append(c.buf, p...)
			return len(p), nil
		}
		c.decide(true)
	}
	if c.gz != nil {
		return c.gz.Write(p)
	}
	return c.w.Write(p)
}

func (c *compressWriter) gzipping() bool { return c.gz != nil }

// decide sends the headers, compressing when big is true (the body reaches
// compressMinSize), the client accepts gzip and the type is text; then it writes out
// what was held back.
func (c *compressWriter) decide(big bool) {
	c.decided = true
	h := c.w.Header()
	if c.status == 0 {
		c.status = http.StatusOK
	}
	if h.Get("Content-Type") == "" && len(c.buf) > 0 {
		h.Set("Content-Type", http.DetectContentType(c.buf)) // what net/http would sniff
	}
	// A 304 carries no Content-Type; it stands for the 200 it revalidates, which may be
	// compressed, so it gets the same Vary and ETag as that 200 would.
	notModified := c.status == http.StatusNotModified
	text := (notModified || compressibleType(h.Get("Content-Type"))) && h.Get("Content-Encoding") == ""
	if text {
		addVary(h, "Accept-Encoding")
		// To a client that accepts gzip the tag is weak whether or not this body is big
		// enough to be compressed, so that a 200 and the 304s revalidating it agree.
		if tag := h.Get("ETag"); c.accepts && strings.HasPrefix(tag, `"`) {
			h.Set("ETag", "W/"+tag)
		}
	}
	if text && big && c.accepts && !notModified && c.status != http.StatusPartialContent {
		h.Set("Content-Encoding", "gzip")
		h.Del("Content-Length")
		h.Del("Accept-Ranges")
		c.gz = c.pool.get(c.w)
	}
	c.w.WriteHeader(c.status)
	held := c.buf
	c.buf = nil
	if len(held) > 0 {
		if c.gz != nil {
			c.gz.Write(held)
		} else {
			c.w.Write(held)
		}
	}
}

// Flush sends what is written so far, compressed or not (a response flushed before it
// reached compressMinSize is decided then).
func (c *compressWriter) Flush() {
	if !c.decided {
		c.decide(len(c.buf) > 0)
	}
	if c.gz != nil {
		c.gz.Flush()
	}
	// Through the wrappers below (the status recorders are no Flushers themselves).
	_ = http.NewResponseController(c.w).Flush()
}

// Hijack passes a hijack through (no response of ours uses it; a wrapper must not hide it).
func (c *compressWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(c.w).Hijack()
}

// close ends the response: a body still held back is small and goes out as it is.
func (c *compressWriter) close() {
	if !c.decided {
		if c.status == 0 && len(c.buf) == 0 {
			return // the handler wrote nothing; net/http sends its 200
		}
		c.decide(false)
	}
	if c.gz != nil {
		c.gz.Close()
		c.pool.put(c.gz)
		c.gz = nil
	}
}
