package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/microblog/microblog/internal/database"
)

// riverQueue keeps jobs in the application's database (SQLite or PostgreSQL).
type riverQueue struct {
	db     *database.DB
	driver riverdriver.Driver[*sql.Tx]
	opts   Options
	// inserter is a client without workers: it only inserts.
	inserter *river.Client[*sql.Tx]
}

// openRiver brings River's own tables up to date (they are River's, not the app's
// revisions: `microblog db` ignores tables named river_*) and returns the queue.
func openRiver(ctx context.Context, db *database.DB, opts Options) (*riverQueue, error) {
	var driver riverdriver.Driver[*sql.Tx]
	switch db.Dialect {
	case database.SQLite:
		driver = riversqlite.New(db.SQL)
	case database.Postgres:
		driver = riverdatabasesql.New(db.SQL)
	default:
		return nil, fmt.Errorf("jobs: River has no driver for %s; set REDIS_URL to queue jobs in Redis", db.Dialect)
	}
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: quiet(opts.Log)})
	if err != nil {
		return nil, fmt.Errorf("jobs: river migrations: %w", err)
	}
	var res *rivermigrate.MigrateResult
	err = withRiverMigrationLock(ctx, db, func() error {
		res, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: river migrations: %w", err)
	}
	if len(res.Versions) > 0 {
		opts.Log.Info("job queue tables created or upgraded", "queue", "river", "versions", len(res.Versions))
	}
	inserter, err := river.NewClient(driver, &river.Config{Logger: quiet(opts.Log), MaxAttempts: DefaultMaxAttempts})
	if err != nil {
		return nil, fmt.Errorf("jobs: river: %w", err)
	}
	return &riverQueue{db: db, driver: driver, opts: opts, inserter: inserter}, nil
}

// riverMigrationLockKey is the PostgreSQL advisory lock taken around River's own
// migrations (not the application's revisions, which have their own lock): "rivr" in
// ASCII.
const riverMigrationLockKey = 0x72697672

// withRiverMigrationLock runs fn holding a lock that other processes opening the queue
// on the same PostgreSQL database wait for: rivermigrate takes none, so two processes
// started at once on a new database both insert River's migration rows and one fails
// on their unique index. SQLite's own write lock serialises them there.
func withRiverMigrationLock(ctx context.Context, db *database.DB, fn func() error) error {
	if db.Dialect != database.Postgres {
		return fn()
	}
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("SELECT pg_advisory_lock(%d)", riverMigrationLockKey)); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("SELECT pg_advisory_unlock(%d)", riverMigrationLockKey))
	return fn()
}

func (q *riverQueue) Backend() string { return "river" }

func (q *riverQueue) Enqueue(ctx context.Context, tx *sql.Tx, jobs ...Job) error {
	params := make([]river.InsertManyParams, 0, len(jobs))
	for _, j := range jobs {
		args, err := json.Marshal(j.Args)
		if err != nil {
			return fmt.Errorf("jobs: %s job: arguments: %w", j.Kind, err)
		}
		params = append(params, river.InsertManyParams{Args: rawArgs{kind: j.Kind, raw: args},
			InsertOpts: &river.InsertOpts{MaxAttempts: maxAttempts(j), Queue: q.opts.Queue}})
	}
	if _, err := q.inserter.InsertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("jobs: enqueue: %w", err)
	}
	return nil
}

func (q *riverQueue) Work(ctx context.Context, handlers Handlers, workers int) error {
	ws := river.NewWorkers()
	for kind, h := range handlers {
		// Every kind shares one Go type whose Kind() comes from the value, so the
		// worker is registered with a value naming it.
		if err := addWorker(ws, kind, &riverWorker{handler: h, rescueAfter: q.opts.RescueAfter}); err != nil {
			return fmt.Errorf("jobs: river: worker %s: %w", kind, err)
		}
	}
	client, err := river.NewClient(q.driver, &river.Config{
		Logger:               quiet(q.opts.Log),
		MaxAttempts:          DefaultMaxAttempts,
		Queues:               map[string]river.QueueConfig{q.opts.Queue: {MaxWorkers: workers}},
		Workers:              ws,
		JobTimeout:           -1, // no job is cut short: a big export takes as long as it takes
		RescueStuckJobsAfter: q.opts.RescueAfter,
		FetchPollInterval:    q.opts.PollInterval,
		FetchCooldown:        min(q.opts.PollInterval, 100*time.Millisecond),
		RetryPolicy:          retryPolicy{},
		ErrorHandler:         errorLogger{log: q.opts.Log},
	})
	if err != nil {
		return fmt.Errorf("jobs: river: %w", err)
	}
	if err := client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("jobs: river: start: %w", err)
	}
	q.opts.Log.Info("workers started", "queue", "river", "workers", workers)
	<-ctx.Done()
	stopCtx, cancel := context.WithTimeout(context.Background(), q.opts.StopTimeout)
	defer cancel()
	if err := client.Stop(stopCtx); err != nil {
		// Jobs still running are cancelled; River retries them later.
		cancelCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := client.StopAndCancel(cancelCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("jobs: river: stop: %w", err)
		}
	}
	q.opts.Log.Info("workers stopped", "queue", "river")
	return nil
}

func (q *riverQueue) Close() error { return nil }

// Ping reads River's job table, which lives in the application's database.
func (q *riverQueue) Ping(ctx context.Context) error {
	var n int
	if err := q.db.SQL.QueryRowContext(ctx, "SELECT count(*) FROM river_job WHERE 1 = 0").Scan(&n); err != nil {
		return fmt.Errorf("jobs: river: %w", err)
	}
	return nil
}

func (q *riverQueue) Depth(ctx context.Context) (map[string]int64, error) {
	rows, err := q.db.Bun.QueryContext(ctx, "SELECT state, COUNT(*) FROM river_job WHERE queue = ? GROUP BY state", q.opts.Queue)
	if err != nil {
		return nil, fmt.Errorf("jobs: river: depth: %w", err)
	}
	defer rows.Close()
	depth := map[string]int64{}
	for rows.Next() {
		var state string
		var n int64
		if err := rows.Scan(&state, &n); err != nil {
			return nil, fmt.Errorf("jobs: river: depth: %w", err)
		}
		depth[state] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("jobs: river: depth: %w", err)
	}
	return depth, nil
}

// rawArgs carries a job's JSON arguments through River unchanged: river_job.kind is the
// job's kind and river_job.args its arguments.
type rawArgs struct {
	kind string
	raw  json.RawMessage
}

func (a rawArgs) Kind() string                 { return a.kind }
func (a rawArgs) MarshalJSON() ([]byte, error) { return a.raw, nil }
func (a *rawArgs) UnmarshalJSON(b []byte) error {
	a.raw = append(json.RawMessage(nil), b...)
	return nil
}

func addWorker(ws *river.Workers, kind string, w river.Worker[rawArgs]) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	river.AddWorkerArgs(ws, rawArgs{kind: kind}, w)
	return nil
}

// riverWorker runs a Handler for River.
type riverWorker struct {
	river.WorkerDefaults[rawArgs]
	handler     Handler
	rescueAfter time.Duration
}

func (w *riverWorker) Work(ctx context.Context, job *river.Job[rawArgs]) error {
	err := w.handler(ctx, &Run{ID: fmt.Sprint(job.ID), Kind: job.Kind, Args: job.Args.raw, Attempt: job.Attempt, MaxAttempts: job.MaxAttempts})
	if err != nil && IsPermanent(err) {
		return river.JobCancel(err)
	}
	return err
}

// Timeout: an attempt runs until it is done or the worker stops, and yet a job whose
// worker died is tried again after RescueAfter. River asks for the timeout twice: when
// an attempt starts (the answer bounds the attempt) and when its rescuer finds the job
// running for longer than RescueStuckJobsAfter, where the job is retried only if the
// answer is positive and has already elapsed — a constant -1 would leave a dead
// worker's job "running" forever. So the answer depends on the attempt's age: -1 for an
// attempt just started, and a quarter of RescueAfter (long elapsed) for one older than
// half of it, which only the rescuer sees; the margins absorb clock differences between
// the database and the worker. A job still running after RescueAfter is therefore tried
// again even if its worker lives (River documents the same); handlers are idempotent.
func (w *riverWorker) Timeout(job *river.Job[rawArgs]) time.Duration {
	if job.AttemptedAt != nil && time.Since(*job.AttemptedAt) >= w.rescueAfter/2 {
		return max(w.rescueAfter/4, time.Millisecond)
	}
	return -1
}

// retryPolicy waits Backoff(attempt) before the next attempt.
type retryPolicy struct{}

func (retryPolicy) NextRetry(job *rivertype.JobRow) time.Time {
	return time.Now().Add(Backoff(job.Attempt))
}

// errorLogger logs each failed attempt (panics included) with the job's identity.
type errorLogger struct{ log *slog.Logger }

func (e errorLogger) HandleError(_ context.Context, job *rivertype.JobRow, err error) *river.ErrorHandlerResult {
	e.log.Warn("job attempt failed", "queue", "river", "kind", job.Kind, "job", job.ID, "attempt", job.Attempt, "of", job.MaxAttempts, "err", err)
	return nil
}

func (e errorLogger) HandlePanic(_ context.Context, job *rivertype.JobRow, v any, trace string) *river.ErrorHandlerResult {
	e.log.Error("job panicked", "queue", "river", "kind", job.Kind, "job", job.ID, "attempt", job.Attempt, "panic", fmt.Sprint(v), "trace", trace)
	return nil
}
