package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

type routeKey struct{}

// route is where the innermost ServeMux that served a request leaves its pattern.
type route struct{ pattern string }

// unmatched labels requests that no ServeMux pattern matched (none wrapped by Routed
// saw them).
const unmatched = "unmatched"

// Instrument counts and times every request next serves, by the route pattern that a
// Routed ServeMux inside it matched and the status written.
func (m *Metrics) Instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rt := &route{}
		r = r.WithContext(context.WithValue(r.Context(), routeKey{}, rt))
		sw := &statusWriter{ResponseWriter: w}
		m.inFlight.Inc()
		defer func() {
			m.inFlight.Dec()
			pattern := rt.pattern
			if pattern == "" {
				pattern = unmatched
			}
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			m.requests.WithLabelValues(pattern, strconv.Itoa(status)).Inc()
			m.duration.WithLabelValues(pattern).Observe(time.Since(start).Seconds())
		}()
		next.ServeHTTP(sw, r)
	})
}

// Routed records, for Instrument, the pattern mux matched. A ServeMux sets
// Request.Pattern on the request it is given, which middleware further out never sees
// (each wraps its own copy); so the pattern is passed out through the context. The
// innermost Routed mux wins: it returns first. Without Instrument around it, Routed
// only serves.
func Routed(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Deferred: a handler that panics (recovered further out, as a 500) still
		// has its route.
		defer func() {
			if rt, ok := r.Context().Value(routeKey{}).(*route); ok && rt.pattern == "" {
				rt.pattern = r.Pattern
			}
		}()
		mux.ServeHTTP(w, r)
	})
}

// statusWriter remembers the first status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 && code >= 200 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach Flush and deadlines (notification streams).
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Route records, for Instrument, the route pattern of a request answered before any
// Routed mux saw it (a page served from a cache in front of the mux).
func Route(r *http.Request, pattern string) {
	if rt, ok := r.Context().Value(routeKey{}).(*route); ok && rt.pattern == "" {
		rt.pattern = pattern
	}
}
