package dbcopy

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrations"
)

// checkRevisions requires the source at this program's head revision, and the target at
// the same head or at none (a new database, which it then upgrades to the head).
func checkRevisions(ctx context.Context, src, dst *database.DB, log io.Writer) error {
	repo, err := migrate.LoadRepo(migrations.FS, migrations.Dir)
	if err != nil {
		return fmt.Errorf("dbcopy: %w", err)
	}
	heads := repo.Heads()
	slices.Sort(heads)
	srcRev, err := (&migrate.Runner{DB: src.SQL, Dialect: src.Dialect, Repo: repo}).Current(ctx)
	if err != nil {
		return fmt.Errorf("dbcopy: the source's revision: %w", err)
	}
	if !slices.Equal(srcRev, heads) {
		return fmt.Errorf("%w: the source is at %s and this program's head is %s: upgrade the source first (DATABASE_URL=<source> microblog db upgrade)",
			ErrRevision, revs(srcRev), revs(heads))
	}
	dstRev, err := (&migrate.Runner{DB: dst.SQL, Dialect: dst.Dialect, Repo: repo}).Current(ctx)
	if err != nil {
		return fmt.Errorf("dbcopy: the target's revision: %w", err)
	}
	switch {
	case len(dstRev) == 0:
		fmt.Fprintf(log, "The target has no revision: upgrading it to %s.\n", revs(heads))
		if err := migrate.UpgradeToHead(ctx, dst.SQL, dst.Dialect, migrations.FS, migrations.Dir, nil); err != nil {
			return fmt.Errorf("dbcopy: upgrade the target: %w", err)
		}
	case !slices.Equal(dstRev, heads):
		return fmt.Errorf("%w: the target is at %s and the source at %s: copy into a new database, or bring the target to %s with `microblog db upgrade`",
			ErrRevision, revs(dstRev), revs(heads), revs(heads))
	}
	return nil
}

func revs(ids []string) string {
	if len(ids) == 0 {
		return "base (no revision)"
	}
	return "revision " + strings.Join(ids, ", ")
}
