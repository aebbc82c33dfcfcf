package database

import (
	"context"
	"database/sql/driver"
)

// reuseStmtKey marks a context whose statement a SQLite connection keeps prepared for
// the next time the same text comes, instead of parsing it again: the session's bound
// INSERTs, whose text repeats from commit to commit (see boundInsert). Only statements
// whose rows are read to the end and closed before the next statement on the connection
// may be marked, since one prepared statement runs one query at a time.
type reuseStmtKey struct{}

// reuseStatement marks ctx for reuseStmtKey.
func reuseStatement(ctx context.Context) context.Context {
	return context.WithValue(ctx, reuseStmtKey{}, true)
}

// maxCachedStmts bounds the statements one connection keeps prepared; past it, marked
// statements are parsed each time as the others are.
const maxCachedStmts = 64

// cachedStmt returns the connection's prepared statement for query when ctx is marked by
// reuseStatement, preparing it the first time. It returns nil for an unmarked context, a
// full cache, or a statement that cannot be prepared (the plain path reports the error).
func (c *serialConn) cachedStmt(ctx context.Context, query string) driver.Stmt {
	if ctx.Value(reuseStmtKey{}) == nil {
		return nil
	}
	if st, ok := c.stmts[query]; ok {
		return st
	}
	if len(c.stmts) >= maxCachedStmts {
		return nil
	}
	st, err := c.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	_, q := st.(driver.StmtQueryContext)
	_, e := st.(driver.StmtExecContext)
	if !q || !e {
		st.Close()
		return nil
	}
	if c.stmts == nil {
		c.stmts = make(map[string]driver.Stmt)
	}
	c.stmts[query] = st
	return st
}

// closeStmts closes the statements the connection kept prepared.
func (c *serialConn) closeStmts() {
	for q, st := range c.stmts {
		st.Close()
		delete(c.stmts, q)
	}
}
