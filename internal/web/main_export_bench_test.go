package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/jobs"
	"github.com/microblog/microblog/internal/mail"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/tasks"
	"github.com/microblog/microblog/internal/testdb"
	"github.com/microblog/microblog/internal/testsmtp"
	"github.com/microblog/microblog/internal/web"
)

// benchExportPosts is the size of the exported account.
const benchExportPosts = 10_000

// BenchmarkExportPosts measures an export of a user with 10,000 posts from the POST
// /export_posts request to the e-mail with posts.json arriving at an SMTP server, with
// the workers running in-process and the queue opened as `microblog run` opens it (its
// default poll interval: the export job and then its e-mail job may each wait up to one
// poll before they start). The target is under 2 s.
//
//	go test ./internal/web -run '^$' -bench ExportPosts -benchtime 5x
func BenchmarkExportPosts(b *testing.B) {
	for _, d := range testdb.Dialects {
		b.Run(d, func(b *testing.B) { benchExport(b, d) })
	}
}

func benchExport(b *testing.B, dialect string) {
	ctx := context.Background()
	smtp := testsmtp.Start(b)
	env := map[string]string{"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": fmt.Sprint(smtp.Port), "ADMINS": "admin@example.com"}
	cfg, err := config.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok }, "")
	if err != nil {
		b.Fatal(err)
	}
	db := testdb.Migrated(b, dialect)
	opts := jobs.Options{Queue: testdb.RandomName("bench-"), StopTimeout: 5 * time.Second} // default PollInterval
	if dialect == database.MySQL {
		opts.RedisURL = testdb.RedisURL(b)
	}
	q, err := jobs.Open(ctx, db, opts)
	if err != nil {
		b.Fatal(err)
	}
	defer q.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	app, err := web.New(db, cfg, log, q)
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(app.Handler())
	defer ts.Close()
	srv := ts.URL

	u := &models.User{Username: "susan", Email: "susan@example.com"}
	if err := u.SetPassword(sessionTestPassword); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Bun.NewInsert().Model(u).Exec(ctx); err != nil {
		b.Fatal(err)
	}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < benchExportPosts; i += 1000 {
		posts := make([]*models.Post, 0, 1000)
		for j := i; j < i+1000; j++ {
			posts = append(posts, &models.Post{Body: fmt.Sprintf("post number %d, with some words to make it a typical length for a short post", j),
				UserID: u.ID, Timestamp: start.Add(time.Duration(j) * 1234567 * time.Microsecond)})
		}
		if _, err := db.Bun.NewInsert().Model(&posts).Exec(ctx); err != nil {
			b.Fatal(err)
		}
	}

	workCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- q.Work(workCtx, tasks.Handlers(&tasks.Deps{DB: db, Cfg: cfg, Log: log, Mail: mail.New(cfg), Queue: q}), 2)
	}()
	defer func() { stop(); <-done }()

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(path string, form url.Values) *http.Response {
		resp, err := c.PostForm(srv+path, form)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	if resp := post("/auth/login", url.Values{"username": {"susan"}, "password": {sessionTestPassword}}); resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/index" {
		b.Fatalf("login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}

	n := 0
	var bytes int
	for b.Loop() {
		if resp := post("/export_posts", nil); resp.StatusCode != http.StatusFound {
			b.Fatalf("export: %d", resp.StatusCode)
		}
		n++
		msgs := smtp.Wait(n, 60*time.Second)
		if len(msgs) != n {
			b.Fatalf("export %d: no e-mail", n)
		}
		bytes = len(msgs[n-1].Data)
		// The next export may start at once: the task completed with the e-mail's job.
	}
	b.StopTimer()
	att, err := smtp.Messages()[n-1].Attachment("posts.json")
	if err != nil || !strings.HasSuffix(string(att.Data), "}\n    ]\n}") || strings.Count(string(att.Data), `"body"`) != benchExportPosts {
		b.Fatalf("posts.json does not hold the %d posts: %v", benchExportPosts, err)
	}
	b.ReportMetric(float64(bytes)/1e6, "MB-email")
}
