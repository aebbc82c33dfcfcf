package translate_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/translate"
)

// counting is a Translator of our own that upper-cases text and counts its calls; it
// stands for a service in the cache's tests, which are about the cache.
type counting struct {
	calls int
	fail  bool
}

func (c *counting) Translate(_ context.Context, text, from, to string) (string, error) {
	c.calls++
	if c.fail {
		return "", fmt.Errorf("counting: %w", translate.ErrFailed)
	}
	return from + ">" + to + ":" + strings.ToUpper(text), nil
}

func TestCacheKeepsRecentTranslations(t *testing.T) {
	ctx := context.Background()
	next := &counting{}
	c := translate.NewCache(next, 2, 1<<20)
	for range 3 {
		if got, err := c.Translate(ctx, "hola", "es", "en"); err != nil || got != "es>en:HOLA" {
			t.Fatalf("Translate = %q, %v", got, err)
		}
	}
	if next.calls != 1 {
		t.Errorf("%d calls for one text, want 1", next.calls)
	}
	c.Translate(ctx, "hola", "es", "pt_BR") // another pair: another entry
	c.Translate(ctx, "hola", "es", "pt")    // the same once normalized
	if next.calls != 2 {
		t.Errorf("%d calls, want 2", next.calls)
	}
	c.Translate(ctx, "hola", "es", "en")  // cached; now es>pt is the least recently used
	c.Translate(ctx, "adiós", "es", "en") // evicts es>pt
	c.Translate(ctx, "hola", "es", "en")  // still cached
	if next.calls != 3 {
		t.Errorf("%d calls, want 3", next.calls)
	}
	c.Translate(ctx, "hola", "es", "pt")
	if next.calls != 4 {
		t.Errorf("%d calls after eviction, want 4", next.calls)
	}
	if n, _ := c.Len(); n != 2 {
		t.Errorf("%d entries, want at most 2", n)
	}
}

func TestCacheBoundByBytesAndSkipsFailures(t *testing.T) {
	ctx := context.Background()
	next := &counting{}
	c := translate.NewCache(next, 100, 40)
	for i := range 10 {
		c.Translate(ctx, fmt.Sprintf("text number %d", i), "en", "es")
	}
	if n, b := c.Len(); b > 40 || n == 0 {
		t.Errorf("cache holds %d entries, %d bytes; want at most 40 bytes", n, b)
	}
	c.Translate(ctx, strings.Repeat("x", 100), "en", "es") // bigger than the whole cache: not kept
	if _, b := c.Len(); b > 40 {
		t.Errorf("%d bytes after an oversized translation", b)
	}
	next.fail = true
	calls := next.calls
	for range 2 {
		if _, err := c.Translate(ctx, "boom", "en", "es"); !errors.Is(err, translate.ErrFailed) {
			t.Errorf("err = %v, want ErrFailed", err)
		}
	}
	if next.calls != calls+2 {
		t.Error("a failure was cached")
	}
}

func TestNewPicksTheConfiguredService(t *testing.T) {
	cfg, err := config.Load(func(string) (string, bool) { return "", false }, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := translate.New(cfg).Translate(context.Background(), "hello", "en", "es"); !errors.Is(err, translate.ErrNotConfigured) {
		t.Errorf("no service: %v, want ErrNotConfigured", err)
	}
	cfg.LibreTranslateURL = "http://127.0.0.1:1"
	if l, ok := translate.New(cfg).(*translate.LibreTranslate); !ok || l.URL != cfg.LibreTranslateURL {
		t.Errorf("LIBRETRANSLATE_URL: got %T", translate.New(cfg))
	}
	cfg.MSTranslatorKey = "k"
	if m, ok := translate.New(cfg).(*translate.Microsoft); !ok || m.Region != "westus" || m.Key != "k" {
		t.Errorf("MS_TRANSLATOR_KEY: got %#v", translate.New(cfg))
	}
}
