package metrics

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/microblog/microblog/internal/jobs"
)

// Job outcomes, the values of jobs_total's outcome label.
const (
	JobSucceeded = "succeeded"
	JobFailed    = "failed"
	JobDiscarded = "discarded"
)

// WrapJobs counts and times every attempt at a job that the handlers run.
func (m *Metrics) WrapJobs(hs jobs.Handlers) jobs.Handlers {
	out := make(jobs.Handlers, len(hs))
	for kind, h := range hs {
		// The label values exist from the start, so a rate over them is defined before
		// the first failure.
		for _, o := range []string{JobSucceeded, JobFailed, JobDiscarded} {
			m.jobs.WithLabelValues(kind, o)
		}
		out[kind] = func(ctx context.Context, run *jobs.Run) error {
			start := time.Now()
			err := h(ctx, run)
			m.jobDuration.WithLabelValues(kind).Observe(time.Since(start).Seconds())
			switch {
			case err == nil:
				m.jobs.WithLabelValues(kind, JobSucceeded).Inc()
			case jobs.IsPermanent(err):
				m.jobs.WithLabelValues(kind, JobDiscarded).Inc()
			default:
				m.jobs.WithLabelValues(kind, JobFailed).Inc()
			}
			return err
		}
	}
	return out
}

// WatchQueue adds the job queue's depth, by state, read from the queue at each scrape
// within timeout; a queue that does not answer in time gives
// microblog_job_queue_up 0 and no depth, rather than holding the scrape.
func (m *Metrics) WatchQueue(q jobs.Queue, timeout time.Duration, log *slog.Logger) {
	m.reg.MustRegister(&queueCollector{q: q, timeout: timeout, log: log,
		depth: prometheus.NewDesc(Namespace+"_job_queue_jobs", "Jobs in the queue by state, read at scrape time (River: river_job rows; asynq: its queue's counts, plus outbox rows not yet handed to Redis).", []string{"backend", "state"}, nil),
		up:    prometheus.NewDesc(Namespace+"_job_queue_up", "1 when the queue's depth could be read at this scrape, 0 when not (error or timeout).", []string{"backend"}, nil),
	})
}

type queueCollector struct {
	q         jobs.Queue
	timeout   time.Duration
	log       *slog.Logger
	depth, up *prometheus.Desc
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.depth
	ch <- c.up
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	backend := c.q.Backend()
	depth, err := c.q.Depth(ctx)
	if err != nil {
		c.log.Warn("metrics: job queue depth", "err", err)
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0, backend)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1, backend)
	for state, n := range depth {
		ch <- prometheus.MustNewConstMetric(c.depth, prometheus.GaugeValue, float64(n), backend, state)
	}
}
