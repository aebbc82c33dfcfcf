package password

import (
	"context"
	"runtime/metrics"
	"testing"
	"time"
)

// heapFreeBytes is the memory the heap holds free but has not returned to the
// operating system: resident pages the process keeps for later allocations.
func heapFreeBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/free:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// By default a computation's 64 MiB stays in the heap while hashes follow one another,
// so that the next one reuses it, and goes back to the operating system once the hasher
// has been idle for returnAfter; a hasher told to keep its pages (tests) never returns
// them itself.
func TestHasherReturnsPagesWhenIdleUnlessToldToKeepThem(t *testing.T) {
	const mib = 1 << 20
	h := NewHasher(1, time.Minute)
	h.returnAfter = 300 * time.Millisecond
	for range 2 {
		if _, err := h.Hash(context.Background(), "cat"); err != nil {
			t.Fatal(err)
		}
	}
	if free := heapFreeBytes(); free < 32*mib {
		t.Errorf("right after a hash: %d MiB of free heap, want the 64 MiB block kept for the next hash", free/mib)
	}
	deadline := time.Now().Add(10 * time.Second)
	for heapFreeBytes() > 16*mib && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if free := heapFreeBytes(); free > 16*mib {
		t.Errorf("default hasher idle for %v: %d MiB of free heap kept, want the block returned", time.Since(deadline.Add(-10*time.Second)), free/mib)
	}
	keep := NewHasher(1, time.Minute)
	keep.returnAfter = 300 * time.Millisecond
	keep.KeepPages()
	if _, err := keep.Hash(context.Background(), "cat"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if free := heapFreeBytes(); free < 32*mib {
		t.Errorf("hasher keeping its pages, idle: %d MiB of free heap, want the 64 MiB block kept", free/mib)
	}
	if len(h.slots)+len(keep.slots) != 0 || h.busy != 0 || keep.busy != 0 {
		t.Error("a slot is still held after the calls returned")
	}
}

// BenchmarkHasherHash is a sign-in's hash as the server runs it (slot, hash, memory
// handling), back to back: the server's default (pages returned once the hasher is
// idle, so not between these hashes) against keeping them (KeepPages).
//
//	go test ./internal/password -run '^$' -bench HasherHash -benchtime 10x
func BenchmarkHasherHash(b *testing.B) {
	for _, keep := range []bool{false, true} {
		name := "returns-pages"
		if keep {
			name = "keeps-pages"
		}
		b.Run(name, func(b *testing.B) {
			h := NewHasher(1, time.Minute)
			if keep {
				h.KeepPages()
			}
			for b.Loop() {
				if _, err := h.Hash(context.Background(), "correct horse battery staple"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
