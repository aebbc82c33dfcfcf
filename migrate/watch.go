package migrate

import "time"

// Watch makes the Upgrade or Downgrade that follows call f when each revision starts,
// before each of its schema and data statements runs (EventStatement), and once the
// revision is committed, in order, on the goroutine running the operation. Event.Elapsed
// counts from the call to Watch: call it just before the operation. Watch wraps Trace, so
// set Trace before calling it. The Provider's WithProgress and the db command line's
// progress bar are built on it.
func (m *Runner) Watch(f func(Event)) {
	began := time.Now()
	trace := m.Trace
	var running *Event // the start event of the revision running now
	m.observe = &observer{
		start: func(st step, i, n int) {
			e := Event{Kind: EventStart, Result: resultOf(st, 0), Index: i + 1, Total: n, Elapsed: time.Since(began)}
			running = &e
			f(e)
		},
		done: func(st step, i, n int, took time.Duration) {
			e := Event{Kind: EventDone, Result: resultOf(st, took), Index: i + 1, Total: n, Elapsed: time.Since(began)}
			if running != nil {
				e.Statement = running.Statement // the statements this run executed
			}
			running = nil
			f(e)
		},
	}
	m.Trace = func(stmt string) {
		// Trace also sees the version-table statements, after the revision's own: those
		// are not counted.
		if running != nil && running.Statement < running.Result.Statements {
			running.Statement++
			e := *running
			e.Kind, e.Elapsed = EventStatement, time.Since(began)
			f(e)
		}
		if trace != nil {
			trace(stmt)
		}
	}
}

// resultOf describes step st, which took took (zero while it runs).
func resultOf(st step, took time.Duration) Result {
	n := 0
	for _, pl := range st.plans {
		n += len(pl.Statements)
	}
	dir := DirectionUp
	if !st.upgrade {
		dir = DirectionDown
	}
	return Result{Revision: st.rev.ID, Down: append([]string(nil), st.rev.Down...), Message: st.rev.Message, Direction: dir, Duration: took, Statements: n}
}
