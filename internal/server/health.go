package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Check is one readiness check of GET /readyz: Run returns nil when the part it checks
// is ready. Its error text is shown in the answer, so it must not carry secrets.
type Check struct {
	Name string
	Run  func(ctx context.Context) error
}

// checkTimeout bounds each readiness check: a probe must answer even when a server
// behind it hangs.
const checkTimeout = 2 * time.Second

// CheckResult is one check in the answer of /readyz.
type CheckResult struct {
	Status string `json:"status"` // "ok" or "fail"
	Error  string `json:"error,omitempty"`
}

// Health is the JSON body of /healthz and /readyz.
type Health struct {
	Status string                 `json:"status"` // "ok" or "fail"
	Checks map[string]CheckResult `json:"checks,omitempty"`
}

// live answers GET /healthz: the process is up and serving. It checks nothing else, so
// that a supervisor restarting unhealthy processes does not restart every one of them
// when the database goes away (that is what /readyz says).
func (s *Server) live(w http.ResponseWriter, r *http.Request) {
	writeHealth(w, http.StatusOK, Health{Status: "ok"})
}

// ready answers GET /readyz: 200 when every check passes, 503 otherwise, with each
// check's status. Checks run at once, each bounded by checkTimeout.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	checks := s.app.Load().ready
	results := make([]CheckResult, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(r.Context(), checkTimeout)
			defer cancel()
			results[i] = CheckResult{Status: "ok"}
			if err := c.Run(ctx); err != nil {
				results[i] = CheckResult{Status: "fail", Error: err.Error()}
			}
		})
	}
	wg.Wait()
	h := Health{Status: "ok", Checks: make(map[string]CheckResult, len(checks))}
	code := http.StatusOK
	for i, c := range checks {
		h.Checks[c.Name] = results[i]
		s.health.note(c.Name, results[i])
		if results[i].Status != "ok" {
			h.Status, code = "fail", http.StatusServiceUnavailable
		}
	}
	writeHealth(w, code, h)
}

func writeHealth(w http.ResponseWriter, code int, h Health) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(h)
}

// healthState remembers each check's last result so that a change is logged once, not
// at every probe.
type healthState struct {
	log  *slog.Logger
	mu   sync.Mutex
	last map[string]CheckResult
}

func newHealthState(log *slog.Logger) *healthState {
	return &healthState{log: log, last: map[string]CheckResult{}}
}

func (h *healthState) note(name string, r CheckResult) {
	h.mu.Lock()
	prev, seen := h.last[name]
	h.last[name] = r
	h.mu.Unlock()
	switch {
	case r.Status != "ok" && prev != r:
		h.log.Warn("readiness check failing", "check", name, "err", r.Error)
	case r.Status == "ok" && seen && prev.Status != "ok":
		h.log.Info("readiness check passing again", "check", name)
	}
}
