package translate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// DefaultMicrosoftEndpoint is Microsoft Translator's global endpoint.
const DefaultMicrosoftEndpoint = "https://api.cognitive.microsofttranslator.com"

// Microsoft is a Microsoft Translator v3 client (the tutorial's service):
// POST {Endpoint}/translate?api-version=3.0&from=..&to=.. with the key and region in
// headers and [{"Text": text}] as body.
type Microsoft struct {
	Endpoint string // e.g. DefaultMicrosoftEndpoint; tests point it at a loopback server
	Key      string // MS_TRANSLATOR_KEY
	Region   string // MS_TRANSLATOR_REGION, the resource's Azure region
	Client   *http.Client
}

// Translate translates text from one language to another.
func (m *Microsoft) Translate(ctx context.Context, text, from, to string) (string, error) {
	if m.Key == "" {
		return "", ErrNotConfigured
	}
	src, ok1 := Normalize(from)
	dst, ok2 := Normalize(to)
	if !ok1 || !ok2 {
		return "", fmt.Errorf("translate: microsoft: %w: %q -> %q", ErrUnsupportedLanguage, from, to)
	}
	body, err := json.Marshal([]struct {
		Text string `json:"Text"`
	}{{text}})
	if err != nil {
		return "", fmt.Errorf("translate: microsoft: %w", err)
	}
	q := url.Values{"api-version": {"3.0"}, "from": {src}, "to": {dst}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(m.Endpoint, "/")+"/translate?"+q.Encode(), bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("translate: microsoft: %w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	req.Header.Set("Ocp-Apim-Subscription-Key", m.Key)
	req.Header.Set("Ocp-Apim-Subscription-Region", m.Region)
	resp, err := m.Client.Do(req)
	if err != nil {
		return "", failed("microsoft", err)
	}
	defer resp.Body.Close()
	b, err := readBody(resp)
	if err != nil {
		return "", failed("microsoft", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", failed("microsoft", fmt.Errorf("status %d: %s", resp.StatusCode, snippet(b)))
	}
	var out []struct {
		Translations []struct {
			Text string `json:"text"`
		} `json:"translations"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return "", failed("microsoft", fmt.Errorf("decode answer: %w", err))
	}
	if len(out) == 0 || len(out[0].Translations) == 0 {
		return "", failed("microsoft", fmt.Errorf("no translation in answer: %s", snippet(b)))
	}
	return out[0].Translations[0].Text, nil
}
