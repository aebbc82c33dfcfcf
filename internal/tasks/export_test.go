package tasks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/jobs"
	"github.com/microblog/microblog/internal/mail"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
	"github.com/microblog/microblog/internal/tasks"
	"github.com/microblog/microblog/internal/testdb"
)

// exportDialects are the databases these tests run on (MySQL with its queue in Redis).
var exportDialects = testdb.Dialects

type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// exportFixture is a migrated database with a user, some posts and a launched export
// (task, notification, job committed), and the handlers' dependencies.
type exportFixture struct {
	db   *database.DB
	deps *tasks.Deps
	logs *logBuffer
	user *models.User
	task *models.Task
}

func newExportFixture(t *testing.T, dialect string, posts int) *exportFixture {
	t.Helper()
	ctx := context.Background()
	db := testdb.Migrated(t, dialect)
	q := testdb.Queue(t, db)
	cfg, err := config.Load(func(string) (string, bool) { return "", false }, "")
	if err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	f := &exportFixture{db: db, logs: logs, user: &models.User{Username: "susan", Email: "susan@example.com"},
		deps: &tasks.Deps{DB: db, Cfg: cfg, Log: slog.New(slog.NewTextHandler(logs, nil)), Mail: mail.New(cfg), Queue: q}}
	s := db.NewSession()
	defer s.Close()
	s.Add(f.user)
	for i := range posts {
		s.Add(&models.Post{Body: fmt.Sprintf("post %d", i), Author: f.user})
	}
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if f.task, err = tasks.LaunchExport(ctx, q, s, f.user.ID, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return f
}

// run runs the export handler once, as attempt n of max.
func (f *exportFixture) run(t *testing.T, args any, n, max int) error {
	t.Helper()
	raw, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	h := tasks.Handlers(f.deps)[jobs.KindExportPosts]
	return h(context.Background(), &jobs.Run{ID: "1", Kind: jobs.KindExportPosts, Args: raw, Attempt: n, MaxAttempts: max})
}

func (f *exportFixture) complete(t *testing.T) bool {
	t.Helper()
	s := f.db.NewSession()
	defer s.Close()
	task, err := store.TaskByID(context.Background(), s, f.task.ID)
	if err != nil {
		t.Fatal(err)
	}
	return task.Complete
}

// queuedEmails counts the e-mail jobs queued (no worker runs them here): in River's
// table, or in the outbox that feeds Redis.
func (f *exportFixture) queuedEmails(t *testing.T) int {
	t.Helper()
	table := map[string]string{"river": "river_job", "asynq": "job_outbox"}[f.deps.Queue.Backend()]
	var n int
	if err := f.db.Bun.NewRaw("SELECT count(*) FROM ? WHERE kind = ?", bun.Ident(table), jobs.KindSendEmail).Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// However often the job runs — a retry, an attempt rescued from a dead worker — the
// user gets one e-mail: a run that finds its task complete does nothing.
func TestExportRunsTwiceSendsOneEmail(t *testing.T) {
	for _, d := range exportDialects {
		t.Run(d, func(t *testing.T) {
			f := newExportFixture(t, d, 7)
			f.deps.ExportBatchSize = 2
			args := tasks.ExportArgs{TaskID: f.task.ID, UserID: f.user.ID}
			for attempt := 1; attempt <= 2; attempt++ {
				if err := f.run(t, args, attempt, tasks.ExportMaxAttempts); err != nil {
					t.Fatalf("attempt %d: %v", attempt, err)
				}
			}
			if !f.complete(t) {
				t.Fatal("the task is not complete")
			}
			if n := f.queuedEmails(t); n != 1 {
				t.Fatalf("%d e-mails queued, want 1", n)
			}
			if !strings.Contains(f.logs.String(), "export already done by an earlier attempt") {
				t.Errorf("the second run did not notice the finished task:\n%s", f.logs.String())
			}
		})
	}
}

// When the last attempt fails, the task is marked complete all the same (the export
// link comes back), progress goes to 100 and the failure is logged; earlier attempts
// leave the task for the retry. Here the posts table is really gone.
func TestExportFinalAttemptFailureCompletesTask(t *testing.T) {
	for _, d := range exportDialects {
		t.Run(d, func(t *testing.T) {
			f := newExportFixture(t, d, 3)
			if _, err := f.db.SQL.Exec("ALTER TABLE post RENAME TO post_elsewhere"); err != nil {
				t.Fatal(err)
			}
			args := tasks.ExportArgs{TaskID: f.task.ID, UserID: f.user.ID}
			if err := f.run(t, args, 1, 3); err == nil || jobs.IsPermanent(err) {
				t.Fatalf("first attempt: %v, want an error to retry", err)
			}
			if f.complete(t) {
				t.Fatal("a failed attempt that will be retried completed the task")
			}
			if err := f.run(t, args, 3, 3); err == nil {
				t.Fatal("the last attempt succeeded without a posts table")
			}
			if !f.complete(t) {
				t.Fatal("the failed last attempt left the task incomplete: the export link would never come back")
			}
			s := f.db.NewSession()
			defer s.Close()
			if list, err := store.TasksInProgress(context.Background(), s, f.user.ID); err != nil || len(list) != 0 {
				t.Fatalf("tasks in progress after giving up: %+v, %v", list, err)
			}
			var n models.Notification
			if err := s.NewSelect().Model(&n).Where("user_id = ? AND name = ?", f.user.ID, store.NotificationTaskProgress).Scan(context.Background()); err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf(`{"task_id":%q,"progress":100}`, f.task.ID); n.PayloadJSON != want {
				t.Errorf("progress %s, want %s", n.PayloadJSON, want)
			}
			if !strings.Contains(f.logs.String(), "level=ERROR msg=\"export failed; giving up\"") {
				t.Errorf("the failure was not logged:\n%s", f.logs.String())
			}
			if n := f.queuedEmails(t); n != 0 {
				t.Errorf("%d e-mails queued for a failed export", n)
			}
		})
	}
}

// Arguments naming no task, or a task of another user, fail permanently (no retry can
// fix them) and leave other users' tasks alone.
func TestExportBadArgumentsArePermanent(t *testing.T) {
	f := newExportFixture(t, database.SQLite, 1)
	for _, args := range []any{
		tasks.ExportArgs{TaskID: "00000000-0000-4000-8000-000000000000", UserID: f.user.ID},
		tasks.ExportArgs{TaskID: f.task.ID, UserID: f.user.ID + 1},
		"not an object",
	} {
		if err := f.run(t, args, 1, tasks.ExportMaxAttempts); !jobs.IsPermanent(err) {
			t.Errorf("%v: %v, want a permanent error", args, err)
		}
	}
	if f.complete(t) {
		t.Error("arguments naming another user completed susan's task")
	}
}
