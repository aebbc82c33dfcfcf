package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/jobs"
	"github.com/microblog/microblog/internal/mail"
	"github.com/microblog/microblog/internal/metrics"
	"github.com/microblog/microblog/internal/server"
	"github.com/microblog/microblog/internal/store"
	"github.com/microblog/microblog/internal/tasks"
	"github.com/microblog/microblog/internal/web"
	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrations"
)

func newRunCommand(stdio IO) *cobra.Command {
	var addr, pprofAddr string
	var workers int
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Serve the application and run its background jobs (migrations are applied first)",
		Long: `Serve the application. Pending revisions are applied first, and background jobs
(e-mails, post exports) run in the same process unless --workers 0 is given, for sites
that run them with "microblog worker" instead.

The server listens at once: GET /healthz answers while the process is up, and
GET /readyz says whether the database answers, is at the head revision, and the job
queue answers (200 or 503, in JSON). A database server that is still starting is
waited for (DATABASE_WAIT). On SIGTERM or SIGINT no new connection is accepted and
requests in flight and running jobs get SHUTDOWN_TIMEOUT to finish.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if workers < 0 {
				return usageError{fmt.Errorf("run: --workers %d: want 0 or more", workers)}
			}
			cfg, err := loadConfig(stdio)
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("addr") {
				addr = defaultAddr(cfg)
			}
			log, closeLog := newLogger(cfg, stdio)
			defer closeLog()
			if pprofAddr != "" {
				stopProfiling, err := serveProfiles(pprofAddr, log)
				if err != nil {
					return fmt.Errorf("run: %w", err)
				}
				defer stopProfiling()
			}
			return serve(cmd.Context(), stdio, cfg, log, addr, workers)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:5000", "address to listen on (host:port); default :$PORT when PORT is set")
	cmd.Flags().IntVar(&workers, "workers", 2, "background jobs run at once in this process (0: none, for a separate `microblog worker`)")
	cmd.Flags().StringVar(&pprofAddr, "pprof", "", "also serve Go's profiles (net/http/pprof) on this address, e.g. 127.0.0.1:6060 (never a public one); for benchmarks")
	return cmd
}

// defaultAddr is where `run` listens without --addr: every interface at PORT when it is
// set (the PaaS convention), else the tutorial's 127.0.0.1:5000.
func defaultAddr(cfg *config.Config) string {
	if cfg.Port > 0 {
		return fmt.Sprintf(":%d", cfg.Port)
	}
	return "127.0.0.1:5000"
}

// serve is `microblog run`: listen, open the environment (answering probes meanwhile),
// mount the application, and serve until ctx ends.
func serve(ctx context.Context, stdio IO, cfg *config.Config, log *slog.Logger, addr string, workers int) error {
	// Until the application is open, /readyz reports how its start is going.
	var startup atomic.Pointer[string]
	opening := "opening the database"
	startup.Store(&opening)
	srv := server.New(server.Options{Addr: addr, Log: log, ShutdownTimeout: cfg.ShutdownTimeout,
		Ready: []server.Check{{Name: "startup", Run: func(context.Context) error { return errors.New(*startup.Load()) }}}})
	ln, err := srv.Listen()
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	// abort stops serving probes when the application cannot be opened.
	abort := func(err error) error {
		stop()
		<-served
		if errors.Is(err, context.Canceled) {
			log.Info("stopped before the database could be opened")
			return nil
		}
		return fmt.Errorf("run: %w", err)
	}
	env, err := openEnvironment(ctx, cfg, log, func(s string) { startup.Store(&s) })
	if err != nil {
		return abort(err)
	}
	defer env.close()
	if stdio.TuneJobs != nil {
		stdio.TuneJobs(env.deps)
	}
	app, err := web.New(env.db, cfg, log, env.queue)
	if err != nil {
		return abort(err)
	}
	checks, err := readinessChecks(env)
	if err != nil {
		return abort(err)
	}
	go app.SweepSessions(ctx, 10*time.Minute)
	var wg sync.WaitGroup
	if err := env.serveMetrics(ctx, &wg); err != nil {
		return abort(err)
	}
	workErr := make(chan error, 1)
	if workers > 0 {
		wg.Go(func() { workErr <- env.work(ctx, workers) })
	} else {
		log.Info("no workers in this process (--workers 0): run `microblog worker` for background jobs")
	}
	srv.Mount(env.instrument(app.Handler()), checks, app.CloseStreams) // logs "listening"
	serveErr := <-served
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
}

func newWorkerCommand(stdio IO) *cobra.Command {
	var workers int
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Run background jobs (e-mails, post exports) without serving pages",
		Long: `Run background jobs alone, as the tutorial's "rq worker microblog-tasks" does, for
sites that serve pages with "microblog run --workers 0". Any number of workers may run
against one database (or Redis); each job runs once. A database server that is still
starting is waited for (DATABASE_WAIT). Stops cleanly on SIGINT or SIGTERM: no new job is
fetched, and running ones get SHUTDOWN_TIMEOUT to finish before they are handed back to
the queue.`,
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
			env, err := openEnvironment(cmd.Context(), cfg, log, nil)
			if err != nil {
				if errors.Is(err, context.Canceled) {
					log.Info("stopped before the database could be opened")
					return nil
				}
				return fmt.Errorf("worker: %w", err)
			}
			defer env.close()
			if stdio.TuneJobs != nil {
				stdio.TuneJobs(env.deps)
			}
			ctx, stop := context.WithCancel(cmd.Context())
			defer stop()
			var wg sync.WaitGroup
			defer wg.Wait()
			if err := env.serveMetrics(ctx, &wg); err != nil {
				return fmt.Errorf("worker: %w", err)
			}
			if err := env.work(ctx, workers); err != nil {
				return fmt.Errorf("worker: %w", err)
			}
			stop()
			return nil
		},
	}
	cmd.Flags().IntVar(&workers, "workers", 2, "background jobs run at once")
	return cmd
}

// environment is what both `run` and `worker` need: the database at head and the queue.
type environment struct {
	db    *database.DB
	cfg   *config.Config
	log   *slog.Logger
	queue jobs.Queue
	deps  *tasks.Deps
	// metrics is nil unless METRICS_ADDR or METRICS_TOKEN is set.
	metrics *metrics.Metrics
}

// openEnvironment opens the database, applies pending revisions and opens the job queue.
// A database or Redis server that does not answer yet is tried again until
// cfg.DatabaseWait has passed (see retry); status, when set, is told each step.
func openEnvironment(ctx context.Context, cfg *config.Config, log *slog.Logger, status func(string)) (*environment, error) {
	if status == nil {
		status = func(string) {}
	}
	target, err := database.ParseURL(cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	wait := cfg.DatabaseWait
	if target.Dialect == database.SQLite {
		wait = 0 // a file that cannot be opened now will not open later
	}
	deadline := time.Now().Add(wait)
	db, err := retry(ctx, log, "database", deadline, status, func(ctx context.Context) (*database.DB, error) {
		return database.OpenTarget(ctx, target)
	})
	if err != nil {
		return nil, err
	}
	status("applying pending revisions")
	if err := prepareDatabase(ctx, db, log); err != nil {
		db.Close()
		return nil, err
	}
	q, err := retry(ctx, log, "job queue", deadline, status, func(ctx context.Context) (jobs.Queue, error) {
		return jobs.Open(ctx, db, jobs.Options{RedisURL: cfg.RedisURL, Queue: cfg.JobQueue, Log: log,
			RescueAfter: cfg.JobRescueAfter, StopTimeout: cfg.ShutdownTimeout})
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	log.Info("job queue opened", "queue", q.Backend())
	deps := &tasks.Deps{DB: db, Cfg: cfg, Log: log, Mail: mail.New(cfg), Queue: q}
	env := &environment{db: db, cfg: cfg, log: log, queue: q, deps: deps}
	if cfg.MetricsAddr != "" || cfg.MetricsToken != "" {
		env.metrics = metrics.New()
		env.metrics.WatchDB(db.SQL)
		env.metrics.WatchQueue(q, queueDepthTimeout, log)
		deps.Mail.Observe(env.metrics.ObserveMail)
	}
	return env, nil
}

// openDatabase opens the database (no waiting) and brings it to head, for commands that
// need no job queue.
func openDatabase(ctx context.Context, cfg *config.Config, log *slog.Logger) (*database.DB, error) {
	db, err := database.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := prepareDatabase(ctx, db, log); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// prepareDatabase brings an open database to head: pending revisions applied, username
// keys filled.
func prepareDatabase(ctx context.Context, db *database.DB, log *slog.Logger) error {
	log.Info("database opened", "dialect", db.Dialect, "url", db.URL)
	p, err := migrate.NewProvider(db.SQL, db.Dialect, migrations.FS, migrate.WithLogger(log))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Upgrade(ctx, "heads"); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	// MySQL/MariaDB: commits counted from now on, for the front cache's version.
	if err := db.EnableCommitCounter(ctx); err != nil {
		log.Warn("pages are read on every request: commits cannot be counted", "err", err)
	}
	// Rows from before revision eb734d6789e7 (or from the Flask microblog) get the
	// username keys that lookups need; SQL cannot compute them.
	if n, err := store.FillUsernameKeys(ctx, db); err != nil {
		return err
	} else if n > 0 {
		log.Info("username keys filled", "users", n)
	}
	return nil
}

// queueDepthTimeout bounds the job queue's count at each metrics scrape.
const queueDepthTimeout = 2 * time.Second

// work runs the application's jobs until ctx ends.
func (e *environment) work(ctx context.Context, workers int) error {
	handlers := tasks.Handlers(e.deps)
	if e.metrics != nil {
		handlers = e.metrics.WrapJobs(handlers)
	}
	return e.queue.Work(ctx, handlers, workers)
}

// instrument counts and times the requests h serves when metrics are on; with
// METRICS_TOKEN and no METRICS_ADDR it also serves them at /metrics (not counted).
func (e *environment) instrument(h http.Handler) http.Handler {
	if e.metrics == nil {
		return h
	}
	h = e.metrics.Instrument(h)
	if e.cfg.MetricsAddr != "" {
		return h
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", e.metrics.Handler(e.cfg.MetricsToken))
	mux.Handle("/", h)
	return mux
}

// serveMetrics serves the metrics on METRICS_ADDR, when set, until ctx ends; wg
// tracks the server. An address that cannot be listened on is an error at once.
func (e *environment) serveMetrics(ctx context.Context, wg *sync.WaitGroup) error {
	if e.metrics == nil || e.cfg.MetricsAddr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", e.cfg.MetricsAddr)
	if err != nil {
		return fmt.Errorf("metrics: listen on METRICS_ADDR: %w", err)
	}
	wg.Go(func() {
		if err := metrics.Serve(ctx, ln, e.metrics.Handler(e.cfg.MetricsToken), e.log); err != nil {
			e.log.Error("metrics server stopped", "err", err)
		}
	})
	return nil
}

func (e *environment) close() {
	e.queue.Close()
	e.db.Close()
}
