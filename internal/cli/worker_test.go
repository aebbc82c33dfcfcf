package cli_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/cli"
	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/jobs"
	"github.com/microblog/microblog/internal/mail"
	"github.com/microblog/microblog/internal/tasks"
	"github.com/microblog/microblog/internal/testdb"
	"github.com/microblog/microblog/internal/testsmtp"
)

// process is a command running in-process until its context is cancelled.
type process struct {
	out    syncBuffer
	cancel context.CancelFunc
	code   chan int
}

func start(t *testing.T, env map[string]string, args ...string) *process {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &process{cancel: cancel, code: make(chan int, 1)}
	go func() {
		p.code <- cli.Main(ctx, args, cli.IO{Stdout: &p.out, Stderr: &p.out, EnvFile: filepath.Join(t.TempDir(), ".env"),
			Env: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
	}()
	t.Cleanup(func() { p.stop(t) })
	return p
}

// waitFor waits until the output holds s.
func (p *process) waitFor(t *testing.T, s string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if strings.Contains(p.out.String(), s) {
			return
		}
	}
	t.Fatalf("no %q in the output:\n%s", s, p.out.String())
}

// stop cancels the command (as SIGTERM does) and checks that it exits cleanly.
func (p *process) stop(t *testing.T) {
	t.Helper()
	if p.cancel == nil {
		return
	}
	p.cancel()
	p.cancel = nil
	select {
	case code := <-p.code:
		if code != 0 {
			t.Errorf("exit %d:\n%s", code, p.out.String())
		}
	case <-time.After(30 * time.Second):
		t.Errorf("did not stop within 30 s of its context ending:\n%s", p.out.String())
	}
}

// `run --workers 0` serves without running jobs; `microblog worker` runs them, as the
// tutorial's `rq worker microblog-tasks` does beside the web process.
// Both queues: River in SQLite, asynq in Redis with MySQL.
func TestWorkersRunInRunOrInWorker(t *testing.T) {
	for _, dialect := range []string{database.SQLite, database.MySQL} {
		t.Run(dialect, func(t *testing.T) { workersRunInRunOrInWorker(t, dialect) })
	}
}

func workersRunInRunOrInWorker(t *testing.T, dialect string) {
	smtp := testsmtp.Start(t)
	url := testdb.URL(t, dialect)
	env := map[string]string{"DATABASE_URL": url, "LOG_TO_STDOUT": "1", "MAIL_SERVER": "127.0.0.1",
		"MAIL_PORT": fmt.Sprint(smtp.Port), "ADMINS": "admin@example.com", "JOB_QUEUE": testdb.RandomName("test-")}
	opts := jobs.Options{Queue: env["JOB_QUEUE"]}
	if dialect == database.MySQL {
		env["REDIS_URL"] = testdb.RedisURL(t)
		opts.RedisURL = env["REDIS_URL"]
	}

	web := start(t, env, "run", "--workers", "0", "--addr", "127.0.0.1:0")
	web.waitFor(t, "listening")
	web.waitFor(t, "no workers in this process")

	ctx := context.Background()
	db, err := database.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q, err := jobs.Open(ctx, db, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	s := db.NewSession()
	tx, err := s.SQLTx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tasks.SendEmail(ctx, q, tx, mail.Message{To: []string{"susan@example.com"}, Subject: "queued", Text: "hello"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}

	if msgs := smtp.Wait(1, 2*time.Second); len(msgs) != 0 {
		t.Fatalf("run --workers 0 sent an e-mail: %q", msgs[0].Data)
	}
	worker := start(t, env, "worker")
	worker.waitFor(t, "workers started")
	msgs := smtp.Wait(1, 15*time.Second)
	if len(msgs) != 1 || !strings.Contains(string(msgs[0].Data), "Subject: queued") {
		t.Fatalf("after `microblog worker` started, %d e-mails arrived; want the queued one", len(msgs))
	}
	worker.stop(t)
	web.stop(t)
	if !strings.Contains(worker.out.String(), "workers stopped") {
		t.Errorf("the worker did not log its clean stop:\n%s", worker.out.String())
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(smtp.Messages()); n != 1 {
		t.Errorf("%d e-mails in all, want exactly 1", n)
	}
}
