package migrate

import (
	"fmt"
	"strings"

	"github.com/microblog/microblog/migrate/dialect"
	"github.com/microblog/microblog/migrate/schema"
)

// Plan is the SQL one op becomes on one dialect.
type Plan struct {
	Statements []string
	// Rebuild is true when SQLite rebuilds a table: foreign-key enforcement must be off
	// around the transaction, and PRAGMA foreign_key_check must pass before it commits.
	Rebuild bool
	// Require is a require op's check on this dialect (nil for other ops, and for a
	// require that gives no query for this dialect).
	Require *Requirement
	// Guards check the rows just before the statements run (see Guard).
	Guards []*Guard
}

// Render turns op into SQL for the built-in dialect named dialect, given the schema
// before the op (replayed from the revision history, so SQLite rebuilds know every
// table's exact shape).
func Render(dialect string, before *schema.Schema, op *Op) (Plan, error) {
	d, ok := LookupDialect(dialect)
	if !ok {
		return Plan{}, errUnknownDialect(dialect)
	}
	p, _, err := renderOp(d, before, op)
	return p, err
}

func errUnknownDialect(name string) error {
	return fmt.Errorf("migrate: unknown dialect %q (want sqlite, postgres or mysql)", name)
}

// renderOp is Render that also returns the schema after op (which shares with before the
// tables op leaves alone; before is not changed). Execute and require ops take their SQL
// from the op; the dialect renders the others.
func renderOp(d dialect.Dialect, before *schema.Schema, op *Op) (Plan, *schema.Schema, error) {
	after, err := applied(before, op)
	if err != nil {
		return Plan{}, nil, err
	}
	var p Plan
	switch op.Kind {
	case OpRequire:
		if sql := op.SQLOn(d.Name()); strings.TrimSpace(sql) != "" {
			p.Require = &Requirement{Query: sql, Message: op.Message, Fix: op.Fix, Tables: op.Tables, Line: op.Line}
		}
	case OpExecute:
		if sql := op.SQLOn(d.Name()); strings.TrimSpace(sql) != "" {
			p.Statements = []string{sql}
		}
	default:
		var dp dialect.Plan
		dp, err = d.Render(before, after, op)
		p = Plan{Statements: dp.Statements, Rebuild: dp.Rebuild}
	}
	p.Guards = guardsFor(d, before, op)
	return p, after, err
}
