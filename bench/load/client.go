package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/valyala/fasthttp"
)

// Clients the benchmark can drive the app with (-client).
const (
	// clientFast is valyala/fasthttp's HostClient: one goroutine a connection and no
	// allocation a request, so that the load generator, which shares the machine's CPUs
	// with the server, takes as little of them as it can (as wrk would).
	clientFast = "fasthttp"
	// clientStd is net/http's client with a cookie jar a user, as the runs before stop 27
	// were measured (two goroutines a connection, the jar, a parsed URL a request).
	clientStd = "net/http"
)

// spec is one request of a scenario: a GET of path, or a POST of the form with a new
// post's body.
type spec struct {
	method, path string
	form         url.Values
	post         string // the new post's body, for a post
}

// driver makes one worker per connection; a worker sends its connection's requests one
// after another with one signed-in user's cookies (none for hello-world).
type driver interface {
	worker(base string, jar http.CookieJar) worker
}

// worker sends one request and reads the whole response.
type worker interface {
	do(ctx context.Context, s spec) (status int, location string, err error)
}

// newDriver is the named client's driver, with room for conns connections to each
// server.
func newDriver(name string, conns int) (driver, error) {
	switch name {
	case clientFast:
		return &fastDriver{conns: conns, clients: map[string]*fasthttp.HostClient{}}, nil
	case clientStd:
		return stdDriver{&http.Client{
			Transport:     &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			Timeout:       requestTimeout,
		}}, nil
	}
	return nil, fmt.Errorf("load: -client %q: want %s or %s", name, clientFast, clientStd)
}

// requestTimeout bounds one request of a run.
const requestTimeout = 30 * time.Second

// stdDriver drives with net/http's client.
type stdDriver struct{ client *http.Client }

func (d stdDriver) worker(base string, jar http.CookieJar) worker {
	c := *d.client
	c.Jar = jar
	return &stdWorker{client: &c, base: base}
}

type stdWorker struct {
	client *http.Client
	base   string
}

func (w *stdWorker) do(ctx context.Context, s spec) (int, string, error) {
	var body io.Reader
	if s.form != nil {
		body = strings.NewReader(s.form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, s.method, w.base+s.path, body)
	if err != nil {
		return 0, "", fmt.Errorf("load: %w", err)
	}
	if s.form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location"), err
}

// fastDriver drives with fasthttp, one HostClient a server. Workers are made before a
// run starts, so the map needs no lock.
type fastDriver struct {
	conns   int
	clients map[string]*fasthttp.HostClient
}

func (d *fastDriver) worker(base string, jar http.CookieJar) worker {
	hc := d.clients[base]
	if hc == nil {
		hc = &fasthttp.HostClient{
			Addr:                   strings.TrimPrefix(base, "http://"),
			MaxConns:               d.conns,
			ReadTimeout:            requestTimeout,
			WriteTimeout:           requestTimeout,
			DisablePathNormalizing: true, // the paths are sent as net/http would send them
		}
		d.clients[base] = hc
	}
	w := &fastWorker{client: hc, base: base}
	if jar != nil {
		u, _ := url.Parse(base)
		w.cookies = jar.Cookies(u)
		w.header = cookieHeader(w.cookies)
	}
	return w
}

// fastWorker keeps its user's cookies as a browser would: what the sign-in left, then
// whatever Set-Cookie a response sends (all of the app's cookies are for the whole
// site, so name is the only key).
type fastWorker struct {
	client  *fasthttp.HostClient
	base    string
	cookies []*http.Cookie
	header  string // the Cookie header the cookies make
	req     fasthttp.Request
	resp    fasthttp.Response
}

func (w *fastWorker) do(_ context.Context, s spec) (int, string, error) {
	req, resp := &w.req, &w.resp
	req.Reset()
	resp.Reset()
	req.SetRequestURI(w.base + s.path)
	req.Header.SetMethod(s.method)
	if s.form != nil {
		req.Header.SetContentType("application/x-www-form-urlencoded")
		req.SetBodyString(s.form.Encode())
	} else {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	if w.header != "" {
		req.Header.Set("Cookie", w.header)
	}
	if err := w.client.Do(req, resp); err != nil {
		return 0, "", err
	}
	changed := false
	for _, v := range resp.Header.Cookies() {
		c, err := http.ParseSetCookie(string(v))
		if err != nil {
			return 0, "", fmt.Errorf("load: %s %s: Set-Cookie %q: %w", s.method, s.path, v, err)
		}
		w.cookies = setCookie(w.cookies, c, time.Now())
		changed = true
	}
	if changed {
		w.header = cookieHeader(w.cookies)
	}
	return resp.StatusCode(), string(resp.Header.Peek("Location")), nil
}

// setCookie is cookies after a response's Set-Cookie c: c replaces the cookie of its
// name, or removes it when it has expired.
func setCookie(cookies []*http.Cookie, c *http.Cookie, now time.Time) []*http.Cookie {
	kept := cookies[:0]
	for _, old := range cookies {
		if old.Name != c.Name {
			kept = append(kept, old)
		}
	}
	if c.MaxAge < 0 || (!c.Expires.IsZero() && !c.Expires.After(now)) {
		return kept
	}
	return append(kept, c)
}

// cookieHeader is the Cookie header that sends cookies.
func cookieHeader(cookies []*http.Cookie) string {
	var b strings.Builder
	for i, c := range cookies {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(c.Name + "=" + c.Value)
	}
	return b.String()
}
