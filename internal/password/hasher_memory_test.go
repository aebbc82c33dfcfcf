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

// By default a computation's 64 MiB goes back to the operating system when it ends; a
// hasher told to keep its pages (tests) leaves them to the heap for the next one.
func TestHasherReturnsPagesUnlessToldToKeepThem(t *testing.T) {
	const mib = 1 << 20
	h := NewHasher(1, time.Minute)
	if _, err := h.Hash(context.Background(), "cat"); err != nil {
		t.Fatal(err)
	}
	if free := heapFreeBytes(); free > 16*mib {
		t.Errorf("default hasher: %d MiB of free heap kept after a hash, want the block returned", free/mib)
	}
	keep := NewHasher(1, time.Minute)
	keep.KeepPages()
	if _, err := keep.Hash(context.Background(), "cat"); err != nil {
		t.Fatal(err)
	}
	if free := heapFreeBytes(); free < 32*mib {
		t.Errorf("hasher keeping its pages: %d MiB of free heap after a hash, want the 64 MiB block kept", free/mib)
	}
	if len(h.slots)+len(keep.slots) != 0 {
		t.Error("a slot is still held after the calls returned")
	}
}

// BenchmarkHasherHash is a sign-in's hash as the server runs it (slot, hash, memory
// handling), back to back: returning the pages after each hash (the server's default)
// against keeping them (KeepPages).
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
