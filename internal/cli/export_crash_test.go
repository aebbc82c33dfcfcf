package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/cli"
	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/jobs"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
	"github.com/microblog/microblog/internal/tasks"
	"github.com/microblog/microblog/internal/testdb"
	"github.com/microblog/microblog/internal/testsmtp"
)

// workerChildEnv makes TestExportWorkerChild run `microblog worker` in this test binary
// (a child process of TestExportSurvivesKilledWorker); its value is the pause between
// export batches.
const workerChildEnv = "MICROBLOG_TEST_EXPORT_WORKER_CHILD"

// crashPosts and crashBatch make the killed export long enough to stop midway: four
// batches with a pause after each.
const (
	crashPosts = 2000
	crashBatch = 500
)

// TestExportWorkerChild is not a test: it is `microblog worker`, run in a child process
// by TestExportSurvivesKilledWorker, with exports slowed down between batches.
func TestExportWorkerChild(t *testing.T) {
	pause := os.Getenv(workerChildEnv)
	if pause == "" {
		t.Skip("runs only as the child process of TestExportSurvivesKilledWorker")
	}
	d, err := time.ParseDuration(pause)
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	code := cli.Main(ctx, []string{"worker"}, cli.IO{Stdout: os.Stdout, Stderr: os.Stderr, Env: os.LookupEnv,
		EnvFile: filepath.Join(t.TempDir(), ".env"),
		TuneJobs: func(deps *tasks.Deps) {
			deps.ExportBatchSize = crashBatch
			deps.ExportPause = d
		}})
	os.Exit(code)
}

// A worker killed (SIGKILL) in the middle of an export loses nothing and duplicates
// nothing: once its job is found abandoned (JOB_RESCUE_AFTER), another worker runs it
// again from the start, and the user gets exactly one e-mail with every post.
func TestExportSurvivesKilledWorker(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a worker process and waits for the job to be rescued; skipped with -short")
	}
	// River in SQLite and PostgreSQL, asynq in Redis with MySQL.
	for _, d := range []string{database.SQLite, database.Postgres, database.MySQL} {
		t.Run(d, func(t *testing.T) { exportSurvivesKilledWorker(t, d) })
	}
}

func exportSurvivesKilledWorker(t *testing.T, dialect string) {
	ctx := context.Background()
	smtp := testsmtp.Start(t)
	url := testdb.URL(t, dialect)
	db, err := database.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := testdb.MigrateApp(db); err != nil {
		t.Fatal(err)
	}
	u := &models.User{Username: "susan", Email: "susan@example.com"}
	if _, err := db.Bun.NewInsert().Model(u).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	for start := 0; start < crashPosts; start += 500 {
		var posts []*models.Post
		for i := start; i < start+500; i++ {
			// Pairs of posts share a timestamp, so batches end in ties.
			posts = append(posts, &models.Post{Body: fmt.Sprintf("post %04d", i), UserID: u.ID, Timestamp: base.Add(time.Duration(i/2) * time.Second)})
		}
		if _, err := db.Bun.NewInsert().Model(&posts).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	opts := jobs.Options{Queue: testdb.RandomName("crash-")}
	// River finds the dead worker's job after JOB_RESCUE_AFTER; asynq after the worker's
	// lease (30 s) has been expired for 30 s, at its recoverer's next pass (every minute).
	rescue := 90 * time.Second
	if dialect == database.MySQL {
		opts.RedisURL = testdb.RedisURL(t)
		rescue = 180 * time.Second
	}
	q, err := jobs.Open(ctx, db, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	s := db.NewSession()
	task, err := tasks.LaunchExport(ctx, q, s, u.ID, "")
	if err == nil {
		err = s.Commit(ctx)
	}
	if err != nil {
		t.Fatal(err)
	}

	env := append(os.Environ(), "DATABASE_URL="+url, "JOB_RESCUE_AFTER=2s", "LOG_TO_STDOUT=1",
		"MAIL_SERVER=127.0.0.1", fmt.Sprintf("MAIL_PORT=%d", smtp.Port), "ADMINS=admin@example.com",
		"JOB_QUEUE="+opts.Queue, "REDIS_URL="+opts.RedisURL)
	startWorker := func(pause string) (*exec.Cmd, *syncBuffer) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestExportWorkerChild$", "-test.count=1")
		cmd.Env = append(env, workerChildEnv+"="+pause)
		out := &syncBuffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, out
	}
	progress := func() int {
		var n models.Notification
		err := db.Bun.NewSelect().Model(&n).Where("user_id = ? AND name = ?", u.ID, store.NotificationTaskProgress).Scan(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var d store.TaskProgressData
		if err := n.Data(&d); err != nil {
			t.Fatal(err)
		}
		return d.Progress
	}

	first, firstOut := startWorker("1s")
	killed := false
	defer func() {
		if !killed {
			first.Process.Kill()
			first.Wait()
		}
	}()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if p := progress(); p > 0 && p < 100 {
			t.Logf("killing the worker at %d%%", p)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the export never got under way; worker output:\n%s", firstOut.String())
		}
	}
	if err := first.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	first.Wait()
	killed = true
	if n := len(smtp.Messages()); n != 0 {
		t.Fatalf("%d e-mails before the export finished", n)
	}

	second, secondOut := startWorker("0s")
	defer func() {
		second.Process.Signal(syscall.SIGTERM)
		if err := second.Wait(); err != nil {
			t.Errorf("the second worker did not stop cleanly: %v\n%s", err, secondOut.String())
		}
	}()
	msgs := smtp.Wait(1, rescue)
	if len(msgs) != 1 {
		logJobs(t, db)
		t.Fatalf("%d e-mails after the second worker started, want 1; its output:\n%s", len(msgs), secondOut.String())
	}
	time.Sleep(2 * time.Second) // room for a wrong second e-mail
	if n := len(smtp.Messages()); n != 1 {
		t.Fatalf("%d e-mails, want exactly 1", n)
	}
	att, err := msgs[0].Attachment("posts.json")
	if err != nil {
		t.Fatal(err)
	}
	var export struct {
		Posts []struct{ Body, Timestamp string }
	}
	if err := json.Unmarshal(att.Data, &export); err != nil {
		t.Fatalf("posts.json: %v", err)
	}
	if len(export.Posts) != crashPosts {
		t.Fatalf("posts.json holds %d posts, want %d", len(export.Posts), crashPosts)
	}
	for i, p := range export.Posts {
		want := base.Add(time.Duration(i/2)*time.Second).Format("2006-01-02T15:04:05") + "Z"
		if p.Body != fmt.Sprintf("post %04d", i) || p.Timestamp != want {
			t.Fatalf("post %d is %+v, want post %04d at %s", i, p, i, want)
		}
	}
	s = db.NewSession()
	defer s.Close()
	got, err := store.TaskByID(ctx, s, task.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Complete || progress() != 100 {
		t.Fatalf("task complete %v, progress %d; want complete at 100", got.Complete, progress())
	}
	if !strings.Contains(secondOut.String(), "export done; e-mail queued") {
		t.Errorf("the second worker did not log the export:\n%s", secondOut.String())
	}
}

// logJobs logs River's job rows, to see why a job did not run.
func logJobs(t *testing.T, db *database.DB) {
	rows, err := db.SQL.Query("SELECT id, kind, state, attempt, attempted_at FROM river_job")
	if err != nil {
		t.Logf("river_job: %v", err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var id, attempt int
		var kind, state string
		var at any
		rows.Scan(&id, &kind, &state, &attempt, &at)
		t.Logf("job %d %s: %s, attempt %d started %v", id, kind, state, attempt, at)
	}
}
