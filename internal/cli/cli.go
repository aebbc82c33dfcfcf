// Package cli is microblog's command tree: it wires configuration, the database and the
// application together behind cobra commands (`microblog run`, `microblog db …`).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"gopkg.in/natefinch/lumberjack.v2"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/logbatch"
	"github.com/microblog/microblog/internal/tasks"
)

// IO is what the commands read from and write to, so that tests can run them in-process.
type IO struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Env            config.Lookup
	// EnvFile is the .env file to read; empty means ".env" in the working directory.
	EnvFile string
	// TuneJobs is for tests only (nil otherwise): it adjusts the background jobs'
	// dependencies before workers start, e.g. to pause an export between batches so
	// that a test can kill the worker in the middle of it.
	TuneJobs func(*tasks.Deps)
}

// usageError marks errors in how the command was called (exit status 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// Main runs the command line and returns the process exit status: 0 on success, 1 when
// the command failed, 2 when it was called wrongly.
func Main(ctx context.Context, args []string, stdio IO) int {
	root := newRoot(stdio)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return 0
	}
	fmt.Fprintf(stdio.Stderr, "Error: %s\n", err)
	var ue usageError
	if errors.As(err, &ue) || isCobraUsageError(err) {
		if cmd != nil {
			fmt.Fprintf(stdio.Stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
		}
		return 2
	}
	return 1
}

// Cobra returns flag and argument errors as plain errors; recognise them by their text.
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument", "invalid argument", "accepts ", "requires at least", "requires at most", "required flag"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func newRoot(stdio IO) *cobra.Command {
	root := &cobra.Command{
		Use:   "microblog",
		Short: "The Flask Mega-Tutorial's microblog, in Go",
		Long: `microblog is a small social blogging application: users post short messages,
follow each other and read a timeline. It runs as one binary on SQLite by default,
or on PostgreSQL or MySQL/MariaDB when DATABASE_URL names one.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdio.Stdin)
	root.SetOut(stdio.Stdout)
	root.SetErr(stdio.Stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newRunCommand(stdio), newWorkerCommand(stdio), newDBCommand(stdio), newTranslateCommand(stdio),
		newSeedCommand(stdio), newHealthcheckCommand(stdio), newUsersCommand(stdio))
	root.AddCommand(newSearchCommand(stdio))
	return root
}

// loadConfig reads the configuration for a command.
func loadConfig(stdio IO) (*config.Config, error) {
	file := stdio.EnvFile
	if file == "" {
		file = ".env"
	}
	return config.Load(stdio.Env, file)
}

// newLogger logs as the tutorial's app does: with LOG_TO_STDOUT to standard output only;
// otherwise to standard error and to logs/microblog.log, rotated at 1 MB with 10 old
// files kept. LOG_FORMAT=json writes one JSON object per record instead of text. Records
// reach their destinations through a logbatch.Writer (many records to a write under
// load); the returned function passes on what waits and closes the file.
func newLogger(cfg *config.Config, stdio IO) (*slog.Logger, func()) {
	handler := func(w io.Writer) slog.Handler {
		if cfg.LogFormat == "json" {
			return slog.NewJSONHandler(w, nil)
		}
		return slog.NewTextHandler(w, nil)
	}
	if cfg.LogToStdout {
		batch := logbatch.New(stdio.Stdout, 0)
		return slog.New(handler(batch)), func() { batch.Close() }
	}
	file := &lumberjack.Logger{Filename: filepath.Join("logs", "microblog.log"), MaxSize: 1, MaxBackups: 10}
	batch := logbatch.New(io.MultiWriter(stdio.Stderr, file), 0)
	return slog.New(handler(batch)), func() {
		batch.Close()
		file.Close()
	}
}
