package translate_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/translate"
)

// service is a loopback server standing in for a translation service: answer writes the
// response to each request, after the test has looked at it.
func service(t *testing.T, answer func(t *testing.T, w http.ResponseWriter, r *http.Request, body []byte)) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	calls := &atomic.Int32{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("read request: %v", err)
		}
		answer(t, w, r, body)
	}))
	t.Cleanup(srv.Close)
	return srv, calls
}

func microsoftAt(url string) *translate.Microsoft {
	return &translate.Microsoft{Endpoint: url, Key: "secret-key", Region: "westeurope", Client: &http.Client{Timeout: 2 * time.Second}}
}

func libreAt(url, key string) *translate.LibreTranslate {
	return &translate.LibreTranslate{URL: url, Key: key, Client: &http.Client{Timeout: 2 * time.Second}}
}

func TestMicrosoftSpeaksTranslatorV3(t *testing.T) {
	srv, calls := service(t, func(t *testing.T, w http.ResponseWriter, r *http.Request, body []byte) {
		if r.Method != http.MethodPost || r.URL.Path != "/translate" {
			t.Errorf("request %s %s, want POST /translate", r.Method, r.URL.Path)
		}
		q := r.URL.Query()
		if len(q) != 3 || q.Get("api-version") != "3.0" || q.Get("from") != "pt" || q.Get("to") != "en" {
			t.Errorf("query %q, want api-version=3.0&from=pt&to=en", r.URL.RawQuery)
		}
		if h := r.Header; h.Get("Ocp-Apim-Subscription-Key") != "secret-key" || h.Get("Ocp-Apim-Subscription-Region") != "westeurope" ||
			!strings.HasPrefix(h.Get("Content-Type"), "application/json") {
			t.Errorf("headers %v", h)
		}
		var got []map[string]string
		if err := json.Unmarshal(body, &got); err != nil || len(got) != 1 || len(got[0]) != 1 || got[0]["Text"] != "Bom dia, <b>mundo</b> & \"amigos\"" {
			t.Errorf("body %s (%v), want [{\"Text\": the text}]", body, err)
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `[{"translations":[{"text":"Good morning, <b>world</b> & \"friends\"","to":"en"}]}]`)
	})
	got, err := microsoftAt(srv.URL).Translate(context.Background(), "Bom dia, <b>mundo</b> & \"amigos\"", "pt", "en_US")
	if err != nil || got != "Good morning, <b>world</b> & \"friends\"" {
		t.Fatalf("Translate = %q, %v", got, err)
	}
	if calls.Load() != 1 {
		t.Errorf("%d calls, want 1", calls.Load())
	}
}

func TestLibreTranslateSpeaksItsAPI(t *testing.T) {
	for _, key := range []string{"", "lt-key"} {
		srv, _ := service(t, func(t *testing.T, w http.ResponseWriter, r *http.Request, body []byte) {
			if r.Method != http.MethodPost || r.URL.Path != "/translate" || r.URL.RawQuery != "" {
				t.Errorf("request %s %s, want POST /translate", r.Method, r.URL)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			var got map[string]any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("body %s: %v", body, err)
			}
			want := map[string]any{"q": "Hola a todos", "source": "es", "target": "pt", "format": "text"}
			if key != "" {
				want["api_key"] = key
			}
			if len(got) != len(want) {
				t.Errorf("body %s, want exactly %v", body, want)
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("body[%q] = %v, want %v", k, got[k], v)
				}
			}
			io.WriteString(w, `{"translatedText":"Olá a todos"}`)
		})
		got, err := libreAt(srv.URL+"/", key).Translate(context.Background(), "Hola a todos", "es", "pt_BR")
		if err != nil || got != "Olá a todos" {
			t.Fatalf("key %q: Translate = %q, %v", key, got, err)
		}
	}
}

// Every way a service can fail is ErrFailed, and no answer is taken for a translation.
func TestServiceFailures(t *testing.T) {
	cases := map[string]func(w http.ResponseWriter, r *http.Request){
		"status 401": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":{"code":401000,"message":"invalid key"}}`)
		},
		"status 500":     func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) },
		"malformed JSON": func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `[{"translations":[{"text":`) },
		"empty answer":   func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `[]`) },
		"oversized": func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"translatedText":"`+strings.Repeat("a", 1<<20)+`"}`)
		},
		"timeout": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		},
	}
	for name, answer := range cases {
		srv, _ := service(t, func(t *testing.T, w http.ResponseWriter, r *http.Request, _ []byte) { answer(w, r) })
		for _, c := range []translate.Translator{microsoftAt(srv.URL), libreAt(srv.URL, "")} {
			if name == "timeout" {
				switch c := c.(type) {
				case *translate.Microsoft:
					c.Client.Timeout = 200 * time.Millisecond
				case *translate.LibreTranslate:
					c.Client.Timeout = 200 * time.Millisecond
				}
			}
			start := time.Now()
			got, err := c.Translate(context.Background(), "hello there", "en", "es")
			if !errors.Is(err, translate.ErrFailed) || got != "" {
				t.Errorf("%s, %T: Translate = %q, %v; want ErrFailed", name, c, got, err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("%s, %T: took %v", name, c, d)
			}
		}
	}
	// Nothing listening at all.
	srv, _ := service(t, nil)
	srv.Close()
	if _, err := libreAt(srv.URL, "").Translate(context.Background(), "hello", "en", "es"); !errors.Is(err, translate.ErrFailed) {
		t.Errorf("no server: %v, want ErrFailed", err)
	}
}

// Language codes outside the list never reach the service: no parameter injection.
func TestLanguagesAreChecked(t *testing.T) {
	srv, calls := service(t, func(t *testing.T, w http.ResponseWriter, r *http.Request, _ []byte) {
		io.WriteString(w, `[{"translations":[{"text":"x"}]}]`)
	})
	for _, pair := range [][2]string{{"en&to=fr", "es"}, {"en", "es&api-version=2"}, {"", "en"}, {"xx", "en"}, {"en", "e\x00"}, {"english", "es"}} {
		for _, c := range []translate.Translator{microsoftAt(srv.URL), libreAt(srv.URL, "")} {
			if _, err := c.Translate(context.Background(), "hello", pair[0], pair[1]); !errors.Is(err, translate.ErrUnsupportedLanguage) {
				t.Errorf("%T %q: %v, want ErrUnsupportedLanguage", c, pair, err)
			}
		}
	}
	if calls.Load() != 0 {
		t.Errorf("%d calls reached the service", calls.Load())
	}
	for in, want := range map[string]string{"pt_BR": "pt", "en-US": "en", "ES": "es", "zh_Hans": "zh"} {
		if got, ok := translate.Normalize(in); !ok || got != want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}
