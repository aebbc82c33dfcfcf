package cli

import (
	"context"
	"database/sql"

	"github.com/spf13/cobra"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/migrate/bunschema"
	"github.com/microblog/microblog/migrate/migratecmd"
	"github.com/microblog/microblog/migrate/schema"
	"github.com/microblog/microblog/migrations"
)

// newDBCommand mounts the migration engine's commands as `microblog db`, with the app's
// models and database, and adds the app's own `db copy`.
func newDBCommand(stdio IO) *cobra.Command {
	cmd := migratecmd.NewCommand(migratecmd.Options{
		Directory: "migrations",
		Embedded:  migrations.FS,
		Models:    func() (*schema.Schema, error) { return bunschema.FromModels(models.All()...) },
		Open: func(ctx context.Context) (*sql.DB, string, error) {
			cfg, err := loadConfig(stdio)
			if err != nil {
				return nil, "", err
			}
			db, err := database.Open(ctx, cfg.DatabaseURL)
			if err != nil {
				return nil, "", err
			}
			return db.SQL, db.Dialect, nil
		},
	})
	cmd.AddCommand(newDBBackupCommand(stdio), newDBCopyCommand(stdio))
	return cmd
}
