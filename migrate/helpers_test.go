package migrate_test

import (
	"database/sql"
	"os"

	"github.com/microblog/microblog/migrate/internal/migratetest"
)

var _ = sql.ErrNoRows

// The engine's test helpers, shared with package migratecmd: see migrate/internal/migratetest.
var (
	repoFS         = migratetest.RepoFS
	chain          = migratetest.Chain
	runner         = migratetest.Runner
	forEachDialect = migratetest.ForEachDialect
	canonical      = migratetest.Canonical
	inspect        = migratetest.Inspect
	fillRows       = migratetest.FillRows
	valueFor       = migratetest.ValueFor
	current        = migratetest.Current
	col            = migratetest.Col
	str            = migratetest.Str
	withDefault    = migratetest.WithDefault
	idCol          = migratetest.IDCol
	table          = migratetest.Table
	fk             = migratetest.FK
	index          = migratetest.Index
	sch            = migratetest.Sch
	users          = migratetest.Users
	posts          = migratetest.Posts
	handRevision   = migratetest.HandRevision
	quoteFor       = migratetest.QuoteFor
)

// appHistory is the migration history of a real application: microblog's revisions,
// copied into testdata as a fixture (testdata/apphistory/README), so that these tests
// import nothing of the app.
var appHistory = os.DirFS(appHistoryDir)

const appHistoryDir = "testdata/apphistory"
