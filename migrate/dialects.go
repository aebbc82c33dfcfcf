package migrate

import (
	"github.com/microblog/microblog/migrate/dialect"
	"github.com/microblog/microblog/migrate/dialect/mysql"
	"github.com/microblog/microblog/migrate/dialect/postgres"
	"github.com/microblog/microblog/migrate/dialect/sqlite"
)

// Names of the built-in dialects (see package migrate/dialect and its sub-packages).
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
	MySQL    = "mysql" // MySQL and MariaDB
)

// builtinDialects are the dialects the engine knows by name.
func builtinDialects() []dialect.Dialect {
	return []dialect.Dialect{sqlite.Dialect{}, postgres.Dialect{}, mysql.Dialect{}}
}

// LookupDialect returns the built-in dialect named name ("sqlite", "postgres" or
// "mysql"). Another database's dialect is given to NewProvider with WithDialect, or set
// as Runner.Impl.
func LookupDialect(name string) (dialect.Dialect, bool) {
	for _, d := range builtinDialects() {
		if d.Name() == name {
			return d, true
		}
	}
	return nil, false
}

// impl is the Runner's dialect: Impl, or the built-in one named Dialect (nil if none).
func (m *Runner) impl() dialect.Dialect {
	if m.Impl != nil {
		return m.Impl
	}
	d, _ := LookupDialect(m.Dialect)
	return d
}
