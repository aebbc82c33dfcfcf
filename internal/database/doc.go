// Package database opens microblog's database from a DATABASE_URL (SQLite by default,
// PostgreSQL or MySQL/MariaDB) and provides the Session, a unit of work in the style of
// SQLAlchemy's db.session: objects are added, changed and deleted in memory and written
// atomically by Commit, or discarded by Rollback.
package database
