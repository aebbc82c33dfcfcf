package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/microblog/microblog/internal/database"
)

func newDBBackupCommand(stdio IO) *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Copy the SQLite database to FILE, consistently, while the site runs",
		Long: `Copy the SQLite database (DATABASE_URL) to a new file FILE with SQLite's VACUUM INTO:
one consistent snapshot, taken while the site keeps running, and compacted. FILE must
not exist. It works without the sqlite3 program (the container image has none).
PostgreSQL and MySQL/MariaDB have their own tools: pg_dump and mariadb-dump
(docs/deploy.md, "Backups").`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			file := args[0]
			if file == "" || strings.ContainsRune(file, 0) {
				return usageError{fmt.Errorf("db backup: FILE %q: want a file name", file)}
			}
			cfg, err := loadConfig(stdio)
			if err != nil {
				return err
			}
			target, err := database.ParseURL(cfg.DatabaseURL)
			if err != nil {
				return err
			}
			switch target.Dialect {
			case database.Postgres:
				return fmt.Errorf("db backup: DATABASE_URL is a PostgreSQL database: back it up with pg_dump (docs/deploy.md, \"Backups\")")
			case database.MySQL:
				return fmt.Errorf("db backup: DATABASE_URL is a MySQL/MariaDB database: back it up with mariadb-dump or mysqldump (docs/deploy.md, \"Backups\")")
			}
			if _, err := os.Lstat(file); err == nil {
				return fmt.Errorf("db backup: %s exists: give a new file name", file)
			} else if !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("db backup: %w", err)
			}
			db, err := database.OpenTarget(cmd.Context(), target)
			if err != nil {
				return err
			}
			defer db.Close()
			if _, err := db.SQL.ExecContext(cmd.Context(), "VACUUM INTO ?", file); err != nil {
				return fmt.Errorf("db backup: %s to %s: %w", db.URL, file, err)
			}
			info, err := os.Stat(file)
			if err != nil {
				return fmt.Errorf("db backup: %w", err)
			}
			fmt.Fprintf(stdio.Stdout, "Backed up %s to %s (%d bytes)\n", db.URL, file, info.Size())
			return nil
		},
	}
}
