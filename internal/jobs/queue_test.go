package jobs_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/jobs"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
)

// backend is one way the app can queue jobs: a database, with or without Redis.
type backend struct {
	name    string
	dialect string
	redis   bool
}

var backends = []backend{
	{"river-sqlite", database.SQLite, false},
	{"river-postgres", database.Postgres, false},
	{"asynq-mysql", database.MySQL, true},
	{"asynq-sqlite", database.SQLite, true},
	{"asynq-postgres", database.Postgres, true},
}

// openQueue returns a migrated database and its queue, with a queue name of the test's
// own so that runs sharing a Redis server keep apart.
func openQueue(t *testing.T, b backend) (*database.DB, jobs.Queue) {
	t.Helper()
	db := testdb.Migrated(t, b.dialect)
	opts := jobs.Options{Queue: testdb.RandomName("test-"), PollInterval: 50 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(testWriter{t}, nil)), StopTimeout: 5 * time.Second}
	if b.redis {
		opts.RedisURL = testdb.RedisURL(t)
	}
	q, err := jobs.Open(context.Background(), db, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	if want := map[bool]string{false: "river", true: "asynq"}[b.redis]; q.Backend() != want {
		t.Fatalf("backend %s, want %s", q.Backend(), want)
	}
	return db, q
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

// work runs the queue's workers until the test ends.
func work(t *testing.T, q jobs.Queue, h jobs.Handlers) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- q.Work(ctx, h, 2) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Work: %v", err)
		}
	})
}

type note struct {
	Text string `json:"text"`
}

// A job exists if and only if its transaction committed, and runs once with its
// arguments; a failing job is retried; a permanent failure is not.
func TestJobsCommitWithTheirTransaction(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			db, q := openQueue(t, b)
			ctx := context.Background()
			var mu sync.Mutex
			seen := map[string]int{}
			ran := make(chan string, 10)
			h := jobs.Handlers{
				"note": func(ctx context.Context, run *jobs.Run) error {
					var n note
					if err := run.Decode(&n); err != nil {
						return jobs.Permanent(err)
					}
					mu.Lock()
					seen[n.Text]++
					count := seen[n.Text]
					mu.Unlock()
					switch {
					case n.Text == "flaky" && run.Attempt == 1:
						return errors.New("first attempt fails")
					case n.Text == "hopeless":
						return jobs.Permanent(errors.New("never works"))
					}
					if count > 1 && n.Text != "flaky" {
						t.Errorf("job %q ran %d times", n.Text, count)
					}
					ran <- n.Text
					return nil
				},
			}
			enqueue := func(text string, commit bool) {
				s := db.NewSession()
				defer s.Close()
				if err := s.Add(&models.RateLimit{Key: "job-test:" + text, Hits: 1, WindowStart: time.Now().UTC()}); err != nil {
					t.Fatal(err)
				}
				tx, err := s.SQLTx(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if err := q.Enqueue(ctx, tx, jobs.Job{Kind: "note", Args: note{text}}); err != nil {
					t.Fatal(err)
				}
				if commit {
					err = s.Commit(ctx)
				} else {
					err = s.Rollback(ctx)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			enqueue("rolled back", false)
			enqueue("committed", true)
			enqueue("flaky", true)
			enqueue("hopeless", true)
			work(t, q, h)
			got := map[string]bool{}
			deadline := time.After(20 * time.Second)
			for len(got) < 2 {
				select {
				case text := <-ran:
					got[text] = true
				case <-deadline:
					t.Fatalf("jobs that ran: %v; want committed and flaky (retried)", got)
				}
			}
			time.Sleep(500 * time.Millisecond) // room for a wrong extra run
			mu.Lock()
			defer mu.Unlock()
			if seen["rolled back"] != 0 {
				t.Errorf("a job enqueued in a rolled-back transaction ran %d times", seen["rolled back"])
			}
			if seen["flaky"] != 2 {
				t.Errorf("the flaky job ran %d times, want 2 (one failure, one retry)", seen["flaky"])
			}
			if seen["hopeless"] != 1 {
				t.Errorf("a permanently failing job ran %d times, want 1", seen["hopeless"])
			}
		})
	}
}
