package migratecmd

import (
	"fmt"
	"io"
	"strings"

	"github.com/microblog/microblog/migrate"
)

// AlembicNotices returns a Runner's Notify that prints each notice to w as the line
// Alembic prints for it ("INFO  [alembic.runtime.migration] Running upgrade  -> …"), the
// output chapter 4 of the tutorial shows.
func AlembicNotices(w io.Writer) func(migrate.Notice) {
	return func(n migrate.Notice) {
		for _, line := range alembicLines(n) {
			fmt.Fprintf(w, "INFO  [alembic.runtime.migration] %s\n", line)
		}
	}
}

// alembicLines words a notice as Alembic does; a resumed revision, which Alembic has no
// line for, in the same style.
func alembicLines(n migrate.Notice) []string {
	switch n.Kind {
	case migrate.NoticeContext:
		ddl := "Will assume non-transactional DDL."
		if n.TransactionalDDL {
			ddl = "Will assume transactional DDL."
		}
		return []string{fmt.Sprintf("Context impl %s.", n.Impl), ddl}
	case migrate.NoticeUpgrade:
		return []string{fmt.Sprintf("Running upgrade %s -> %s, %s", strings.Join(n.Down, ", "), n.Revision, n.Message)}
	case migrate.NoticeDowngrade:
		return []string{fmt.Sprintf("Running downgrade %s -> %s, %s", n.Revision, strings.Join(n.Down, ", "), n.Message)}
	case migrate.NoticeResume:
		dir := "downgrade"
		if n.Upgrade {
			dir = "upgrade"
		}
		return []string{fmt.Sprintf("Resuming %s %s at statement %d of %d", dir, n.Revision, n.Statement, n.Statements)}
	case migrate.NoticeStamp:
		return []string{"Stamping " + strings.Join(n.Stamped, ", ")}
	}
	return []string{n.String()}
}
