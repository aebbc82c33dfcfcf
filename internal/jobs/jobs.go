// Package jobs runs microblog's background work — e-mails, post exports — on a durable
// queue, behind one small interface so the rest of the app does not know which queue it
// is:
//
//   - River (github.com/riverqueue/river) keeps jobs in the application's own database
//     on SQLite and PostgreSQL. A job is inserted in the caller's transaction, together
//     with the rows that record it, so it exists if and only if that transaction
//     commits.
//   - asynq (github.com/hibiken/asynq) keeps jobs in Redis: always with MySQL/MariaDB
//     (River has no driver for them) and with any database when REDIS_URL is set. Redis
//     cannot join a SQL transaction, so Enqueue writes the job to the job_outbox table in
//     the caller's transaction and a relay moves committed rows to Redis (the
//     transactional outbox): the same "if and only if it committed" guarantee.
//
// Every job is at least once: a handler may run again after a crash or a failed
// attempt, so handlers make their effects idempotent (the export checks its task row
// before sending its e-mail).
package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// Kinds of job the application runs.
const (
	KindSendEmail   = "send_email"
	KindExportPosts = "export_posts"
)

// Job is one piece of work to enqueue.
type Job struct {
	// Kind names the handler that runs it.
	Kind string
	// Args are the handler's arguments, marshalled to JSON.
	Args any
	// MaxAttempts bounds the attempts (retries with backoff in between); 0 is
	// DefaultMaxAttempts.
	MaxAttempts int
}

// DefaultMaxAttempts is how often a failing job is tried before it is given up
// (about three days of backoff on either queue).
const DefaultMaxAttempts = 25

// Run is one attempt at a job, as a handler sees it.
type Run struct {
	// ID is the queue's id of the job, the same in every attempt.
	ID string
	// Kind is the job's kind.
	Kind string
	// Args are the job's arguments as JSON.
	Args json.RawMessage
	// Attempt counts attempts from 1.
	Attempt int
	// MaxAttempts is the job's limit.
	MaxAttempts int
}

// Decode unmarshals the job's arguments into v.
func (r *Run) Decode(v any) error {
	if err := json.Unmarshal(r.Args, v); err != nil {
		return fmt.Errorf("jobs: %s job %s: arguments: %w", r.Kind, r.ID, err)
	}
	return nil
}

// Handler does one attempt at a job. A nil error completes the job; an error retries
// it later with backoff, unless it wraps Permanent or the attempts are used up.
type Handler func(ctx context.Context, run *Run) error

// Handlers maps kinds to their handlers.
type Handlers map[string]Handler

// Queue is the application's view of the job queue.
type Queue interface {
	// Backend names the queue: "river" or "asynq".
	Backend() string
	// Enqueue adds jobs as part of tx: they exist if and only if tx commits.
	Enqueue(ctx context.Context, tx *sql.Tx, jobs ...Job) error
	// Work runs up to workers jobs at a time with handlers until ctx ends, then stops
	// fetching, lets running jobs finish for a bounded time, and returns.
	Work(ctx context.Context, handlers Handlers, workers int) error
	// Ping checks that the queue's store answers (River's tables, or Redis), for
	// readiness checks.
	Ping(ctx context.Context) error
	// Depth counts the jobs in this queue by state (River's states: available,
	// scheduled, running, retryable, completed, cancelled, discarded; asynq's: pending,
	// active, scheduled, retry, archived, completed, plus outbox for committed jobs not
	// yet handed to Redis), for monitoring. Callers bound it with ctx.
	Depth(ctx context.Context) (map[string]int64, error)
	// Close releases the queue's connections (not the application's database).
	Close() error
}

// errPermanent marks an error that retrying cannot fix.
type errPermanent struct{ err error }

func (e errPermanent) Error() string { return e.err.Error() }
func (e errPermanent) Unwrap() error { return e.err }

// Permanent wraps err so that the job is not tried again (bad arguments, a user that no
// longer exists).
func Permanent(err error) error { return errPermanent{err} }

// IsPermanent reports whether err was wrapped by Permanent.
func IsPermanent(err error) bool {
	var p errPermanent
	return errors.As(err, &p)
}
