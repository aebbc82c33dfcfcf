package password

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// With every slot taken, a call waits its queue time and gives up with ErrBusy (or
// sooner, with the context's error, when the caller leaves); once a slot is free it runs.
func TestHasherQueuesThenGivesUp(t *testing.T) {
	h := NewHasher(1, 50*time.Millisecond)
	h.slots <- struct{}{} // another sign-in holds the only slot
	if _, _, err := h.Verify(context.Background(), h.absent, "x"); !errors.Is(err, ErrBusy) {
		t.Fatalf("Verify with no free slot: %v, want ErrBusy", err)
	}
	if _, err := h.Hash(context.Background(), "x"); !errors.Is(err, ErrBusy) {
		t.Fatalf("Hash with no free slot: %v, want ErrBusy", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	slow := NewHasher(1, time.Hour)
	slow.slots <- struct{}{}
	if err := slow.VerifyAbsent(ctx, "x"); !errors.Is(err, context.Canceled) {
		t.Fatalf("VerifyAbsent for a caller that left: %v, want context.Canceled", err)
	}
	<-h.slots // the other sign-in ends
	enc, err := h.Hash(context.Background(), "cat")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _, err := h.Verify(context.Background(), enc, "cat"); !ok || err != nil {
		t.Fatalf("Verify with a free slot: %v %v", ok, err)
	}
	if len(h.slots) != 0 {
		t.Errorf("%d slots still held after the calls returned", len(h.slots))
	}
}

// No more than the configured number of computations run at once.
func TestHasherRunsAtMostConcurrency(t *testing.T) {
	h := NewHasher(2, time.Minute)
	peak := make(chan int, 6)
	done := make(chan struct{})
	for range 6 {
		go func() {
			release, err := h.Acquire(context.Background())
			if err != nil {
				t.Error(err)
				done <- struct{}{}
				return
			}
			peak <- len(h.slots)
			time.Sleep(10 * time.Millisecond)
			release()
			done <- struct{}{}
		}()
	}
	for range 6 {
		<-done
	}
	close(peak)
	for n := range peak {
		if n > 2 {
			t.Fatalf("%d computations at once, want at most 2", n)
		}
	}
}

// The stand-in hash for absent accounts has today's parameters (so it costs what a real
// one does) and matches nothing.
func TestAbsentHashCostsTheSameAndNeverMatches(t *testing.T) {
	h := NewHasher(1, time.Second)
	made, _ := Hash("cat")
	prefix := made[:strings.LastIndex(made[:strings.LastIndex(made, "$")], "$")]
	if !strings.HasPrefix(h.absent, prefix+"$") {
		t.Fatalf("absent hash %q lacks today's parameters %q", h.absent, prefix)
	}
	for _, pw := range []string{"", "cat", "password"} {
		if ok, _, err := Verify(h.absent, pw); ok || err != nil {
			t.Errorf("absent hash with %q: ok=%v err=%v", pw, ok, err)
		}
	}
	if err := h.VerifyAbsent(context.Background(), "cat"); err != nil {
		t.Error(err)
	}
	if NewHasher(1, time.Second).absent == h.absent {
		t.Error("two hashers share one absent hash: it is not random")
	}
	if n := DefaultConcurrency(); n < 1 || n > 2 {
		t.Errorf("DefaultConcurrency() = %d, want 1 or 2", n)
	}
}
