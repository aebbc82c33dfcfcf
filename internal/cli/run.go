package cli

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/jobs"
	"github.com/microblog/microblog/internal/mail"
	"github.com/microblog/microblog/internal/server"
	"github.com/microblog/microblog/internal/store"
	"github.com/microblog/microblog/internal/tasks"
	"github.com/microblog/microblog/internal/web"
	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrations"
)

// slogWriter turns the migration engine's INFO lines into log records.
type slogWriter struct{ log *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		w.log.Info(strings.TrimPrefix(line, "INFO  [alembic.runtime.migration] "), "component", "migrate")
	}
	return len(p), nil
}

func newRunCommand(stdio IO) *cobra.Command {
	var addr, pprofAddr string
	var workers int
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Serve the application and run its background jobs (migrations are applied first)",
		Long: `Serve the application. Pending revisions are applied first, and background jobs
(e-mails, post exports) run in the same process unless --workers 0 is given, for sites
that run them with "microblog worker" instead.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if workers < 0 {
				return usageError{fmt.Errorf("run: --workers %d: want 0 or more", workers)}
			}
			ctx := cmd.Context()
			cfg, err := loadConfig(stdio)
			if err != nil {
				return err
			}
			log, closeLog := newLogger(cfg, stdio)
			defer closeLog()
			env, err := openEnvironment(ctx, cfg, log)
			if err != nil {
				return fmt.Errorf("run: %w", err)
			}
			defer env.close()
			if stdio.TuneJobs != nil {
				stdio.TuneJobs(env.deps)
			}
			app, err := web.New(env.db, cfg, log, env.queue)
			if err != nil {
				return fmt.Errorf("run: %w", err)
			}
			ctx, stop := context.WithCancel(ctx)
			defer stop()
			go app.SweepSessions(ctx, 10*time.Minute)
			var wg sync.WaitGroup
			workErr := make(chan error, 1)
			if workers > 0 {
				wg.Go(func() { workErr <- env.work(ctx, workers) })
			} else {
				log.Info("no workers in this process (--workers 0): run `microblog worker` for background jobs")
			}
			if pprofAddr != "" {
				stopProfiling, err := serveProfiles(pprofAddr, log)
				if err != nil {
					return fmt.Errorf("run: %w", err)
				}
				defer stopProfiling()
			}
			srv := server.New(server.Options{Addr: addr, DB: env.db, Log: log, Handler: app.Handler(), OnShutdown: app.CloseStreams})
			serveErr := srv.ListenAndServe(ctx)
			stop()
			wg.Wait()
			close(workErr)
			if serveErr != nil {
				return fmt.Errorf("run: %w", serveErr)
			}
			if err := <-workErr; err != nil {
				return fmt.Errorf("run: %w", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:5000", "address to listen on (host:port)")
	cmd.Flags().IntVar(&workers, "workers", 2, "background jobs run at once in this process (0: none, for a separate `microblog worker`)")
	cmd.Flags().StringVar(&pprofAddr, "pprof", "", "also serve Go's profiles (net/http/pprof) on this address, e.g. 127.0.0.1:6060 (never a public one); for benchmarks")
	return cmd
}

func newWorkerCommand(stdio IO) *cobra.Command {
	var workers int
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Run background jobs (e-mails, post exports) without serving pages",
		Long: `Run background jobs alone, as the tutorial's "rq worker microblog-tasks" does, for
sites that serve pages with "microblog run --workers 0". Any number of workers may run
against one database (or Redis); each job runs once. Stops cleanly on SIGINT or SIGTERM.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if workers < 1 {
				return usageError{fmt.Errorf("worker: --workers %d: want 1 or more", workers)}
			}
			cfg, err := loadConfig(stdio)
			if err != nil {
				return err
			}
			log, closeLog := newLogger(cfg, stdio)
			defer closeLog()
			env, err := openEnvironment(cmd.Context(), cfg, log)
			if err != nil {
				return fmt.Errorf("worker: %w", err)
			}
			defer env.close()
			if stdio.TuneJobs != nil {
				stdio.TuneJobs(env.deps)
			}
			if err := env.work(cmd.Context(), workers); err != nil {
				return fmt.Errorf("worker: %w", err)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&workers, "workers", 2, "background jobs run at once")
	return cmd
}

// environment is what both `run` and `worker` need: the database at head and the queue.
type environment struct {
	db    *database.DB
	queue jobs.Queue
	deps  *tasks.Deps
}

// openEnvironment opens the database, applies pending revisions and opens the job queue.
func openEnvironment(ctx context.Context, cfg *config.Config, log *slog.Logger) (*environment, error) {
	db, err := database.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	log.Info("database opened", "dialect", db.Dialect, "url", db.URL)
	if err := migrate.UpgradeToHead(ctx, db.SQL, db.Dialect, migrations.FS, migrations.Dir, slogWriter{log}); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrations: %w", err)
	}
	// Rows from before revision eb734d6789e7 (or from the Flask microblog) get the
	// username keys that lookups need; SQL cannot compute them.
	if n, err := store.FillUsernameKeys(ctx, db); err != nil {
		db.Close()
		return nil, err
	} else if n > 0 {
		log.Info("username keys filled", "users", n)
	}
	q, err := jobs.Open(ctx, db, jobs.Options{RedisURL: cfg.RedisURL, Queue: cfg.JobQueue, Log: log, RescueAfter: cfg.JobRescueAfter})
	if err != nil {
		db.Close()
		return nil, err
	}
	log.Info("job queue opened", "queue", q.Backend())
	deps := &tasks.Deps{DB: db, Cfg: cfg, Log: log, Mail: mail.New(cfg), Queue: q}
	return &environment{db: db, queue: q, deps: deps}, nil
}

// work runs the application's jobs until ctx ends.
func (e *environment) work(ctx context.Context, workers int) error {
	return e.queue.Work(ctx, tasks.Handlers(e.deps), workers)
}

func (e *environment) close() {
	e.queue.Close()
	e.db.Close()
}
