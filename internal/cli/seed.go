package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/seed"
	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/migratecmd"
	"github.com/microblog/microblog/migrations"
)

func newSeedCommand(stdio IO) *cobra.Command {
	o := seed.Options{}
	var until string
	cmd := &cobra.Command{
		Use:   "seed",
		Short: "Fill an empty database with demo users, posts, follows and messages",
		Long: `Fill an empty database with demo data: users with profiles, posts in English,
Spanish and Portuguese spread over the past --days, follows, private messages and
their notifications. Pending revisions are applied first. The same flags give the
same rows (only the salted password hash differs), so that benchmarks can be repeated.

Every seeded user signs in with the password "` + seed.DemoPassword + `". This is demo data: never
seed a database that real people use. The command refuses a database that already
has users, posts, follows, messages or notifications; seed a new database, or empty
this one with "microblog db downgrade base" and "microblog db upgrade".`,
		Example: `  microblog seed
  microblog seed --users 10000 --posts-per-user 100 --follows 100 --seed 7`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			day, err := time.Parse(time.DateOnly, until)
			if until == "" {
				day = time.Now().UTC().Truncate(24 * time.Hour)
			} else if err != nil {
				return usageError{fmt.Errorf("seed: --until %q: want a date such as 2026-12-01", until)}
			}
			o.Until = day
			if err := o.Validate(); err != nil {
				return usageError{fmt.Errorf("seed: %w", err)}
			}
			ctx := cmd.Context()
			cfg, err := loadConfig(stdio)
			if err != nil {
				return err
			}
			start := time.Now()
			db, err := database.Open(ctx, cfg.DatabaseURL)
			if err != nil {
				return fmt.Errorf("seed: %w", err)
			}
			defer db.Close()
			if err := migrate.UpgradeToHead(ctx, db.SQL, db.Dialect, migrations.FS, migrations.Dir, migratecmd.AlembicNotices(stdio.Stderr)); err != nil {
				return fmt.Errorf("seed: migrations: %w", err)
			}
			fmt.Fprintf(stdio.Stdout, "Seeding %s: %d users, %d posts each, %d follows each, %d messages each (seed %d)\n",
				db.URL, o.Users, o.PostsPerUser, o.Follows, o.MessagesPerUser, o.Seed)
			o.Progress = newProgress(stdio.Stdout).update
			sum, err := seed.Run(ctx, db, o)
			if err != nil {
				return err
			}
			elapsed := time.Since(start)
			rows := sum.Users + sum.Posts + sum.Follows + sum.Messages + sum.Notifications
			fmt.Fprintf(stdio.Stdout, "Seeded %d users, %d posts, %d follows, %d messages, %d notifications in %s (%.0f rows/s).\n",
				sum.Users, sum.Posts, sum.Follows, sum.Messages, sum.Notifications, elapsed.Round(time.Millisecond), float64(rows)/elapsed.Seconds())
			fmt.Fprintf(stdio.Stdout, "Every user's password is %q (demo data): run `microblog run` and sign in as %s, or any other user.\n", seed.DemoPassword, sum.FirstUser)
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.Users, "users", 100, "users to create")
	f.IntVar(&o.PostsPerUser, "posts-per-user", 20, "posts each user writes")
	f.IntVar(&o.Follows, "follows", 10, "users each user follows (fewer than --users)")
	f.IntVar(&o.MessagesPerUser, "messages-per-user", 2, "private messages each user receives")
	f.Uint64Var(&o.Seed, "seed", 1, "selects the data: the same seed and flags give the same rows")
	f.StringVar(&until, "until", "", "date (YYYY-MM-DD, UTC) of the newest possible post (default today)")
	f.IntVar(&o.Days, "days", 365, "days before --until over which posts are spread")
	return cmd
}
