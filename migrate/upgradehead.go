package migrate

import (
	"context"
	"database/sql"
	"io/fs"
)

// UpgradeToHead applies every pending revision of the repository in fsys; applications
// call it at start-up. notify is told what it runs (nil for silence; see Notice).
func UpgradeToHead(ctx context.Context, db *sql.DB, dialect string, fsys fs.FS, dir string, notify func(Notice)) error {
	repo, err := LoadRepo(fsys, dir)
	if err != nil {
		return err
	}
	r := &Runner{DB: db, Dialect: dialect, Repo: repo, Notify: notify}
	return r.Upgrade(ctx, "heads")
}
