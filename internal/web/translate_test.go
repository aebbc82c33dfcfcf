package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
	"github.com/microblog/microblog/internal/translate"
	"github.com/microblog/microblog/internal/web"
)

// libreTranslate is a loopback server speaking LibreTranslate's protocol: it "translates"
// by tagging the text with the language pair, and counts its calls.
type libreTranslate struct {
	srv   *httptest.Server
	calls atomic.Int32
}

func newLibreTranslate(t *testing.T) *libreTranslate {
	t.Helper()
	lt := &libreTranslate{}
	lt.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lt.calls.Add(1)
		var req struct{ Q, Source, Target, Format string }
		if r.Method != http.MethodPost || r.URL.Path != "/translate" || json.NewDecoder(r.Body).Decode(&req) != nil || req.Format != "text" {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":"bad request"}`)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"translatedText": "[" + req.Source + ">" + req.Target + "] " + req.Q})
	}))
	t.Cleanup(lt.srv.Close)
	return lt
}

// postJSON posts body to path with the given content type.
func (b *browser) postJSON(path, contentType, body string) page {
	req, _ := http.NewRequest("POST", b.s.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	return b.do(req)
}

func translateBody(text, from, to string) string {
	b, _ := json.Marshal(map[string]string{"text": text, "source_language": from, "dest_language": to})
	return string(b)
}

// jsonField is field of the JSON object p holds.
func jsonField(t *testing.T, what string, p page, field string) string {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal([]byte(p.body), &m); err != nil {
		t.Fatalf("%s: %d %q is not a JSON object: %v", what, p.status, p.body, err)
	}
	if ct := p.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: Content-Type %q", what, ct)
	}
	return m[field]
}

func TestTranslateRoute(t *testing.T) {
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			lt := newLibreTranslate(t)
			s, app, logs := newDialectSite(t, dialect, func(c *config.Config) { c.LibreTranslateURL = lt.srv.URL })
			body := translateBody("Bom dia a todos", "pt", "en")

			anon := s.browser()
			p := anon.postJSON("/translate", "application/json", body)
			if p.status != http.StatusUnauthorized || jsonField(t, "anonymous", p, "error") == "" {
				t.Errorf("anonymous: %d %s, want 401 JSON", p.status, p.body)
			}

			b := signedIn(t, s, "ana", false)
			for range 2 {
				p = b.postJSON("/translate", "application/json", body)
				if p.status != http.StatusOK || jsonField(t, "translate", p, "text") != "[pt>en] Bom dia a todos" {
					t.Fatalf("translate: %d %s", p.status, p.body)
				}
			}
			if n := lt.calls.Load(); n != 1 {
				t.Errorf("the service was called %d times for one text, want 1 (cache)", n)
			}
			p = b.postJSON("/translate", "application/json", translateBody("Bom dia a todos", "pt", "pt_BR"))
			if p.status != http.StatusOK || jsonField(t, "pt_BR", p, "text") != "Bom dia a todos" || lt.calls.Load() != 1 {
				t.Errorf("pt to pt_BR: %d %s after %d calls; want the text unchanged, without a call", p.status, p.body, lt.calls.Load())
			}
			p = b.postJSON("/translate", "application/json", translateBody("Bom dia a todos", "pt", "es"))
			if p.status != http.StatusOK || jsonField(t, "to es", p, "text") != "[pt>es] Bom dia a todos" {
				t.Errorf("to es: %d %s", p.status, p.body)
			}

			cross, _ := http.NewRequest("POST", s.srv.URL+"/translate", strings.NewReader(body))
			cross.Header.Set("Content-Type", "application/json")
			cross.Header.Set("Sec-Fetch-Site", "cross-site")
			if p := b.do(cross); p.status != http.StatusForbidden {
				t.Errorf("cross-origin: %d, want 403", p.status)
			}

			for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", ""} {
				if p := b.postJSON("/translate", ct, body); p.status != http.StatusUnsupportedMediaType {
					t.Errorf("Content-Type %q: %d %s, want 415", ct, p.status, p.body)
				}
			}
			bad := map[string]string{
				"not JSON":          `{"text": "hola"`,
				"two values":        body + body,
				"an array":          `["hola", "es", "en"]`,
				"missing text":      `{"source_language": "es", "dest_language": "en"}`,
				"missing language":  `{"text": "hola", "source_language": "es"}`,
				"blank text":        translateBody("   ", "es", "en"),
				"a number":          `{"text": 1, "source_language": "es", "dest_language": "en"}`,
				"injected language": translateBody("hola", "es&to=fr", "en"),
				"unknown language":  translateBody("hola", "xx", "en"),
				"NUL":               translateBody("ho\x00la", "es", "en"),
				"escaped NUL":       `{"text": "ho\u0000la", "source_language": "es", "dest_language": "en"}`,
				"lone surrogate":    `{"text": "ho\ud800la", "source_language": "es", "dest_language": "en"}`,
				"invalid UTF-8":     `{"text": "ho` + "\xff\xfe" + `la", "source_language": "es", "dest_language": "en"}`,
				"too long text":     translateBody(strings.Repeat("palabra ", 1000), "es", "en"),
				"1 MB":              translateBody(strings.Repeat("a", 1<<20), "es", "en"),
			}
			for name, body := range bad {
				p := b.postJSON("/translate", "application/json", body)
				if p.status != http.StatusBadRequest || jsonField(t, name, p, "error") == "" {
					t.Errorf("%s: %d %.200s, want 400 JSON", name, p.status, p.body)
				}
			}
			if n := lt.calls.Load(); n != 2 {
				t.Errorf("the service was called %d times, want 2: refused requests must not reach it", n)
			}

			// The original's sentences, with proper status codes.
			web.SetTranslator(app, translate.NotConfigured{})
			p = b.postJSON("/translate", "application/json", body)
			if p.status != http.StatusServiceUnavailable || jsonField(t, "not configured", p, "text") != "Error: the translation service is not configured." {
				t.Errorf("not configured: %d %s", p.status, p.body)
			}
			broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusInternalServerError)
			}))
			defer broken.Close()
			web.SetTranslator(app, &translate.LibreTranslate{URL: broken.URL, Client: &http.Client{Timeout: time.Second}})
			p = b.postJSON("/translate", "application/json", body)
			if p.status != http.StatusBadGateway || jsonField(t, "failed", p, "text") != "Error: the translation service failed." {
				t.Errorf("failed: %d %s", p.status, p.body)
			}

			// Rate limited per user: another user still gets through.
			web.SetTranslateLimit(app, 5) // this user has made 23 requests
			p = b.postJSON("/translate", "application/json", body)
			if p.status != http.StatusTooManyRequests || p.header.Get("Retry-After") == "" || jsonField(t, "limited", p, "error") == "" {
				t.Errorf("over the limit: %d %s %v", p.status, p.body, p.header)
			}
			web.SetTranslator(app, translate.NewCache(translate.New(&config.Config{LibreTranslateURL: lt.srv.URL}), 10, 1<<20))
			other := signedIn(t, s, "bruno", false)
			if p := other.postJSON("/translate", "application/json", body); p.status != http.StatusOK {
				t.Errorf("another user: %d %s", p.status, p.body)
			}
			if l := logs.lines("level=ERROR"); len(l) > 0 {
				t.Errorf("errors logged: %q", l)
			}
		})
	}
}

// A new post's language is detected and stored; posts in another language than the
// reader's (English for now) show a Translate link, others do not.
func TestPostLanguageAndTranslateLink(t *testing.T) {
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			s, _, _ := newDialectSite(t, dialect, nil)
			b := signedIn(t, s, "ana", false)
			texts := map[string]string{
				"Bom dia a todos, como estão vocês hoje?":   "pt",
				"Good morning everyone, how are you today?": "en",
				"Buenos días a todos, ¿cómo están hoy?":     "es",
				"ok": "",
			}
			for text := range texts {
				expect(t, "post", b.post("/index", url.Values{"post": {text}}), http.StatusFound, "/index")
			}
			var posts []models.Post
			if err := s.db.Bun.NewSelect().Model(&posts).Scan(context.Background()); err != nil {
				t.Fatal(err)
			}
			ids := map[string]int64{}
			for _, p := range posts {
				if p.Language == nil || *p.Language != texts[p.Body] {
					t.Errorf("post %q: language %v, want %q", p.Body, p.Language, texts[p.Body])
				}
				ids[p.Body] = p.ID
			}
			home := b.get("/index")
			for text, lang := range texts {
				id := ids[text]
				link := `<span id="translation` + itoa(id) + `">`
				if !strings.Contains(home.body, `<span id="post`+itoa(id)+`">`) {
					t.Errorf("post %q has no post span", text)
				}
				if shown := strings.Contains(home.body, link); shown != (lang != "" && lang != "en") {
					t.Errorf("post %q (%q): Translate link shown = %v", text, lang, shown)
				}
			}
			if !strings.Contains(home.body, `data-source="pt" data-dest="en"`) || !strings.Contains(home.body, `src="/static/js/translate.`) {
				t.Errorf("home lacks the link's data or the script:\n%s", home.body)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
