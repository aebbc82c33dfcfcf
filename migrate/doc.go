// Package migrate is microblog's migration engine: revisions written as dialect-neutral
// YAML files, applied to SQLite, PostgreSQL and MySQL/MariaDB under Alembic's version
// table. Programs that embed it start with NewProvider, whose Upgrade and Downgrade return
// typed results (revision, direction, duration, statements) and report progress per
// revision; Runner is the engine underneath.
package migrate
