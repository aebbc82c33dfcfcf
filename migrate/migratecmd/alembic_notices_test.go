package migratecmd_test

import (
	"bytes"
	"testing"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/migratecmd"
)

// Every notice the engine gives is printed as the line Alembic prints for it.
func TestAlembicNoticesAreAlembicsLines(t *testing.T) {
	var b bytes.Buffer
	notify := migratecmd.AlembicNotices(&b)
	notify(migrate.Notice{Kind: migrate.NoticeContext, Impl: "SQLiteImpl", TransactionalDDL: true})
	notify(migrate.Notice{Kind: migrate.NoticeContext, Impl: "MySQLImpl"})
	notify(migrate.Notice{Kind: migrate.NoticeUpgrade, Revision: "e517276bb1c2", Message: "users table"})
	notify(migrate.Notice{Kind: migrate.NoticeUpgrade, Revision: "780739b227a7", Down: []string{"e517276bb1c2"}, Message: "posts table"})
	notify(migrate.Notice{Kind: migrate.NoticeDowngrade, Revision: "780739b227a7", Down: []string{"e517276bb1c2"}, Message: "posts table"})
	notify(migrate.Notice{Kind: migrate.NoticeDowngrade, Revision: "e517276bb1c2", Message: "users table"})
	notify(migrate.Notice{Kind: migrate.NoticeResume, Revision: "t100", Upgrade: true, Statement: 91, Statements: 300})
	notify(migrate.Notice{Kind: migrate.NoticeStamp, Stamped: []string{"aaa", "bbb"}})
	want := `INFO  [alembic.runtime.migration] Context impl SQLiteImpl.
INFO  [alembic.runtime.migration] Will assume transactional DDL.
INFO  [alembic.runtime.migration] Context impl MySQLImpl.
INFO  [alembic.runtime.migration] Will assume non-transactional DDL.
INFO  [alembic.runtime.migration] Running upgrade  -> e517276bb1c2, users table
INFO  [alembic.runtime.migration] Running upgrade e517276bb1c2 -> 780739b227a7, posts table
INFO  [alembic.runtime.migration] Running downgrade 780739b227a7 -> e517276bb1c2, posts table
INFO  [alembic.runtime.migration] Running downgrade e517276bb1c2 -> , users table
INFO  [alembic.runtime.migration] Resuming upgrade t100 at statement 91 of 300
INFO  [alembic.runtime.migration] Stamping aaa, bbb
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}
