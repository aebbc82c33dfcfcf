// Package metrics exposes microblog's Prometheus metrics: HTTP requests per route
// pattern and status, the database connection pool, the job queue's depth and the
// outcomes of its jobs, and e-mails sent and failed. One Metrics value holds one
// registry (no package globals); `microblog run` and `microblog worker` serve it on
// METRICS_ADDR or, behind METRICS_TOKEN, at /metrics. docs/metrics.md lists every
// metric.
package metrics

import (
	"database/sql"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Namespace prefixes the application's own metrics.
const Namespace = "microblog"

// Metrics is one registry and the application's instruments in it.
type Metrics struct {
	reg *prometheus.Registry

	requests *prometheus.CounterVec   // route, status
	duration *prometheus.HistogramVec // route
	inFlight prometheus.Gauge

	jobs        *prometheus.CounterVec   // kind, outcome
	jobDuration *prometheus.HistogramVec // kind

	mailSent   prometheus.Counter
	mailFailed prometheus.Counter
}

// New returns the instruments, registered together with the Go runtime and process
// collectors.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: "http_requests_total",
		Help: "HTTP requests answered, by route pattern (the ServeMux pattern, never the raw path) and status code."},
		[]string{"route", "status"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Name: "http_request_duration_seconds",
		Help: "Time from a request's arrival to the end of its response, by route pattern.", Buckets: prometheus.DefBuckets},
		[]string{"route"})
	m.inFlight = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: Namespace, Name: "http_requests_in_flight",
		Help: "HTTP requests being answered now (open notification streams included)."})
	m.jobs = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: "jobs_total",
		Help: "Attempts at background jobs run by this process, by kind and outcome: succeeded, failed (to be retried while attempts remain) or discarded (a permanent failure)."},
		[]string{"kind", "outcome"})
	m.jobDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Name: "job_duration_seconds",
		Help: "Time one attempt at a background job took, by kind.", Buckets: []float64{.01, .05, .1, .5, 1, 5, 15, 60, 300, 1800}},
		[]string{"kind"})
	m.mailSent = prometheus.NewCounter(prometheus.CounterOpts{Namespace: Namespace, Name: "emails_sent_total",
		Help: "E-mails the SMTP server accepted."})
	m.mailFailed = prometheus.NewCounter(prometheus.CounterOpts{Namespace: Namespace, Name: "emails_failed_total",
		Help: "Attempts to send an e-mail that failed (a queued e-mail is tried again later)."})
	m.reg.MustRegister(m.requests, m.duration, m.inFlight, m.jobs, m.jobDuration, m.mailSent, m.mailFailed,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// WatchDB adds db's connection pool statistics (sql.DBStats) as the go_sql_* metrics
// with db_name="microblog", read at each scrape.
func (m *Metrics) WatchDB(db *sql.DB) {
	m.reg.MustRegister(collectors.NewDBStatsCollector(db, Namespace))
}

// Handler serves the metrics in Prometheus's text format. With a token, a request must
// carry "Authorization: Bearer <token>" or is refused with 401.
func (m *Metrics) Handler(token string) http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Timeout: 10 * time.Second, ErrorHandling: promhttp.ContinueOnError})
	if token == "" {
		return h
	}
	return requireToken(token, h)
}

// ObserveMail counts one attempt at sending an e-mail; err is its outcome.
func (m *Metrics) ObserveMail(err error) {
	if err != nil {
		m.mailFailed.Inc()
		return
	}
	m.mailSent.Inc()
}
