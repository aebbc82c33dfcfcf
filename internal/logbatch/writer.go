// Package logbatch passes log records on to their destination from a goroutine of its
// own, everything that arrived within a few milliseconds in one write, so that a request
// does not wait for a system call (two, to standard error and to the log file) per line.
// Records written at once would otherwise seldom share a write: a write to a file takes
// microseconds, and a busy server logs a request every 50–100 µs.
//
// Each Write is kept whole and in order: a record that slog hands over in one Write is
// never split or interleaved with another. A record reaches the destination at most
// Delay after it was logged (sooner when half the limit waits, or on Flush and Close).
// What waits is lost only if the process dies without Close (SIGKILL, a crash in another
// goroutine): at most the records of the last Delay and of the write in flight.
package logbatch

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// DefaultLimit is how many bytes may wait at most before Write blocks until the
// destination has taken them: a stalled destination (a full disk, a blocked pipe) holds
// up logging, as a direct write would, instead of filling memory.
const DefaultLimit = 1 << 20

// Delay is how long the first record of a batch waits for others to join it.
const Delay = 5 * time.Millisecond

// Writer batches writes to dst. Make one with New, and Close it before the process ends.
type Writer struct {
	dst   io.Writer
	limit int

	mu      sync.Mutex
	arrived sync.Cond // signalled when bytes are added to pending or the writer closes
	drained sync.Cond // broadcast when a batch has been passed to dst
	pending []byte
	// queued and delivered count the bytes accepted and passed on since New, so that
	// Flush can wait for exactly what came before it.
	queued, delivered uint64
	closed            bool
	err               error // dst's first error
	done              chan struct{}
	// hurry cuts a batch's Delay short: Flush, Close, half the limit waiting. A token
	// left over from a batch already written only makes the next one go early.
	hurry chan struct{}
}

// New starts a Writer passing batches to dst; limit bounds the bytes that wait (0 means
// DefaultLimit).
func New(dst io.Writer, limit int) *Writer {
	if limit <= 0 {
		limit = DefaultLimit
	}
	w := &Writer{dst: dst, limit: limit, done: make(chan struct{}), hurry: make(chan struct{}, 1)}
	w.arrived.L, w.drained.L = &w.mu, &w.mu
	go w.run()
	return w
}

// Write queues a copy of p and returns at once, unless limit bytes already wait: then it
// waits for room first. After Close it writes p to the destination itself.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	// A record larger than the limit goes alone, once nothing else waits.
	for !w.closed && len(w.pending) > 0 && len(w.pending)+len(p) > w.limit {
		w.drained.Wait()
	}
	if w.closed {
		w.mu.Unlock()
		<-w.done // after what was queued before Close
		return w.dst.Write(p)
	}
	w.pending = append(w.pending, p...)
	w.queued += uint64(len(p))
	w.arrived.Signal()
	if len(w.pending) >= w.limit/2 {
		w.hasten()
	}
	w.mu.Unlock()
	return len(p), nil
}

// Flush returns when everything written before it has been passed to the destination.
func (w *Writer) Flush() {
	w.hasten()
	w.mu.Lock()
	target := w.queued
	for w.delivered < target && !w.closed {
		w.drained.Wait()
	}
	closed := w.closed
	w.mu.Unlock()
	if closed {
		<-w.done
	}
}

// Close passes on what waits, stops the goroutine, and returns the destination's first
// error, if any. Later writes go straight to the destination.
func (w *Writer) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		<-w.done
		return w.firstError()
	}
	w.closed = true
	w.hasten()
	w.arrived.Signal()
	w.drained.Broadcast()
	w.mu.Unlock()
	<-w.done
	return w.firstError()
}

// hasten asks the goroutine to write what waits without waiting out Delay.
func (w *Writer) hasten() {
	select {
	case w.hurry <- struct{}{}:
	default:
	}
}

func (w *Writer) firstError() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return fmt.Errorf("logbatch: %w", w.err)
	}
	return nil
}

// run passes batches on until the writer is closed and nothing waits.
func (w *Writer) run() {
	defer close(w.done)
	delay := time.NewTimer(Delay)
	delay.Stop()
	var batch []byte
	for {
		w.mu.Lock()
		for len(w.pending) == 0 && !w.closed {
			w.arrived.Wait()
		}
		if len(w.pending) == 0 {
			w.mu.Unlock()
			return
		}
		closed := w.closed
		w.mu.Unlock()
		if !closed {
			// Let the records of the next few milliseconds join this one.
			delay.Reset(Delay)
			select {
			case <-delay.C:
			case <-w.hurry:
				delay.Stop()
			}
		}

		// Swap buffers: writers fill the other one meanwhile.
		w.mu.Lock()
		batch, w.pending = w.pending, batch[:0]
		w.mu.Unlock()

		_, err := w.dst.Write(batch)

		w.mu.Lock()
		w.delivered += uint64(len(batch))
		if err != nil && w.err == nil {
			w.err = err
		}
		w.drained.Broadcast()
		w.mu.Unlock()
		if cap(batch) > 4*w.limit {
			batch = nil // after a burst, do not keep its buffer for good
		}
	}
}
