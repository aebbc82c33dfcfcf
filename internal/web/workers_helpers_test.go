package web_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/mail"
	"github.com/microblog/microblog/internal/tasks"
	"github.com/microblog/microblog/internal/testdb"
	"github.com/microblog/microblog/internal/web"
)

// newWorkingSite is a real HTTP server over a migrated database of the given dialect,
// with cfg adjusted by tune (may be nil) and its log kept in the returned buffer, whose
// background jobs (e-mails) run on workers goroutines of the real queue, as `microblog
// run` runs them; with 0 workers they stay queued.
func newWorkingSite(t *testing.T, dialect string, tune func(*config.Config), workers int) (*site, *web.App, *syncBuffer) {
	t.Helper()
	return newTunedSite(t, dialect, tune, workers, nil)
}

// newTunedSite is newWorkingSite whose job handlers are adjusted by tuneJobs (may be nil).
func newTunedSite(t *testing.T, dialect string, tune func(*config.Config), workers int, tuneJobs func(*tasks.Deps)) (*site, *web.App, *syncBuffer) {
	t.Helper()
	db := testdb.Migrated(t, dialect)
	cfg, err := config.Load(func(string) (string, bool) { return "", false }, "")
	if err != nil {
		t.Fatal(err)
	}
	if tune != nil {
		tune(cfg)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	q := testdb.Queue(t, db)
	app, err := web.New(db, cfg, log, q)
	if err != nil {
		t.Fatal(err)
	}
	app.KeepPasswordPages() // see newSiteWithPageSize
	if workers > 0 {
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan error, 1)
		deps := &tasks.Deps{DB: db, Cfg: cfg, Log: log, Mail: mail.New(cfg), Queue: q}
		if tuneJobs != nil {
			tuneJobs(deps)
		}
		go func() { done <- q.Work(ctx, tasks.Handlers(deps), workers) }()
		// Registered after the queue's Close, so it runs before it.
		t.Cleanup(func() {
			stop()
			if err := <-done; err != nil {
				t.Errorf("workers: %v", err)
			}
		})
	}
	return &site{t: t, srv: newServer(t, app), db: db}, app, logs
}
