package logbatch_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/logbatch"
)

// Records logged at once by many goroutines through slog reach a real file whole, each
// goroutine's in its order, none lost, once Close returns.
func TestRecordsArriveWholeAndInOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := logbatch.New(f, 4096) // small, so that writers also wait for room
	log := slog.New(slog.NewTextHandler(w, nil))
	const writers, each = 8, 2000
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			for i := range each {
				log.Info("request", "writer", g, "seq", i, "path", "/user/sofía\x00\xff")
			}
		})
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	next := make([]int, writers)
	lines := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		lines++
		line := sc.Text()
		var g, seq int
		if _, err := fmt.Sscanf(line[strings.Index(line, "writer="):], "writer=%d seq=%d", &g, &seq); err != nil {
			t.Fatalf("line %d is not a whole record: %q", lines, line)
		}
		if seq != next[g] {
			t.Fatalf("writer %d: record %d came where %d was due", g, seq, next[g])
		}
		next[g]++
		if !strings.HasSuffix(line, `path="/user/sofía\x00\xff"`) {
			t.Fatalf("line %d changed on its way: %q", lines, line)
		}
	}
	if lines != writers*each {
		t.Fatalf("%d lines in the file, want %d", lines, writers*each)
	}
}

// lockedBuffer is a destination a test can read while the writer's goroutine writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Flush returns only once everything written before it is at the destination, bytes
// exactly as given (NUL, invalid UTF-8, a record larger than the limit included).
func TestFlushWaitsForEverythingBefore(t *testing.T) {
	var dst lockedBuffer
	w := logbatch.New(&dst, 64)
	defer w.Close()
	var want strings.Builder
	for i := range 500 {
		rec := "line " + strconv.Itoa(i) + " \x00\xc3\x28 ａｄｍｉｎ\n"
		if i == 250 {
			rec = strings.Repeat("x", 1000) + "\n" // above the limit: written alone, whole
		}
		want.WriteString(rec)
		if _, err := io.WriteString(w, rec); err != nil {
			t.Fatal(err)
		}
		if i%100 == 99 {
			w.Flush()
			if got := dst.String(); got != want.String() {
				t.Fatalf("after Flush at record %d: the destination holds %d bytes, want %d", i, len(got), want.Len())
			}
		}
	}
}

// gate is a destination whose writes wait until the test opens it.
type gate struct {
	open    chan struct{}
	started chan struct{}
	once    sync.Once
	lockedBuffer
}

func (g *gate) Write(p []byte) (int, error) {
	g.once.Do(func() { close(g.started) })
	<-g.open
	return g.lockedBuffer.Write(p)
}

// A stalled destination holds writers up once limit bytes wait, instead of letting the
// queue grow; they go on, losing nothing, when it moves again.
func TestStalledDestinationHoldsWritersAtTheLimit(t *testing.T) {
	dst := &gate{open: make(chan struct{}), started: make(chan struct{})}
	w := logbatch.New(dst, 100)
	defer w.Close()
	rec := strings.Repeat("r", 49) + "\n" // 50 bytes
	io.WriteString(w, rec)                // taken by the goroutine, whose write now waits
	<-dst.started
	io.WriteString(w, rec) // 50 waiting
	io.WriteString(w, rec) // 100 waiting: the limit
	blocked := make(chan struct{})
	go func() {
		io.WriteString(w, rec) // no room: waits for the destination
		close(blocked)
	}()
	select {
	case <-blocked:
		t.Fatal("a write went through with the limit's bytes already waiting")
	case <-time.After(200 * time.Millisecond):
	}
	close(dst.open)
	<-blocked
	w.Flush()
	if got := dst.String(); got != strings.Repeat(rec, 4) {
		t.Fatalf("the destination holds %d bytes, want %d", len(got), 4*len(rec))
	}
}

type failing struct{ lockedBuffer }

func (f *failing) Write(p []byte) (int, error) {
	f.lockedBuffer.Write(p)
	return 0, errors.New("disk full")
}

// Close reports the destination's error; a record written after Close goes straight to
// the destination, after everything queued before.
func TestCloseReportsErrorsAndLateRecordsGoStraight(t *testing.T) {
	dst := &failing{}
	w := logbatch.New(dst, 0)
	io.WriteString(w, "first\n")
	if err := w.Close(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Close: %v, want the destination's error", err)
	}
	if _, err := io.WriteString(w, "late\n"); err == nil {
		t.Fatal("a late write hid the destination's error")
	}
	if got := dst.String(); got != "first\nlate\n" {
		t.Fatalf("the destination holds %q", got)
	}
	if err := w.Close(); err == nil {
		t.Fatal("a second Close forgot the error")
	}
}

// BenchmarkAccessLog logs an access-log record from every processor at once to a real
// file, through slog's text handler: straight to the file (a write system call per
// record) and through a Writer.
func BenchmarkAccessLog(b *testing.B) {
	for _, batched := range []bool{false, true} {
		name := "direct"
		if batched {
			name = "batched"
		}
		b.Run(name, func(b *testing.B) {
			f, err := os.Create(filepath.Join(b.TempDir(), "app.log"))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			var dst io.Writer = f
			var w *logbatch.Writer
			if batched {
				w = logbatch.New(f, 0)
				dst = w
			}
			log := slog.New(slog.NewTextHandler(dst, nil))
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					log.LogAttrs(b.Context(), slog.LevelInfo, "request", slog.String("method", "GET"), slog.String("path", "/index"),
						slog.Int("status", 200), slog.Int64("duration_ms", 0), slog.String("request_id", "7bd6c4768c813dee"))
				}
			})
			if w != nil {
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

type countingBuffer struct {
	lockedBuffer
	writes int
}

func (c *countingBuffer) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.writes++
	c.mu.Unlock()
	return c.lockedBuffer.Write(p)
}

func (c *countingBuffer) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.writes
}

// Records logged close together share writes, and a lone record arrives on its own,
// without Flush, within the Delay.
func TestRecordsShareWritesAndArriveUnasked(t *testing.T) {
	dst := &countingBuffer{}
	w := logbatch.New(dst, 0)
	defer w.Close()
	const records = 400
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range records / 4 {
				io.WriteString(w, "GET /index 200\n")
			}
		})
	}
	wg.Wait()
	waitFor(t, func() bool { return strings.Count(dst.String(), "\n") == records })
	if n := dst.count(); n > 20 {
		t.Fatalf("%d records took %d writes", records, n)
	}
	io.WriteString(w, "lone\n")
	waitFor(t, func() bool { return strings.HasSuffix(dst.String(), "lone\n") })
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !ok(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the records did not arrive within 5 s")
		}
	}
}
