// Package migrate is the migration engine: revision files (dialect-neutral operations in
// YAML), autogeneration by diffing schemas, and the running of revisions on SQLite,
// PostgreSQL and MySQL/MariaDB under Alembic's version table. It knows nothing of the
// application that uses it and has no command line of its own: the `db` commands an
// application mounts are in package migratecmd.
//
// Programs that embed it start with NewProvider, whose Upgrade and Downgrade return typed
// results (revision, direction, duration, statements) and report progress per revision;
// Runner, which also stamps, lints and checks revisions, is the engine underneath.
//
// The engine reports facts, never wording: a run tells what it does as Notice values
// (Runner.Notify; the Provider logs them), its progress as Event values (Runner.Watch,
// WithProgress), and its failures as errors to test with errors.Is and errors.As
// (ErrUnknownRevision, *RevisionError, …). Package migratecmd words all three as Alembic
// does, for the command line the Flask-Migrate tutorial shows.
//
// Each database is an implementation of dialect.Dialect (rendering, inspection, locking,
// guard checks and quirks) in a package of its own: migrate/dialect/sqlite,
// migrate/dialect/postgres and migrate/dialect/mysql are built in and known by name
// (LookupDialect); another database is a package implementing the interface, given with
// WithDialect:
//
//	p, err := migrate.NewProvider(db, "cockroach", src, migrate.WithDialect(cockroach.Dialect{}))
//
// The operations of revision files (Op, defined in package migrate/ops) and the schema
// model (migrate/schema) sit below the dialects, which import neither the engine nor each
// other.
package migrate
