package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/hibiken/asynq"
	"github.com/uptrace/bun"

	"github.com/microblog/microblog/internal/models"
)

// relayBatch is how many outbox rows one pass hands to Redis.
const relayBatch = 100

// relay moves committed jobs from job_outbox to Redis every PollInterval until ctx ends.
// Several processes may relay at once: each job goes to Redis under an id made from its
// row, so a row handed over twice (two relays, or one that died before deleting it) is
// queued once, and a row is deleted only after Redis has it.
func (q *asynqQueue) relay(ctx context.Context) {
	t := time.NewTicker(q.opts.PollInterval)
	defer t.Stop()
	failing := false
	for {
		n, err := q.relayOnce(ctx)
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			q.opts.Log.Warn("job relay failed; retrying", "queue", "asynq", "err", err)
			failing = true
		case err == nil && failing:
			q.opts.Log.Info("job relay working again", "queue", "asynq")
			failing = false
		}
		if n == relayBatch {
			continue // more are waiting
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// relayOnce hands up to relayBatch outbox rows to Redis and returns how many it read.
func (q *asynqQueue) relayOnce(ctx context.Context) (int, error) {
	var rows []models.JobOutbox
	if err := q.db.Bun.NewSelect().Model(&rows).Order("id").Limit(relayBatch).Scan(ctx); err != nil {
		return 0, fmt.Errorf("jobs: outbox: %w", err)
	}
	done := make([]int64, 0, len(rows))
	var failed error
	for _, r := range rows {
		task := asynq.NewTask(r.Kind, r.Args)
		_, err := q.client.EnqueueContext(ctx, task,
			asynq.TaskID(outboxTaskID(r)),
			asynq.Queue(q.opts.Queue),
			asynq.MaxRetry(max(r.MaxAttempts-1, 0)),
			asynq.Deadline(noDeadline),
			asynq.Retention(retention))
		if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
			failed = fmt.Errorf("jobs: relay %s job %d to Redis: %w", r.Kind, r.ID, err)
			break // keep the order: later rows wait for this one
		}
		done = append(done, r.ID)
	}
	if len(done) > 0 {
		if _, err := q.db.Bun.NewDelete().Model((*models.JobOutbox)(nil)).Where("id IN (?)", bun.List(done)).Exec(ctx); err != nil {
			return len(rows), errors.Join(failed, fmt.Errorf("jobs: outbox: delete relayed rows: %w", err))
		}
	}
	return len(rows), failed
}

// outboxTaskID names a relayed job in Redis. The creation time is part of it because
// SQLite may give a new row the id of a deleted one.
func outboxTaskID(r models.JobOutbox) string {
	return fmt.Sprintf("outbox-%d-%d", r.ID, r.CreatedAt.UnixMicro())
}

// slogAdapter writes asynq's log lines to slog.
type slogAdapter struct{ log *slog.Logger }

func (a slogAdapter) Debug(args ...any) { a.log.Debug(fmt.Sprint(args...), "queue", "asynq") }
func (a slogAdapter) Info(args ...any)  { a.log.Info(fmt.Sprint(args...), "queue", "asynq") }
func (a slogAdapter) Warn(args ...any)  { a.log.Warn(fmt.Sprint(args...), "queue", "asynq") }
func (a slogAdapter) Error(args ...any) { a.log.Error(fmt.Sprint(args...), "queue", "asynq") }

// Fatal is called by asynq only for errors it cannot go on after; it logs them as
// errors instead of ending the process, and Work's caller sees the workers stop.
func (a slogAdapter) Fatal(args ...any) { a.log.Error(fmt.Sprint(args...), "queue", "asynq") }

// redactURL hides a password in a Redis URL for error messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
