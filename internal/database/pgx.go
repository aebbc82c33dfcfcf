package database

import (
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// PgxConn returns the pgx connection under a driver connection of a PostgreSQL database,
// as (*sql.Conn).Raw hands it to its function, or nil for another dialect. Bulk loaders
// use it for COPY, which database/sql cannot express.
func PgxConn(driverConn any) *pgx.Conn {
	if g, ok := driverConn.(*guardedConn); ok {
		driverConn = g.Conn
	}
	if c, ok := driverConn.(*stdlib.Conn); ok {
		return c.Conn()
	}
	return nil
}
