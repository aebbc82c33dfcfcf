// Package dialect defines what the migration engine (package migrate) needs from a
// database: how to render the operations of a revision as SQL, how to read a live schema
// back, how to lock a run, the SQL of the checks that guard risky operations, and the
// database's quirks. Each database is one implementation of Dialect, in a package of its
// own; the built-in ones are migrate/dialect/sqlite, migrate/dialect/postgres and
// migrate/dialect/mysql (MySQL and MariaDB).
//
// Adding a dialect means adding a package: implement Dialect (the helpers of this
// package write the SQL that most databases share), then hand the implementation to the
// engine:
//
//	p, err := migrate.NewProvider(db, "cockroach", fsys, migrate.WithDialect(cockroach.Dialect{}))
//
// Revision files are dialect-neutral; an execute or require op may still give SQL per
// dialect, keyed by the implementation's Name.
package dialect

import (
	"context"
	"database/sql"

	"github.com/microblog/microblog/migrate/ops"
	"github.com/microblog/microblog/migrate/schema"
)

// Dialect is one database's implementation of everything the engine does differently per
// database.
type Dialect interface {
	// Name is the dialect's name, as given to migrate.NewProvider and used as the key of
	// an execute or require op's per-dialect SQL ("sqlite", "postgres", "mysql").
	Name() string
	// Quirks describes what the database can and cannot do (see Quirks).
	Quirks() Quirks

	Renderer
	Inspector
	Locker
	Checks
}

// Renderer writes the SQL of schema operations.
type Renderer interface {
	// Quote quotes an identifier (table, column, index or constraint name).
	Quote(name string) string
	// Type is the SQL of a portable type on this database, e.g. VARCHAR(140), BYTEA.
	Type(t schema.Type) string
	// ColumnDef is a column's definition in CREATE TABLE and ADD COLUMN: quoted name,
	// type (or the database's auto-increment form), NOT NULL, DEFAULT, and whatever else
	// the column needs inline (AUTO_INCREMENT, an enum's CHECK).
	ColumnDef(c *schema.Column) string
	// Render returns the statements of one schema operation (every kind but execute and
	// require, whose SQL the engine takes from the op itself), given the schema before
	// and after it. It must give the whole change, including what the database needs
	// around it (enum types to create or drop, a table rebuild, indexes a foreign key
	// needs), or an error naming the op when the database cannot do it.
	Render(before, after *schema.Schema, op *ops.Op) (Plan, error)
}

// Plan is the SQL one operation becomes.
type Plan struct {
	Statements []string
	// Rebuild is true when the statements rebuild a table (SQLite): the engine turns
	// foreign-key enforcement off around the transaction (PRAGMA foreign_keys=OFF, outside
	// it) and checks the keys (PRAGMA foreign_key_check) before it commits.
	Rebuild bool
}

// Inspector reads a live database's schema.
type Inspector interface {
	// Inspect reads every table of the database's current schema (or file), except the
	// engine's bookkeeping tables (alembic_version, migrate_history, migrate_progress) and
	// River's job tables (river_*), into the portable form: constraint names as created,
	// types as portable kinds. The order of the tables does not matter.
	Inspect(ctx context.Context, db *sql.DB) (*schema.Schema, error)
	// TableExistsQuery is a query returning count(*) > 0 when table exists in the
	// database's current schema.
	TableExistsQuery(table string) string
	// LiveType is the type the database keeps for t, as Inspect reads it back (a
	// database without a timezone-aware timestamp returns a plain one).
	LiveType(t schema.Type) schema.Type
	// LiveColumnType is LiveType for a column, which may depend on the column (SQLite's
	// auto-increment key is always INTEGER).
	LiveColumnType(c *schema.Column) schema.Type
	// LiveFKRule is a foreign key's ON DELETE / ON UPDATE action as Inspect reads it
	// back: "" for the database's default.
	LiveFKRule(rule string) string
}

// Locker serialises runs and prepares their session.
type Locker interface {
	// Lock takes the migration lock on conn for the whole run, waiting for another run
	// to finish, and returns its release. A database without session locks returns a
	// no-op and sets Quirks.SessionLock false: the engine then checks the version table
	// inside each revision's transaction instead.
	Lock(ctx context.Context, conn *sql.Conn) (unlock func(), err error)
	// Session prepares conn for the run (MySQL: strict SQL mode, so that no statement
	// cuts, rounds or invents a value) and returns what restores it afterwards.
	Session(ctx context.Context, conn *sql.Conn) (restore func(), err error)
	// GuardLock is the statement that locks table, inside a revision's transaction,
	// before a guard counts its rows, so that none slips in before the change; "" when
	// the change itself locks early enough.
	GuardLock(table string) string
}

// Checks writes the SQL expressions of the guards that check rows before an operation
// that could otherwise cut, round or reject them (e.g. narrowing a column). Each takes an
// expression or a quoted column and returns an SQL expression or condition.
type Checks interface {
	// Text is e cast to text.
	Text(e string) string
	// Length is the length of text e in characters.
	Length(e string) string
	// Number is e as an exact number.
	Number(e string) string
	// NotInteger selects the values of col (as text) that are not an integer written in
	// digits, or that lie outside lo..hi.
	NotInteger(col, lo, hi string) string
	// NotNumber selects the values of col (as text) that are not a number, or are numbers
	// for which cond (written on Number(col)) holds.
	NotNumber(col, cond string) string
	// HasTimeOfDay selects the timestamps of col that are not at midnight.
	HasTimeOfDay(col string) string
	// NotDate selects the values of col (as text) that are not a date YYYY-MM-DD.
	NotDate(col string) string
	// NotDateTime selects the values of col (as text) that are not a date and time.
	NotDateTime(col string) string
}

// Quirks are the facts about a database that steer the engine.
type Quirks struct {
	// AlembicImpl is Alembic's name for the database's implementation, for the
	// "Context impl" line (e.g. PostgresqlImpl).
	AlembicImpl string
	// TransactionalDDL is true when DDL statements run inside a transaction, so that a
	// revision applies whole or not at all. Without it each statement commits by itself
	// and the engine records its progress to resume a killed run.
	TransactionalDDL bool
	// SessionLock is true when Lock takes a real lock.
	SessionLock bool
	// PlacesColumns is true when an added column keeps its place (MySQL's AFTER, SQLite's
	// rebuild); false where it always goes last, and column order is then not compared
	// with the live database.
	PlacesColumns bool
	// UniquesAsIndexes is true when the database reports unique constraints as unique
	// indexes.
	UniquesAsIndexes bool
	// HistoryID is the definition of the history table's auto-increment id column.
	HistoryID string
	// NotNullWithoutDefault says, for db lint, what the database would do with a NOT NULL
	// column added without a default to a table with rows.
	NotNullWithoutDefault string
	// NonConstantDefault is appended to db lint's note on a column added with a
	// non-constant default ("" for nothing to add).
	NonConstantDefault string
	// UnenforcedTypes, when not "", is db lint's note on a type change whose values may
	// not convert, for a database that keeps them as they are.
	UnenforcedTypes string
	// IndexBuildBlocksWrites is true when CREATE INDEX in a transaction blocks writes to
	// the table while it builds, which db lint warns about on large tables.
	IndexBuildBlocksWrites bool
}
