package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/jobs"
	"github.com/microblog/microblog/internal/mail"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
	"github.com/microblog/microblog/internal/tasks"
	"github.com/microblog/microblog/internal/testdb"
	"github.com/microblog/microblog/internal/testsmtp"
	"github.com/microblog/microblog/internal/web"
)

// exportDialects are the databases the export tests run on (MySQL with its queue in
// Redis).
var exportDialects = testdb.Dialects

// exportSite is a site whose e-mails go to a test SMTP server, with the job queue it
// enqueues to; workers run only once startWorkers is called.
type exportSite struct {
	*site
	smtp *testsmtp.Server
	q    jobs.Queue
	deps *tasks.Deps
	logs *syncBuffer
}

func newExportSite(t *testing.T, dialect string) *exportSite {
	t.Helper()
	smtp := testsmtp.Start(t)
	env := map[string]string{"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": fmt.Sprint(smtp.Port), "ADMINS": "admin@example.com"}
	cfg, err := config.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok }, "")
	if err != nil {
		t.Fatal(err)
	}
	db := testdb.Migrated(t, dialect)
	q := testdb.Queue(t, db)
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	app, err := web.New(db, cfg, log, q)
	if err != nil {
		t.Fatal(err)
	}
	app.KeepPasswordPages() // see newSiteWithPageSize
	return &exportSite{site: &site{t: t, srv: newServer(t, app), db: db}, smtp: smtp, q: q, logs: logs,
		deps: &tasks.Deps{DB: db, Cfg: cfg, Log: log, Mail: mail.New(cfg), Queue: q}}
}

// startWorkers runs the application's job handlers until the test ends.
func (s *exportSite) startWorkers(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.q.Work(ctx, tasks.Handlers(s.deps), 2) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Work: %v", err)
		}
	})
}

// exportTasks returns the user's export tasks.
func exportTasks(t *testing.T, db *database.DB, uid int64) []models.Task {
	t.Helper()
	var ts []models.Task
	if err := db.Bun.NewSelect().Model(&ts).Where("user_id = ? AND name = ?", uid, jobs.KindExportPosts).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return ts
}

// taskProgress is the progress in the user's task_progress notification, or -1.
func taskProgress(t *testing.T, db *database.DB, uid int64) store.TaskProgressData {
	t.Helper()
	var ns []models.Notification
	if err := db.Bun.NewSelect().Model(&ns).Where("user_id = ? AND name = ?", uid, store.NotificationTaskProgress).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(ns) != 1 {
		t.Fatalf("%d task_progress notifications, want 1", len(ns))
	}
	var d store.TaskProgressData
	if err := ns[0].Data(&d); err != nil {
		t.Fatal(err)
	}
	return d
}

const exportButton = `<form action="/export_posts" method="post"`

// The route: sign-in required, POST only, one export at a time with the tutorial's
// flash, always back to one's profile; the button is hidden while an export runs and
// every page shows its progress.
func TestExportPostsRoute(t *testing.T) {
	s := newExportSite(t, database.SQLite) // no workers: the task stays in progress
	anon := s.browser()
	expect(t, "anonymous export", anon.post("/export_posts", nil), http.StatusFound, "/auth/login?next=%2Fexport_posts")
	expect(t, "login page", anon.get("/auth/login"), http.StatusOK, "", "Please log in to access this page.")

	b := signedIn(t, s.site, "susan", false)
	uid := userID(t, s.site, "susan")
	expect(t, "own profile", b.get("/user/susan"), http.StatusOK, "", exportButton, "Export your posts")
	addUser(t, s.db, "john")
	if p := b.get("/user/john"); strings.Contains(p.body, exportButton) {
		t.Fatalf("another user's profile offers an export:\n%s", p.body)
	}
	// A GET starts nothing (the route is POST only; the app answers other methods as
	// unknown pages).
	if p := b.get("/export_posts"); p.status != http.StatusNotFound && p.status != http.StatusMethodNotAllowed {
		t.Fatalf("GET /export_posts: %d", p.status)
	}
	if n := len(exportTasks(t, s.db, uid)); n != 0 {
		t.Fatalf("GET /export_posts made %d tasks", n)
	}

	expect(t, "export", b.post("/export_posts", nil), http.StatusFound, "/user/susan")
	ts := exportTasks(t, s.db, uid)
	if len(ts) != 1 || ts[0].Complete || ts[0].Description == nil || *ts[0].Description != "Exporting posts..." || len(ts[0].ID) != 36 {
		t.Fatalf("tasks after the export: %+v", ts)
	}
	id := ts[0].ID
	if d := taskProgress(t, s.db, uid); d.TaskID != id || d.Progress != 0 {
		t.Fatalf("task_progress %+v, want %s at 0", d, id)
	}
	alert := func(progress int) string {
		return fmt.Sprintf(`<div class="alert alert-success" role="alert">Exporting posts... <span id="%s-progress">%d</span>%%</div>`, id, progress)
	}
	p := b.get("/user/susan")
	expect(t, "profile during the export", p, http.StatusOK, "", alert(0))
	if strings.Contains(p.body, exportButton) {
		t.Fatalf("the export button shows while an export runs:\n%s", p.body)
	}

	expect(t, "second export", b.post("/export_posts", nil), http.StatusFound, "/user/susan")
	expect(t, "its flash", b.get("/user/susan"), http.StatusOK, "", `<div class="alert alert-info" role="alert">An export task is currently in progress</div>`)
	if n := len(exportTasks(t, s.db, uid)); n != 1 {
		t.Fatalf("%d tasks after a second export, want 1", n)
	}

	// Progress as the job reports it, on every page.
	sess := s.db.NewSession()
	if _, err := store.AddNotification(context.Background(), sess, uid, store.NotificationTaskProgress, store.TaskProgressData{TaskID: id, Progress: 40}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/index", "/explore", "/user/john", "/edit_profile"} {
		expect(t, path, b.get(path), http.StatusOK, "", alert(40))
	}
	if p := s.browser().get("/auth/login"); strings.Contains(p.body, "alert-success") {
		t.Fatalf("an anonymous page shows a task:\n%s", p.body)
	}
	if p := signedIn(t, s.site, "mary", false).get("/index"); strings.Contains(p.body, "alert-success") {
		t.Fatalf("another user sees susan's task:\n%s", p.body)
	}
}

// Two tabs, a double click: requests at once record exactly one task and one job, and
// every one of them is answered with the redirect.
func TestExportPostsConcurrentSubmits(t *testing.T) {
	for _, d := range exportDialects {
		t.Run(d, func(t *testing.T) {
			s := newExportSite(t, d)
			b := signedIn(t, s.site, "susan", false)
			const n = 8
			var wg sync.WaitGroup
			pages := make([]page, n)
			start := make(chan struct{})
			for i := range n {
				wg.Go(func() {
					<-start
					pages[i] = b.post("/export_posts", nil)
				})
			}
			close(start)
			wg.Wait()
			for i, p := range pages {
				expect(t, fmt.Sprintf("request %d", i), p, http.StatusFound, "/user/susan")
			}
			if ts := exportTasks(t, s.db, userID(t, s.site, "susan")); len(ts) != 1 {
				t.Fatalf("%d tasks after %d requests at once, want 1: %+v", len(ts), n, ts)
			}
			// No worker runs: the jobs wait in River's table, or in the outbox that
			// feeds Redis.
			table := map[string]string{"river": "river_job", "asynq": "job_outbox"}[s.q.Backend()]
			var jobsN int
			if err := s.db.SQL.QueryRow("SELECT count(*) FROM " + table + " WHERE kind = 'export_posts'").Scan(&jobsN); err != nil {
				t.Fatal(err)
			}
			if jobsN != 1 {
				t.Fatalf("%d export jobs queued, want 1", jobsN)
			}
			if strings.Contains(s.logs.String(), "level=ERROR") {
				t.Fatalf("errors logged:\n%s", s.logs.String())
			}
		})
	}
}

// exportedPost is one entry of posts.json.
type exportedPost struct {
	Body      string `json:"body"`
	Timestamp string `json:"timestamp"`
}

// The whole path: the button, the job reading the posts in batches (ties on the
// timestamp across batch boundaries), progress, and one e-mail with posts.json exactly as
// the tutorial writes it — oldest first, Python's isoformat()+"Z" times, indent 4.
func TestExportPostsEndToEnd(t *testing.T) {
	for _, d := range exportDialects {
		t.Run(d, func(t *testing.T) {
			s := newExportSite(t, d)
			s.deps.ExportBatchSize = 3
			b := signedIn(t, s.site, "susan", false)
			uid := userID(t, s.site, "susan")
			addUser(t, s.db, "john")
			base := time.Date(2024, 3, 5, 14, 7, 9, 0, time.UTC)
			at := []time.Time{
				base.Add(2 * time.Hour), base, base.Add(123456 * time.Microsecond), base, base, base,
				base.Add(time.Hour), base.Add(500 * time.Millisecond), base.Add(2 * time.Hour), base.Add(-24 * time.Hour),
			}
			bodies := []string{"later", "first <b>&amp;</b>", "micro", `quote " and \ back`, "héllo wörld ✓", "tie 4",
				"hour", "half", "later too", "yesterday"}
			sess := s.db.NewSession()
			var posts []*models.Post
			for i := range at {
				p := &models.Post{Body: bodies[i], Timestamp: at[i], UserID: uid}
				posts = append(posts, p)
				sess.Add(p)
			}
			sess.Add(&models.Post{Body: "john's", Timestamp: base, UserID: userID(t, s.site, "john")})
			if err := sess.Commit(context.Background()); err != nil {
				t.Fatal(err)
			}
			slices.SortStableFunc(posts, func(a, b *models.Post) int {
				if c := a.Timestamp.Compare(b.Timestamp); c != 0 {
					return c
				}
				return int(a.ID - b.ID)
			})
			var want struct {
				Posts []exportedPost `json:"posts"`
			}
			for _, p := range posts {
				ts := p.Timestamp.Format("2006-01-02T15:04:05")
				if us := p.Timestamp.Nanosecond() / 1000; us != 0 {
					ts += fmt.Sprintf(".%06d", us)
				}
				want.Posts = append(want.Posts, exportedPost{p.Body, ts + "Z"})
			}
			var wantJSON bytes.Buffer
			enc := json.NewEncoder(&wantJSON)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "    ")
			enc.Encode(want)

			expect(t, "export", b.post("/export_posts", nil), http.StatusFound, "/user/susan")
			s.startWorkers(t)
			msgs := s.smtp.Wait(1, 30*time.Second)
			if len(msgs) != 1 {
				t.Fatalf("%d e-mails, want 1; log:\n%s", len(msgs), s.logs.String())
			}
			m := msgs[0]
			if !slices.Equal(m.To, []string{"susan@example.com"}) || m.From != "admin@example.com" {
				t.Errorf("e-mail from %s to %v", m.From, m.To)
			}
			hdr, err := m.Parse()
			if err != nil {
				t.Fatal(err)
			}
			if got := hdr.Header.Get("Subject"); got != "[Microblog] Your blog posts" {
				t.Errorf("subject %q", got)
			}
			text, err := m.Body("text/plain")
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range []string{"Dear susan,", "Please find attached the archive of your posts that you requested.", "Sincerely,", "The Microblog Team"} {
				if !strings.Contains(text, line) {
					t.Errorf("text body lacks %q:\n%s", line, text)
				}
			}
			if html, err := m.Body("text/html"); err != nil || !strings.Contains(html, "<p>Dear susan,</p>") {
				t.Errorf("HTML body %q, %v", html, err)
			}
			att, err := m.Attachment("posts.json")
			if err != nil {
				t.Fatal(err)
			}
			if att.ContentType != "application/json" {
				t.Errorf("posts.json is %s", att.ContentType)
			}
			if got, want := string(att.Data), strings.TrimSuffix(wantJSON.String(), "\n"); got != want {
				t.Fatalf("posts.json:\n%s\nwant:\n%s", got, want)
			}

			// The task completes with the e-mail (same transaction), so the page is
			// back to normal at once.
			ts := exportTasks(t, s.db, uid)
			if len(ts) != 1 || !ts[0].Complete {
				t.Fatalf("task after the e-mail: %+v", ts)
			}
			if d := taskProgress(t, s.db, uid); d.TaskID != ts[0].ID || d.Progress != 100 {
				t.Fatalf("task_progress %+v, want 100", d)
			}
			p := b.get("/user/susan")
			expect(t, "profile after the export", p, http.StatusOK, "", exportButton)
			if strings.Contains(p.body, "alert-success") {
				t.Fatalf("a finished task still shows:\n%s", p.body)
			}
			time.Sleep(300 * time.Millisecond)
			if n := len(s.smtp.Messages()); n != 1 {
				t.Fatalf("%d e-mails in all, want 1", n)
			}
			if strings.Contains(s.logs.String(), "level=ERROR") || strings.Contains(s.logs.String(), "level=WARN") {
				t.Fatalf("errors logged:\n%s", s.logs.String())
			}

			// A user without posts gets an empty list.
			mary := signedIn(t, s.site, "mary", false)
			expect(t, "empty export", mary.post("/export_posts", nil), http.StatusFound, "/user/mary")
			msgs = s.smtp.Wait(2, 30*time.Second)
			if len(msgs) != 2 {
				t.Fatalf("no e-mail for the empty export")
			}
			if att, err := msgs[1].Attachment("posts.json"); err != nil || string(att.Data) != "{\n    \"posts\": []\n}" {
				t.Fatalf("empty export %q, %v", att.Data, err)
			}
		})
	}
}
