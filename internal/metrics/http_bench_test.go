package metrics_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/microblog/microblog/internal/metrics"
)

// The cost the instrument adds to a request: the same mux served bare and through
// Instrument + Routed (go test ./internal/metrics -bench Instrument -benchmem).
func BenchmarkInstrument(b *testing.B) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /user/{username}", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	req := httptest.NewRequest("GET", "/user/susan", nil)
	for _, c := range []struct {
		name string
		h    http.Handler
	}{
		{"bare", mux},
		{"instrumented", metrics.New().Instrument(metrics.Routed(mux))},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.h.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
}
