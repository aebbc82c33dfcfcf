package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hibiken/asynq"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
)

// asynqQueue keeps jobs in Redis. Redis cannot take part in a SQL transaction, so
// Enqueue writes each job to the job_outbox table in the caller's transaction, and the
// relay of every Work process moves committed rows to Redis (outbox.go).
type asynqQueue struct {
	db     *database.DB
	opts   Options
	redis  asynq.RedisConnOpt
	client *asynq.Client
	// inspector reads the queue's depth (Depth).
	inspector *asynq.Inspector
}

// retention keeps a finished job's id in Redis this long, so that a relay that handed a
// job over but died before deleting its outbox row finds the id taken and does not
// queue the job twice.
const retention = 24 * time.Hour

// noDeadline is far enough ahead to mean "never": asynq gives a job without a timeout
// or deadline 30 minutes, and a big export must not be cut short.
var noDeadline = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)

func openAsynq(ctx context.Context, db *database.DB, opts Options) (*asynqQueue, error) {
	if opts.RedisURL == "" {
		return nil, fmt.Errorf("jobs: River has no driver for %s: set REDIS_URL (for example redis://127.0.0.1:6379/0) to queue jobs in Redis", db.Dialect)
	}
	conn, err := asynq.ParseRedisURI(opts.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("jobs: REDIS_URL %q: %w", opts.RedisURL, err)
	}
	client := asynq.NewClient(conn)
	if err := client.Ping(); err != nil {
		client.Close()
		return nil, fmt.Errorf("jobs: Redis at %s: %w", redactURL(opts.RedisURL), err)
	}
	return &asynqQueue{db: db, opts: opts, redis: conn, client: client, inspector: asynq.NewInspector(conn)}, nil
}

func (q *asynqQueue) Backend() string { return "asynq" }

func (q *asynqQueue) Enqueue(ctx context.Context, tx *sql.Tx, jobs ...Job) error {
	if len(jobs) == 0 {
		return nil
	}
	rows := make([]models.JobOutbox, 0, len(jobs))
	now := time.Now().UTC()
	for _, j := range jobs {
		args, err := json.Marshal(j.Args)
		if err != nil {
			return fmt.Errorf("jobs: %s job: arguments: %w", j.Kind, err)
		}
		rows = append(rows, models.JobOutbox{Kind: j.Kind, Args: args, MaxAttempts: maxAttempts(j), CreatedAt: now})
	}
	if _, err := q.db.Bun.NewInsert().Conn(tx).Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("jobs: enqueue: %w", err)
	}
	return nil
}

func (q *asynqQueue) Work(ctx context.Context, handlers Handlers, workers int) error {
	srv := asynq.NewServer(q.redis, asynq.Config{
		Concurrency:              max(workers, 1),
		Queues:                   map[string]int{q.opts.Queue: 1},
		RetryDelayFunc:           retryDelay,
		ErrorHandler:             asynq.ErrorHandlerFunc(q.logFailure),
		Logger:                   slogAdapter{quiet(q.opts.Log)},
		LogLevel:                 asynq.WarnLevel,
		ShutdownTimeout:          q.opts.StopTimeout,
		TaskCheckInterval:        q.opts.PollInterval,
		DelayedTaskCheckInterval: q.opts.PollInterval,
	})
	if err := srv.Start(asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		return runAsynq(ctx, handlers, t)
	})); err != nil {
		return fmt.Errorf("jobs: asynq: start: %w", err)
	}
	q.opts.Log.Info("workers started", "queue", "asynq", "workers", max(workers, 1))
	relayDone := make(chan struct{})
	go func() {
		defer close(relayDone)
		q.relay(ctx)
	}()
	<-ctx.Done()
	<-relayDone
	srv.Shutdown() // waits up to StopTimeout; jobs still running go back to Redis
	q.opts.Log.Info("workers stopped", "queue", "asynq")
	return nil
}

func (q *asynqQueue) Close() error { return errors.Join(q.inspector.Close(), q.client.Close()) }

func (q *asynqQueue) Depth(ctx context.Context) (map[string]int64, error) {
	outbox, err := q.db.Bun.NewSelect().Model((*models.JobOutbox)(nil)).Count(ctx)
	if err != nil {
		return nil, fmt.Errorf("jobs: asynq: depth: outbox: %w", err)
	}
	depth := map[string]int64{"outbox": int64(outbox), "pending": 0, "active": 0, "scheduled": 0, "retry": 0, "archived": 0, "completed": 0}
	// The inspector takes no context: it runs aside, and a Redis that does not answer
	// in time leaves it behind (its own timeouts end it).
	type result struct {
		info *asynq.QueueInfo
		err  error
	}
	done := make(chan result, 1)
	go func() {
		queues, err := q.inspector.Queues()
		if err != nil || !slices.Contains(queues, q.opts.Queue) {
			done <- result{err: err} // no job was ever queued: all zero
			return
		}
		info, err := q.inspector.GetQueueInfo(q.opts.Queue)
		done <- result{info, err}
	}()
	select {
	case <-ctx.Done():
		return nil, fmt.Errorf("jobs: asynq: depth: %w", ctx.Err())
	case r := <-done:
		if r.err != nil {
			return nil, fmt.Errorf("jobs: asynq: depth: %w", r.err)
		}
		if r.info != nil {
			depth["pending"], depth["active"], depth["scheduled"] = int64(r.info.Pending), int64(r.info.Active), int64(r.info.Scheduled)
			depth["retry"], depth["archived"], depth["completed"] = int64(r.info.Retry), int64(r.info.Archived), int64(r.info.Completed)
		}
		return depth, nil
	}
}

// Ping asks Redis for an answer; asynq's Ping takes no context, so ctx bounds the wait.
func (q *asynqQueue) Ping(ctx context.Context) error {
	done := make(chan error, 1)
	go func() { done <- q.client.Ping() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("jobs: Redis at %s: %w", redactURL(q.opts.RedisURL), err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("jobs: Redis at %s: no answer: %w", redactURL(q.opts.RedisURL), ctx.Err())
	}
}

// runAsynq runs the handler of t's kind. A permanent failure skips asynq's retries; a
// kind this process has no handler for is retried, for a newer worker may know it.
func runAsynq(ctx context.Context, handlers Handlers, t *asynq.Task) error {
	h, ok := handlers[t.Type()]
	if !ok {
		return fmt.Errorf("jobs: no handler for %q in this worker", t.Type())
	}
	id, _ := asynq.GetTaskID(ctx)
	retried, _ := asynq.GetRetryCount(ctx)
	maxRetry, _ := asynq.GetMaxRetry(ctx)
	err := h(ctx, &Run{ID: id, Kind: t.Type(), Args: json.RawMessage(t.Payload()), Attempt: retried + 1, MaxAttempts: maxRetry + 1})
	if err != nil && IsPermanent(err) {
		return fmt.Errorf("%w: %w", asynq.SkipRetry, err)
	}
	return err
}

// retryDelay waits Backoff(n) before a retry, except after a dead worker's lease ran
// out: that job did not fail and goes again at once.
func retryDelay(n int, err error, _ *asynq.Task) time.Duration {
	if errors.Is(err, asynq.ErrLeaseExpired) {
		return 0
	}
	return Backoff(n + 1)
}

func (q *asynqQueue) logFailure(ctx context.Context, t *asynq.Task, err error) {
	id, _ := asynq.GetTaskID(ctx)
	retried, _ := asynq.GetRetryCount(ctx)
	maxRetry, _ := asynq.GetMaxRetry(ctx)
	q.opts.Log.Warn("job attempt failed", "queue", "asynq", "kind", t.Type(), "job", id, "attempt", retried+1, "of", maxRetry+1, "err", err)
}
