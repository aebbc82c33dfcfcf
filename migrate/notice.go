package migrate

import (
	"fmt"
	"strings"
)

// NoticeKind says what a Notice reports.
type NoticeKind int

// The notices a run gives, in the order they come.
const (
	// NoticeContext opens a run that has something to do: the database's implementation
	// and whether its DDL is transactional.
	NoticeContext NoticeKind = iota + 1
	// NoticeUpgrade and NoticeDowngrade: a revision is about to be applied or reverted.
	NoticeUpgrade
	NoticeDowngrade
	// NoticeResume: an interrupted non-transactional revision goes on at a statement.
	NoticeResume
	// NoticeStamp: the version table was set without running revisions.
	NoticeStamp
)

// Notice is one thing a Runner reports as it goes. The engine gives facts, never
// wording: package migratecmd words notices as Alembic's INFO lines, the Provider logs
// them through slog, and any caller may show them as it likes.
type Notice struct {
	Kind NoticeKind
	// Impl is Alembic's name for the database's implementation (the dialect's
	// Quirks().AlembicImpl: "SQLiteImpl", "PostgresqlImpl", "MySQLImpl"), and
	// TransactionalDDL whether DDL runs in transactions there (NoticeContext).
	Impl             string
	TransactionalDDL bool
	// Revision, Down (its parents; none at the first revision) and Message (its
	// message) name the revision (NoticeUpgrade, NoticeDowngrade, NoticeResume).
	Revision string
	Down     []string
	Message  string
	// Upgrade tells the direction of a resumed revision; Statement (counted from 1) is
	// the statement the run goes on at, of Statements (NoticeResume).
	Upgrade               bool
	Statement, Statements int
	// Stamped are the revisions the version table now holds (NoticeStamp).
	Stamped []string
}

// String is the notice in plain words, for logs.
func (n Notice) String() string {
	switch n.Kind {
	case NoticeContext:
		ddl := "non-transactional"
		if n.TransactionalDDL {
			ddl = "transactional"
		}
		return fmt.Sprintf("migration context: %s, %s DDL", n.Impl, ddl)
	case NoticeUpgrade:
		return fmt.Sprintf("running upgrade %s -> %s, %s", strings.Join(n.Down, ", "), n.Revision, n.Message)
	case NoticeDowngrade:
		return fmt.Sprintf("running downgrade %s -> %s, %s", n.Revision, strings.Join(n.Down, ", "), n.Message)
	case NoticeResume:
		return fmt.Sprintf("resuming %s %s at statement %d of %d", direction(n.Upgrade), n.Revision, n.Statement, n.Statements)
	case NoticeStamp:
		return "stamping " + strings.Join(n.Stamped, ", ")
	}
	return fmt.Sprintf("notice %d", int(n.Kind))
}

func direction(upgrade bool) string {
	if upgrade {
		return "upgrade"
	}
	return "downgrade"
}

// notify passes n to the Runner's Notify, if any.
func (m *Runner) notify(n Notice) {
	if m.Notify != nil {
		m.Notify(n)
	}
}
