package migrate

import (
	"context"
	"database/sql"
	"io"
	"io/fs"
)

// UpgradeToHead applies every pending revision of the repository in fsys; applications
// call it at start-up. It logs what it runs to log (nil for silence).
func UpgradeToHead(ctx context.Context, db *sql.DB, dialect string, fsys fs.FS, dir string, log io.Writer) error {
	repo, err := LoadRepo(fsys, dir)
	if err != nil {
		return err
	}
	r := &Runner{DB: db, Dialect: dialect, Repo: repo, Log: log}
	return r.Upgrade(ctx, "heads")
}
