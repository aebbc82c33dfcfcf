package cli

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Waits between connection attempts: doubling from retryFirst up to retryMax.
const (
	retryFirst = 500 * time.Millisecond
	retryMax   = 5 * time.Second
)

// retry calls open until it succeeds, ctx ends, or deadline passes, logging each failed
// attempt, as the tutorial's boot.sh retries `flask db upgrade` while MySQL starts. what
// names the server in the log ("database", "job queue"); status is told how it goes,
// for the readiness check during start-up.
func retry[T any](ctx context.Context, log *slog.Logger, what string, deadline time.Time, status func(string), open func(context.Context) (T, error)) (T, error) {
	start := time.Now()
	wait := retryFirst
	for attempt := 1; ; attempt++ {
		status(fmt.Sprintf("connecting to the %s (attempt %d)", what, attempt))
		v, err := open(ctx)
		if err == nil {
			if attempt > 1 {
				log.Info(what+" reachable", "attempt", attempt, "waited", time.Since(start).Round(time.Millisecond).String())
			}
			return v, nil
		}
		if ctx.Err() != nil {
			return v, fmt.Errorf("waiting for the %s: %w", what, ctx.Err())
		}
		left := time.Until(deadline)
		if left <= 0 {
			if attempt > 1 {
				return v, fmt.Errorf("%w (gave up after %d attempts in %s; DATABASE_WAIT sets how long to wait)", err, attempt, time.Since(start).Round(time.Second))
			}
			return v, err
		}
		wait = min(wait, left)
		log.Warn(what+" not reachable yet; retrying", "attempt", attempt, "retry_in", wait.String(), "err", err)
		status(fmt.Sprintf("waiting for the %s (attempt %d failed)", what, attempt))
		select {
		case <-ctx.Done():
			return v, fmt.Errorf("waiting for the %s: %w", what, ctx.Err())
		case <-time.After(wait):
		}
		wait = min(wait*2, retryMax)
	}
}
