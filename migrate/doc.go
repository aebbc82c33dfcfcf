// Package migrate is the migration engine: revision files (dialect-neutral operations in
// YAML), autogeneration by diffing schemas, and a Runner that applies, reverts, stamps,
// lints and checks revisions on SQLite, PostgreSQL and MySQL/MariaDB. It knows nothing of
// the application that uses it and has no command line of its own: the `db` commands an
// application mounts are in package migratecmd.
package migrate
