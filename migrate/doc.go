// Package migrate is the migration engine: revision files (dialect-neutral operations in
// YAML), autogeneration by diffing schemas, and the running of revisions on SQLite,
// PostgreSQL and MySQL/MariaDB under Alembic's version table. It knows nothing of the
// application that uses it and has no command line of its own: the `db` commands an
// application mounts are in package migratecmd.
//
// Programs that embed it start with NewProvider, whose Upgrade and Downgrade return typed
// results (revision, direction, duration, statements) and report progress per revision;
// Runner, which also stamps, lints and checks revisions, is the engine underneath.
package migrate
