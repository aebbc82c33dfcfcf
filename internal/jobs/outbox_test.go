package jobs_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/jobs"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
)

// enqueueNotes commits one transaction holding a job per text.
func enqueueNotes(t *testing.T, db *database.DB, q jobs.Queue, texts ...string) {
	t.Helper()
	ctx := context.Background()
	s := db.NewSession()
	defer s.Close()
	tx, err := s.SQLTx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	js := make([]jobs.Job, len(texts))
	for i, text := range texts {
		js[i] = jobs.Job{Kind: "note", Args: note{text}}
	}
	if err := q.Enqueue(ctx, tx, js...); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

func outboxRows(t *testing.T, db *database.DB) int {
	t.Helper()
	n, err := db.Bun.NewSelect().Model((*models.JobOutbox)(nil)).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// counter counts the runs of each note.
type counter struct {
	mu   sync.Mutex
	runs map[string]int
	ran  chan string
}

func newCounter() *counter { return &counter{runs: map[string]int{}, ran: make(chan string, 1000)} }

func (c *counter) handlers() jobs.Handlers {
	return jobs.Handlers{"note": func(ctx context.Context, run *jobs.Run) error {
		var n note
		if err := run.Decode(&n); err != nil {
			return jobs.Permanent(err)
		}
		c.mu.Lock()
		c.runs[n.Text]++
		c.mu.Unlock()
		c.ran <- n.Text
		return nil
	}}
}

func (c *counter) wait(t *testing.T, n int, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	for i := 0; i < n; i++ {
		select {
		case <-c.ran:
		case <-deadline:
			t.Fatalf("%d of %d jobs ran within %s", i, n, within)
		}
	}
}

// With Redis unreachable a request still commits its job (the outbox row); the job
// waits in the database and runs once Redis is back.
func TestAsynqJobsWaitOutARedisOutage(t *testing.T) {
	db := testdb.Migrated(t, database.SQLite)
	redisURL := testdb.RedisURL(t)
	u, err := url.Parse(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := testdb.NewProxy(t, u.Host)
	u.Host = proxy.Addr()
	q, err := jobs.Open(context.Background(), db, jobs.Options{RedisURL: u.String(), Queue: testdb.RandomName("test-"),
		PollInterval: 50 * time.Millisecond, StopTimeout: 2 * time.Second, Log: slog.New(slog.NewTextHandler(testWriter{t}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	c := newCounter()
	work(t, q, c.handlers())

	proxy.Cut()
	enqueueNotes(t, db, q, "during the outage")
	time.Sleep(time.Second)
	if got := outboxRows(t, db); got != 1 {
		t.Fatalf("outbox rows during the outage: %d, want 1 (the job waits in the database)", got)
	}
	proxy.Restore()
	c.wait(t, 1, 30*time.Second)
	if got := outboxRows(t, db); got != 0 {
		t.Errorf("outbox rows after the job ran: %d, want 0", got)
	}
}

// Several processes relay the same outbox at once: every job still runs exactly once.
func TestAsynqRelaysShareTheOutbox(t *testing.T) {
	for _, dialect := range []string{database.MySQL, database.Postgres} {
		t.Run(dialect, func(t *testing.T) {
			db := testdb.Migrated(t, dialect)
			name := testdb.RandomName("test-")
			c := newCounter()
			var queues []jobs.Queue
			for range 3 {
				q, err := jobs.Open(context.Background(), db, jobs.Options{RedisURL: testdb.RedisURL(t), Queue: name,
					PollInterval: 10 * time.Millisecond, StopTimeout: 2 * time.Second})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { q.Close() })
				queues = append(queues, q)
			}
			const jobsN = 300
			texts := make([]string, jobsN)
			for i := range texts {
				texts[i] = fmt.Sprint("job ", i)
			}
			enqueueNotes(t, db, queues[0], texts...)
			for _, q := range queues {
				work(t, q, c.handlers())
			}
			c.wait(t, jobsN, 60*time.Second)
			time.Sleep(300 * time.Millisecond) // room for a wrong second run
			c.mu.Lock()
			defer c.mu.Unlock()
			for _, text := range texts {
				if c.runs[text] != 1 {
					t.Errorf("%s ran %d times, want 1", text, c.runs[text])
				}
			}
			if got := outboxRows(t, db); got != 0 {
				t.Errorf("outbox rows left: %d", got)
			}
		})
	}
}
