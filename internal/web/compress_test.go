package web_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/api"
	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
)

// rawGet is a GET whose body is not decompressed by the client, with Accept-Encoding
// (when not empty) and any other headers given as name, value pairs.
func rawGet(t *testing.T, b *browser, path, acceptEncoding string, headers ...string) page {
	t.Helper()
	req, _ := http.NewRequest("GET", b.s.srv.URL+path, nil)
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	c := *b.c
	c.Transport = &http.Transport{DisableCompression: true}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{resp.StatusCode, resp.Header.Get("Location"), string(body), resp.Header}
}

func gunzip(t *testing.T, what, body string) string {
	t.Helper()
	z, err := gzip.NewReader(strings.NewReader(body))
	if err != nil {
		t.Fatalf("%s: not gzip: %v", what, err)
	}
	out, err := io.ReadAll(z)
	if err != nil {
		t.Fatalf("%s: corrupt gzip: %v", what, err)
	}
	return string(out)
}

func varies(h http.Header, name string) bool {
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), name) {
				return true
			}
		}
	}
	return false
}

// Pages go gzipped to clients that accept gzip, the same page once decompressed, and as
// they are to the others (q=0, other codings); every page varies by Accept-Encoding;
// small answers (a redirect) are never compressed. Static text files go gzipped too, with
// an ETag of their own that revalidates; the notification stream is never compressed and
// delivers its events as they come.
func TestCompressedPagesStaticAndStream(t *testing.T) {
	s, _, _ := newDialectSite(t, database.SQLite, nil)
	b := signedIn(t, s, "susan", false)
	for i := range 5 {
		expect(t, "post", b.post("/index", map[string][]string{"post": {fmt.Sprintf("post number %d, long enough to be worth compressing", i)}}), http.StatusFound, "/index")
	}
	b.get("/index") // shows (and so clears) the flashes of the posts
	plain := rawGet(t, b, "/index", "")
	if plain.status != 200 || plain.header.Get("Content-Encoding") != "" || !varies(plain.header, "Accept-Encoding") || !varies(plain.header, "Cookie") {
		t.Fatalf("home without Accept-Encoding: %d, Content-Encoding %q, Vary %q", plain.status, plain.header.Get("Content-Encoding"), plain.header.Values("Vary"))
	}
	for _, ae := range []string{"gzip", "gzip, deflate, br, zstd", "br;q=1, gzip;q=0.5", "*", "GZIP"} {
		p := rawGet(t, b, "/index", ae)
		if p.status != 200 || p.header.Get("Content-Encoding") != "gzip" || (p.header.Get("Content-Length") != "" && p.header.Get("Content-Length") != fmt.Sprint(len(p.body))) || !varies(p.header, "Accept-Encoding") || !varies(p.header, "Cookie") {
			t.Fatalf("home, Accept-Encoding %q: %d, Content-Encoding %q, Content-Length %q, Vary %q", ae, p.status, p.header.Get("Content-Encoding"), p.header.Get("Content-Length"), p.header.Values("Vary"))
		}
		if got := gunzip(t, "home", p.body); got != plain.body {
			t.Errorf("home, Accept-Encoding %q: decompressed page differs from the plain one", ae)
		}
		if len(p.body)*2 > len(plain.body) {
			t.Errorf("home gzipped to %d bytes of %d", len(p.body), len(plain.body))
		}
		if ae == "gzip" {
			t.Logf("home page (5 posts): %d bytes, gzipped %d", len(plain.body), len(p.body))
		}
	}
	for _, ae := range []string{"gzip;q=0", "br", "identity", "deflate, gzip;q=0.000", "gzipx"} {
		if p := rawGet(t, b, "/index", ae); p.header.Get("Content-Encoding") != "" || p.body != plain.body {
			t.Errorf("home, Accept-Encoding %q: Content-Encoding %q, want the plain page", ae, p.header.Get("Content-Encoding"))
		}
	}
	anon := s.browser()
	if p := rawGet(t, anon, "/index", "gzip"); p.status != http.StatusFound || p.header.Get("Content-Encoding") != "" {
		t.Errorf("redirect: %d, Content-Encoding %q; want an uncompressed 302", p.status, p.header.Get("Content-Encoding"))
	}

	// Static files: compressed once, each encoding with its own strong ETag.
	home := gunzip(t, "home", rawGet(t, b, "/index", "gzip").body)
	for _, name := range []string{"bootstrap/bootstrap.min.css", "js/popup.js"} {
		want, _ := os.ReadFile("static/" + name)
		u := hashedStaticURL(t, home, name)
		gz := rawGet(t, anon, u, "gzip")
		if gz.status != 200 || gz.header.Get("Content-Encoding") != "gzip" || gunzip(t, u, gz.body) != string(want) || !varies(gz.header, "Accept-Encoding") {
			t.Fatalf("%s gzipped: %d, Content-Encoding %q, Vary %q", u, gz.status, gz.header.Get("Content-Encoding"), gz.header.Values("Vary"))
		}
		t.Logf("%s: %d bytes, gzipped %d", name, len(want), len(gz.body))
		raw := rawGet(t, anon, u, "")
		if raw.body != string(want) || raw.header.Get("Content-Encoding") != "" || raw.header.Get("ETag") == gz.header.Get("ETag") {
			t.Errorf("%s plain: Content-Encoding %q, ETag %q (gzipped: %q)", u, raw.header.Get("Content-Encoding"), raw.header.Get("ETag"), gz.header.Get("ETag"))
		}
		if nm := rawGet(t, anon, u, "gzip", "If-None-Match", gz.header.Get("ETag")); nm.status != http.StatusNotModified {
			t.Errorf("%s gzipped, revalidated: %d", u, nm.status)
		}
		// The plain bytes' tag does not validate the gzipped ones: a 200 with the gzip.
		if nm := rawGet(t, anon, u, "gzip", "If-None-Match", raw.header.Get("ETag")); nm.status != http.StatusOK || nm.header.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s gzipped, with the plain ETag: %d, Content-Encoding %q", u, nm.status, nm.header.Get("Content-Encoding"))
		}
	}
	if p := rawGet(t, anon, "/favicon.ico", "gzip"); p.header.Get("Content-Encoding") != "" {
		t.Errorf("favicon compressed: %q", p.header.Get("Content-Encoding"))
	}

	// The notification stream: never compressed, its first event arrives unbuffered.
	addNotification(t, s.db, "susan", "unread_message_count", 3)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", s.srv.URL+"/notifications/stream", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	c := *b.c
	c.Transport = &http.Transport{DisableCompression: true}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: Content-Encoding %q, Content-Type %q", resp.Header.Get("Content-Encoding"), resp.Header.Get("Content-Type"))
	}
	events := bufio.NewReader(resp.Body)
	line, err := events.ReadString('\n')
	for err == nil && !strings.HasPrefix(line, "data: ") {
		line, err = events.ReadString('\n')
	}
	if err != nil || !strings.Contains(line, "unread_message_count") {
		t.Fatalf("stream: first event %q, %v", line, err)
	}
}

// API answers to a client accepting gzip are compressed when big, with a weak ETag that
// the 304 of a revalidation repeats; a client without gzip gets the strong tag; either
// tag revalidates (If-None-Match compares weakly). On every dialect.
func TestCompressedAPIKeepsETags(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			s := newAPISite(t, d, api.Limits{})
			about := strings.Repeat("about me ", 15)
			for i := range 12 {
				addUsers(t, s.db, &models.User{Username: fmt.Sprintf("user%02d", i), Email: fmt.Sprintf("user%02d@example.com", i), AboutMe: &about})
			}
			addAPIUser(t, s.db, "susan")
			tok := s.tokenOf("susan")
			get := func(ae, inm string) (int, http.Header, []byte) {
				req, _ := http.NewRequest("GET", s.srv.URL+"/api/users", nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				if ae != "" {
					req.Header.Set("Accept-Encoding", ae)
				}
				if inm != "" {
					req.Header.Set("If-None-Match", inm)
				}
				resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, resp.Header, body
			}
			st, h, plain := get("", "")
			strong := h.Get("ETag")
			if st != 200 || h.Get("Content-Encoding") != "" || !strings.HasPrefix(strong, `"`) || !varies(h, "Accept-Encoding") || !varies(h, "Authorization") || len(plain) < 1500 {
				t.Fatalf("plain: %d, Content-Encoding %q, ETag %q, Vary %q, %d bytes", st, h.Get("Content-Encoding"), strong, h.Values("Vary"), len(plain))
			}
			st, h, gz := get("gzip", "")
			weak := h.Get("ETag")
			if st != 200 || h.Get("Content-Encoding") != "gzip" || weak != "W/"+strong || !varies(h, "Accept-Encoding") || !varies(h, "Authorization") {
				t.Fatalf("gzip: %d, Content-Encoding %q, ETag %q (plain %q), Vary %q", st, h.Get("Content-Encoding"), weak, strong, h.Values("Vary"))
			}
			if !bytes.Equal([]byte(gunzip(t, "users", string(gz))), plain) {
				t.Error("decompressed answer differs from the plain one")
			}
			for _, c := range []struct{ ae, inm, tag string }{{"gzip", weak, weak}, {"gzip", strong, weak}, {"", strong, strong}, {"", weak, strong}} {
				st, h, body := get(c.ae, c.inm)
				if st != http.StatusNotModified || len(body) != 0 || h.Get("ETag") != c.tag || h.Get("Content-Encoding") != "" || (c.ae != "" && !varies(h, "Accept-Encoding")) {
					t.Errorf("Accept-Encoding %q, If-None-Match %s: %d, %d bytes, ETag %q (want %q), Content-Encoding %q, Vary %q",
						c.ae, c.inm, st, len(body), h.Get("ETag"), c.tag, h.Get("Content-Encoding"), h.Values("Vary"))
				}
			}
			if st, _, _ := get("gzip", `W/"stale"`); st != 200 {
				t.Errorf("stale tag: %d", st)
			}
		})
	}
}
