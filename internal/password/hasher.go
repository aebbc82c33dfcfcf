package password

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
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
}

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
	return &Hasher{slots: make(chan struct{}, max(concurrency, 1)), wait: wait, absent: encode(salt, key)}
}

// Acquire takes a slot, waiting at most the queue time (ErrBusy after it); the returned
// func gives it back. Hash and Verify take one themselves; Acquire is for holding one
// around other expensive work.
func (h *Hasher) Acquire(ctx context.Context) (func(), error) {
	select {
	case h.slots <- struct{}{}:
		return h.release, nil
	default:
	}
	t := time.NewTimer(h.wait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return h.release, nil
	case <-t.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, fmt.Errorf("password: waiting for a slot: %w", ctx.Err())
	}
}

// release frees a slot after returning the memory of the computation that held it to
// the operating system. Each argon2id call allocates its 64 MiB afresh; left to the
// collector's pacing, that block is still garbage when the next call allocates another,
// and the process holds two to three times the memory the slots need (measured: 297 MB
// peak RSS for 50 concurrent sign-ins with one slot, without a collection here). A
// collection alone frees the block for the heap but the process keeps the pages, so a
// server that signed a few users in stayed at 140 MB resident while serving pages that
// need a fraction of it (docs/performance.md, "Memory"); debug.FreeOSMemory collects and
// hands the freed pages back at once.
//
// The call itself takes a few milliseconds with a small live heap, but the next
// computation then faults its 64 MiB in afresh from the kernel, page by page: that makes
// back-to-back hashes markedly slower than with a collection alone, the more so on a
// busy machine (BenchmarkHasherHash: 637 against 371 ms per hash, docs/performance.md).
// KeepPages trades the memory for that time.
func (h *Hasher) release() {
	if h.keepPages {
		runtime.GC()
	} else {
		debug.FreeOSMemory()
	}
	<-h.slots
}

// KeepPages makes h collect each computation's garbage without handing the freed pages
// back to the operating system at once (the runtime's background scavenger returns them
// over time), so that the next computation reuses pages the process already has. It is
// for processes that hash many times in a row and do not care about their resident
// memory between hashes, such as test binaries; a server keeps the default (see
// release). Call it before h is first used.
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
