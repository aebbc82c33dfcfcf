package password

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"time"
)

// ErrBusy is returned when a hash or verification waited its whole queue time for a
// free slot: the caller should answer "try again shortly" (503), not fail.
var ErrBusy = errors.New("password: too many password checks at once")

// Hasher bounds how many argon2id (and Werkzeug) computations run at once. Each argon2id
// call holds 64 MiB and two threads for its whole run, so unbounded parallel sign-ins
// exhaust memory and stretch every one of them; beyond the bound, calls queue for up to
// a fixed time and then give up with ErrBusy. The zero value is not usable: see
// NewHasher. One Hasher is shared by every request of a process.
type Hasher struct {
	slots chan struct{}
	wait  time.Duration
	// absent is a well-formed argon2id hash with today's parameters that matches no
	// password: verifying against it costs what verifying a real hash does, so that an
	// unknown username takes as long as a wrong password.
	absent string
	// keepPages makes release collect garbage without handing the freed pages back to
	// the operating system (KeepPages).
	keepPages bool
	// returnAfter is how long the hasher must stay idle before the freed pages go back
	// to the operating system (returnPagesAfter by default).
	returnAfter time.Duration
	// mu guards busy and timer.
	mu sync.Mutex
	// busy counts the computations running; timer fires returnAfter after the last
	// release (each release resets it).
	busy  int
	timer *time.Timer
}

// returnPagesAfter is how long the hasher waits idle before handing a computation's
// freed pages back: long enough that a burst of sign-ins reuses them, short enough
// that a server's resident memory drops soon after the burst.
const returnPagesAfter = time.Second

// DefaultConcurrency is the number of password computations run at once by default:
// one per parallelism threads of the process (GOMAXPROCS), at least one and at most
// two. More concurrent hashes than the CPU can run do not finish sooner; they only hold
// more memory (64 MiB each, and about as much again in garbage until the collector runs).
func DefaultConcurrency() int {
	return min(max(runtime.GOMAXPROCS(0)/parallelism, 1), 2)
}

// NewHasher returns a Hasher running at most concurrency computations at once, the rest
// waiting up to wait for a slot.
func NewHasher(concurrency int, wait time.Duration) *Hasher {
	salt, key := make([]byte, saltLen), make([]byte, keyLen)
	rand.Read(salt) // crypto/rand.Read never fails (Go 1.24+)
	rand.Read(key)
	return &Hasher{slots: make(chan struct{}, max(concurrency, 1)), wait: wait, absent: encode(salt, key), returnAfter: returnPagesAfter}
}

// Acquire takes a slot, waiting at most the queue time (ErrBusy after it); the returned
// func gives it back. Hash and Verify take one themselves; Acquire is for holding one
// around other expensive work.
func (h *Hasher) Acquire(ctx context.Context) (func(), error) {
	select {
	case h.slots <- struct{}{}:
		h.start()
		return h.release, nil
	default:
	}
	t := time.NewTimer(h.wait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		h.start()
		return h.release, nil
	case <-t.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, fmt.Errorf("password: waiting for a slot: %w", ctx.Err())
	}
}

// release frees a slot after collecting the garbage of the computation that held it,
// and plans to hand the freed pages back to the operating system once the hasher has
// been idle for returnAfter. Each argon2id call allocates its 64 MiB afresh; left to the
// collector's pacing, that block is still garbage when the next call allocates another,
// and the process holds two to three times the memory the slots need (measured: 297 MB
// peak RSS for 50 concurrent sign-ins with one slot, without a collection here). A
// collection alone frees the block for the heap but the process keeps the pages, so a
// server that signed a few users in stayed at 140 MB resident while serving pages that
// need a fraction of it (docs/performance.md, "Memory"); debug.FreeOSMemory hands them
// back. Not at once: the next computation would then fault its 64 MiB in afresh from the
// kernel, page by page, which made back-to-back hashes markedly slower
// (BenchmarkHasherHash, docs/performance.md section 10). Within a burst the pages are
// reused; after it they go.
func (h *Hasher) release() {
	runtime.GC()
	h.mu.Lock()
	h.busy--
	if !h.keepPages {
		if h.timer == nil {
			h.timer = time.AfterFunc(h.returnAfter, h.returnPages)
		} else {
			h.timer.Reset(h.returnAfter)
		}
	}
	h.mu.Unlock()
	<-h.slots
}

// start counts a computation that took a slot.
func (h *Hasher) start() {
	h.mu.Lock()
	h.busy++
	h.mu.Unlock()
}

// returnPages hands the freed pages back unless a computation is running (its release
// sets the timer again).
func (h *Hasher) returnPages() {
	h.mu.Lock()
	idle := h.busy == 0
	h.mu.Unlock()
	if idle {
		debug.FreeOSMemory()
	}
}

// KeepPages makes h collect each computation's garbage without ever handing the freed
// pages back to the operating system itself (the runtime's background scavenger returns
// them over time). It is for processes that do not care about their resident memory
// between hashes, such as test binaries; a server keeps the default (see release).
// Call it before h is first used.
func (h *Hasher) KeepPages() { h.keepPages = true }

// Hash is the package's Hash run in a slot.
func (h *Hasher) Hash(ctx context.Context, plain string) (string, error) {
	release, err := h.Acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return Hash(plain)
}

// Verify is the package's Verify run in a slot.
func (h *Hasher) Verify(ctx context.Context, encoded, plain string) (ok, needsRehash bool, err error) {
	release, err := h.Acquire(ctx)
	if err != nil {
		return false, false, err
	}
	defer release()
	return Verify(encoded, plain)
}

// VerifyAbsent spends on plain what Verify spends on a real argon2id hash, for an
// account that does not exist or has no password; it only fails with ErrBusy or when
// ctx ends, and never matches.
func (h *Hasher) VerifyAbsent(ctx context.Context, plain string) error {
	_, _, err := h.Verify(ctx, h.absent, plain)
	return err
}
