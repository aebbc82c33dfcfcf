package jobs

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/microblog/microblog/internal/database"
)

// Options tune a queue; zero fields take the defaults.
type Options struct {
	// RedisURL, when set, puts jobs in Redis (asynq) whatever the database.
	RedisURL string
	// Queue names the queue (default "microblog-tasks", the tutorial's): processes that
	// share a database or Redis and a queue name share their jobs.
	Queue string
	// Log receives the queue's own log lines (failed attempts, start and stop).
	Log *slog.Logger
	// RescueAfter is how long a job may stay running on River before it counts as
	// abandoned by a dead worker and is tried again (default 10 minutes).
	RescueAfter time.Duration
	// PollInterval is how often idle workers look for new jobs, and the asynq relay for
	// committed ones (default 200 ms: a job enqueued by a request starts within that).
	PollInterval time.Duration
	// StopTimeout bounds how long Work waits for running jobs when it stops before it
	// cancels them (they are retried later; default 30 seconds).
	StopTimeout time.Duration
}

func (o Options) withDefaults() Options {
	if o.Queue == "" {
		o.Queue = DefaultQueue
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.RescueAfter <= 0 {
		o.RescueAfter = 10 * time.Minute
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 200 * time.Millisecond
	}
	if o.StopTimeout <= 0 {
		o.StopTimeout = 30 * time.Second
	}
	return o
}

// DefaultQueue is the queue's name unless Options.Queue says otherwise.
const DefaultQueue = "microblog-tasks"

// Open returns the queue for db: asynq on Redis when opts.RedisURL is set or the
// database is MySQL/MariaDB, River in the database otherwise.
func Open(ctx context.Context, db *database.DB, opts Options) (Queue, error) {
	opts = opts.withDefaults()
	if opts.RedisURL != "" || db.Dialect == database.MySQL {
		return openAsynq(ctx, db, opts)
	}
	return openRiver(ctx, db, opts)
}

// Backoff is the wait before attempt n+1 after n failed attempts, the same on both
// queues: n⁴ seconds plus up to 10% jitter (1 s, 16 s, 81 s, … about three days over
// DefaultMaxAttempts attempts).
func Backoff(n int) time.Duration {
	d := time.Duration(n*n*n*n) * time.Second
	return d + time.Duration(rand.Int64N(int64(d)/10+1))
}

func maxAttempts(j Job) int {
	if j.MaxAttempts > 0 {
		return j.MaxAttempts
	}
	return DefaultMaxAttempts
}

// quiet passes a queue library's warnings and errors on; its routine lines would drown
// the application's own.
func quiet(log *slog.Logger) *slog.Logger {
	return slog.New(levelAtLeast{log.Handler(), slog.LevelWarn})
}

type levelAtLeast struct {
	slog.Handler
	min slog.Level
}

func (h levelAtLeast) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h levelAtLeast) WithAttrs(a []slog.Attr) slog.Handler {
	return levelAtLeast{h.Handler.WithAttrs(a), h.min}
}

func (h levelAtLeast) WithGroup(name string) slog.Handler {
	return levelAtLeast{h.Handler.WithGroup(name), h.min}
}
