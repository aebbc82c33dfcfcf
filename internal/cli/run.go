package cli

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/server"
	"github.com/microblog/microblog/internal/store"
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
	var addr string
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Serve the application (migrations are applied first)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			cfg, err := loadConfig(stdio)
			if err != nil {
				return err
			}
			log, closeLog := newLogger(cfg, stdio)
			defer closeLog()
			db, err := database.Open(ctx, cfg.DatabaseURL)
			if err != nil {
				return err
			}
			defer db.Close()
			log.Info("database opened", "dialect", db.Dialect, "url", db.URL)
			if err := migrate.UpgradeToHead(ctx, db.SQL, db.Dialect, migrations.FS, migrations.Dir, slogWriter{log}); err != nil {
				return fmt.Errorf("run: migrations: %w", err)
			}
			// Rows from before revision eb734d6789e7 (or from the Flask microblog) get the
			// username keys that lookups need; SQL cannot compute them.
			if n, err := store.FillUsernameKeys(ctx, db); err != nil {
				return fmt.Errorf("run: %w", err)
			} else if n > 0 {
				log.Info("username keys filled", "users", n)
			}
			app, err := web.New(db, cfg, log)
			if err != nil {
				return fmt.Errorf("run: %w", err)
			}
			go app.SweepSessions(ctx, 10*time.Minute)
			srv := server.New(server.Options{Addr: addr, DB: db, Log: log, Handler: app.Handler()})
			if err := srv.ListenAndServe(ctx); err != nil {
				return fmt.Errorf("run: %w", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:5000", "address to listen on (host:port)")
	return cmd
}
