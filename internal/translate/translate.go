// Package translate translates posts for the "Translate" link (chapter 14) through one
// small interface, Translator, with two real back ends: Microsoft Translator v3 (the
// tutorial's) and LibreTranslate (self-hostable). New picks one from the configuration;
// NewCache keeps recent translations in memory so that the same post translated twice
// costs one call.
package translate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/microblog/microblog/internal/config"
)

// Translator translates text from one language to another; from and to are language
// codes (see Normalize).
type Translator interface {
	Translate(ctx context.Context, text, from, to string) (string, error)
}

// The two ways a translation fails, for errors.Is: the web layer turns them into the
// original's sentences, "Error: the translation service is not configured." and
// "Error: the translation service failed.".
var (
	ErrNotConfigured = errors.New("translate: the translation service is not configured")
	ErrFailed        = errors.New("translate: the translation service failed")
	// ErrUnsupportedLanguage is a language code Normalize refuses; callers check codes
	// with Normalize first.
	ErrUnsupportedLanguage = errors.New("unsupported language")
)

// Limits of every client.
const (
	// Timeout bounds one call to a service, connection included.
	Timeout = 10 * time.Second
	// maxResponseBytes bounds what is read of a service's answer: a translation of the
	// few KB /translate accepts is far smaller.
	maxResponseBytes = 256 << 10
)

// New returns the Translator the configuration asks for: Microsoft Translator when
// MS_TRANSLATOR_KEY is set, else LibreTranslate when LIBRETRANSLATE_URL is set, else one
// that always fails with ErrNotConfigured.
func New(cfg *config.Config) Translator {
	switch {
	case cfg.MSTranslatorKey != "":
		return &Microsoft{Endpoint: cfg.MSTranslatorEndpoint, Key: cfg.MSTranslatorKey, Region: cfg.MSTranslatorRegion, Client: newHTTPClient()}
	case cfg.LibreTranslateURL != "":
		return &LibreTranslate{URL: cfg.LibreTranslateURL, Key: cfg.LibreTranslateKey, Client: newHTTPClient()}
	default:
		return NotConfigured{}
	}
}

// NotConfigured is the Translator of a site without a translation service.
type NotConfigured struct{}

// Translate always fails with ErrNotConfigured.
func (NotConfigured) Translate(context.Context, string, string, string) (string, error) {
	return "", ErrNotConfigured
}

// newHTTPClient is a client whose calls end after Timeout.
func newHTTPClient() *http.Client { return &http.Client{Timeout: Timeout} }

// failed wraps a service's failure so that errors.Is(err, ErrFailed) holds.
func failed(service string, err error) error {
	return fmt.Errorf("translate: %s: %w: %w", service, ErrFailed, err)
}

// readBody reads at most maxResponseBytes of resp's body, failing when there is more.
func readBody(resp *http.Response) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read answer: %w", err)
	}
	if len(b) > maxResponseBytes {
		return nil, fmt.Errorf("answer longer than %d bytes", maxResponseBytes)
	}
	return b, nil
}

// snippet is the start of a service's answer, for logs.
func snippet(b []byte) string {
	const n = 200
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
