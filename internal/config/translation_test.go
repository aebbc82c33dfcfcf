package config_test

import (
	"strings"
	"testing"

	"github.com/microblog/microblog/internal/config"
)

func TestTranslationSettings(t *testing.T) {
	c, err := config.Load(env(nil), "")
	if err != nil {
		t.Fatal(err)
	}
	if c.MSTranslatorKey != "" || c.MSTranslatorRegion != "westus" || c.MSTranslatorEndpoint != "https://api.cognitive.microsofttranslator.com" ||
		c.LibreTranslateURL != "" || c.LibreTranslateKey != "" {
		t.Errorf("translation defaults = %q %q %q %q %q", c.MSTranslatorKey, c.MSTranslatorRegion, c.MSTranslatorEndpoint, c.LibreTranslateURL, c.LibreTranslateKey)
	}
	c, err = config.Load(env(map[string]string{"MS_TRANSLATOR_KEY": "k", "MS_TRANSLATOR_REGION": "westeurope",
		"MS_TRANSLATOR_ENDPOINT": "https://api-eur.cognitive.microsofttranslator.com/", "LIBRETRANSLATE_URL": "http://localhost:5000/", "LIBRETRANSLATE_KEY": "lk"}), "")
	if err != nil {
		t.Fatal(err)
	}
	if c.MSTranslatorRegion != "westeurope" || c.MSTranslatorEndpoint != "https://api-eur.cognitive.microsofttranslator.com" ||
		c.LibreTranslateURL != "http://localhost:5000" || c.LibreTranslateKey != "lk" {
		t.Errorf("translation settings = %+v", c)
	}
	for name, v := range map[string]string{
		"MS_TRANSLATOR_REGION":   "west us&x=1",
		"MS_TRANSLATOR_ENDPOINT": "ftp://example.com",
		"LIBRETRANSLATE_URL":     "localhost:5000",
	} {
		if _, err := config.Load(env(map[string]string{name: v}), ""); err == nil || !strings.Contains(err.Error(), name+"=") {
			t.Errorf("%s=%q: error %v, want one naming the variable", name, v, err)
		}
	}
	if _, err := config.Load(env(map[string]string{"LIBRETRANSLATE_URL": "http://localhost:5000/?api_key=x"}), ""); err == nil {
		t.Error("LIBRETRANSLATE_URL with a query: accepted")
	}
}
