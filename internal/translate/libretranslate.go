package translate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// LibreTranslate is a client of a LibreTranslate server (self-hostable):
// POST {URL}/translate with {"q", "source", "target", "format": "text", "api_key"} as
// JSON; the answer is {"translatedText": ...}, or {"error": ...} with a non-200 status.
type LibreTranslate struct {
	URL    string // LIBRETRANSLATE_URL, the server's base address, e.g. http://localhost:5000
	Key    string // LIBRETRANSLATE_KEY; empty for servers that need none
	Client *http.Client
}

// Translate translates text from one language to another.
func (l *LibreTranslate) Translate(ctx context.Context, text, from, to string) (string, error) {
	if l.URL == "" {
		return "", ErrNotConfigured
	}
	src, ok1 := Normalize(from)
	dst, ok2 := Normalize(to)
	if !ok1 || !ok2 {
		return "", fmt.Errorf("translate: libretranslate: %w: %q -> %q", ErrUnsupportedLanguage, from, to)
	}
	body, err := json.Marshal(struct {
		Q      string `json:"q"`
		Source string `json:"source"`
		Target string `json:"target"`
		Format string `json:"format"`
		APIKey string `json:"api_key,omitempty"`
	}{text, src, dst, "text", l.Key})
	if err != nil {
		return "", fmt.Errorf("translate: libretranslate: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(l.URL, "/")+"/translate", bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("translate: libretranslate: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := l.Client.Do(req)
	if err != nil {
		return "", failed("libretranslate", err)
	}
	defer resp.Body.Close()
	b, err := readBody(resp)
	if err != nil {
		return "", failed("libretranslate", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", failed("libretranslate", fmt.Errorf("status %d: %s", resp.StatusCode, snippet(b)))
	}
	var out struct {
		TranslatedText *string `json:"translatedText"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return "", failed("libretranslate", fmt.Errorf("decode answer: %w", err))
	}
	if out.TranslatedText == nil {
		return "", failed("libretranslate", fmt.Errorf("no translatedText in answer: %s", snippet(b)))
	}
	return *out.TranslatedText, nil
}
