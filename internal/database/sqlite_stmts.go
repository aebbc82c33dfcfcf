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

// maxCachedStmts bounds the statements one connection keeps prepared; past it, a new
// marked statement takes the place of one kept before. A page's reads are about five
// statements; each kept statement holds its compiled program in every pooled connection,
// and 64 of them raised the peak RSS of bench/load's home run (50 connections) by 9 MB.
const maxCachedStmts = 16

// cachedStmt returns the connection's prepared statement for query when ctx is marked by
// reuseStatement, preparing it the first time. It returns nil for an unmarked context or
// a statement that cannot be prepared (the plain path reports the error).
func (c *serialConn) cachedStmt(ctx context.Context, query string) driver.Stmt {
	if ctx.Value(reuseStmtKey{}) == nil {
		return nil
	}
	if st, ok := c.stmts[query]; ok {
		return st
	}
	if len(c.stmts) >= maxCachedStmts {
		// Full: one kept statement goes (any: statements whose text varies, such as
		// deep pages' offsets, must not keep the frequent ones out for good). None is
		// running: the connection runs one statement at a time and a kept statement's
		// rows are read to the end before the next.
		for q, st := range c.stmts {
			st.Close()
			delete(c.stmts, q)
			break
		}
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
