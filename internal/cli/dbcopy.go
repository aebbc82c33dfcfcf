package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/dbcopy"
)

func newDBCopyCommand(stdio IO) *cobra.Command {
	var from, to string
	var batch int
	cmd := &cobra.Command{
		Use:   "copy --to URL [--from URL]",
		Short: "Copy every table of the site to another database (e.g. SQLite to PostgreSQL), and verify it",
		Long: `Copy the site's data to another database, of the same or another dialect: every
table of the app (users, posts, followers, messages, notifications, tasks, sessions,
rate limits, the job outbox), parents before children, in batches, each table in one
transaction. PostgreSQL sequences are then moved past the copied ids, and every table is
verified: same row count and same checksum of its values on both sides.

The source (--from, default DATABASE_URL) must be at this program's head revision; it is
read in one snapshot, so the copy is consistent even while the site runs (stop it for a
move, or later writes stay behind). The target must be a new database (it is brought to
the head revision first) or one at the head revision with empty tables. A copy that was
interrupted can be run again with the same flags: tables already copied are checked
and kept, the rest copied. Jobs waiting in River's or Redis's queue are not copied. See
docs/deploy-copy.md.`,
		Example: `  microblog db copy --from sqlite:///app.db --to postgres://microblog:secret@db.example.com/microblog`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if to == "" {
				return usageError{errors.New("db copy: --to: missing (the DATABASE_URL of the target)")}
			}
			if batch < 1 || batch > 100_000 {
				return usageError{fmt.Errorf("db copy: --batch-size %d: want 1 to 100000", batch)}
			}
			if from == "" {
				cfg, err := loadConfig(stdio)
				if err != nil {
					return err
				}
				from = cfg.DatabaseURL
			}
			srcT, err := database.ParseURL(from)
			if err != nil {
				return usageError{fmt.Errorf("db copy: --from: %w", err)}
			}
			dstT, err := database.ParseURL(to)
			if err != nil {
				return usageError{fmt.Errorf("db copy: --to: %w", err)}
			}
			if path, ok := sqliteFile(srcT); ok {
				if _, err := os.Stat(path); err != nil {
					return usageError{fmt.Errorf("db copy: --from %s: %w", srcT.Redacted, err)} // not created empty by opening it
				}
			}
			if srcT.Driver == dstT.Driver && srcT.DSN == dstT.DSN {
				return usageError{fmt.Errorf("db copy: --from and --to name the same database (%s)", srcT.Redacted)}
			}
			ctx := cmd.Context()
			start := time.Now()
			src, err := database.OpenTarget(ctx, srcT)
			if err != nil {
				return fmt.Errorf("db copy: source: %w", err)
			}
			defer src.Close()
			dst, err := database.OpenTarget(ctx, dstT)
			if err != nil {
				return fmt.Errorf("db copy: target: %w", err)
			}
			defer dst.Close()
			fmt.Fprintf(stdio.Stdout, "Copying %s to %s\n", src.URL, dst.URL)
			res, err := dbcopy.Copy(ctx, src, dst, dbcopy.Options{BatchSize: batch, Progress: newProgress(stdio.Stdout).update, Log: stdio.Stdout})
			if err != nil {
				return err
			}
			elapsed := time.Since(start)
			w := tabwriter.NewWriter(stdio.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(w, "table\trows\tchecksum\t\t")
			for _, t := range res.Tables {
				how := "copied in " + t.Duration.Round(time.Millisecond).String()
				if t.Kept {
					how = "kept (copied before)"
				}
				fmt.Fprintf(w, "%s\t%d\t%s\t%s\t\n", t.Name, t.Rows, t.Checksum, how)
			}
			w.Flush()
			fmt.Fprintf(stdio.Stdout, "Copied %d rows in %s (%.0f rows/s); every table verified (row count and checksum).\n",
				res.Rows, elapsed.Round(time.Millisecond), float64(res.Rows)/elapsed.Seconds())
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&from, "from", "", "DATABASE_URL of the source (default: DATABASE_URL)")
	f.StringVar(&to, "to", "", "DATABASE_URL of the target (required)")
	f.IntVar(&batch, "batch-size", dbcopy.DefaultBatchSize, "rows per INSERT or COPY")
	return cmd
}

// sqliteFile is the file of a SQLite target (not in memory).
func sqliteFile(t database.Target) (string, bool) {
	if t.Dialect != database.SQLite {
		return "", false
	}
	path, ok := strings.CutPrefix(t.DSN, "file:")
	path, _, _ = strings.Cut(path, "?")
	return path, ok && path != ":memory:" && path != ""
}
