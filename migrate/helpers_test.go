package migrate_test

import (
	"database/sql"

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
