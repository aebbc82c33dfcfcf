package mysql

import (
	"fmt"

	"github.com/microblog/microblog/migrate/dialect"
	"github.com/microblog/microblog/migrate/schema"
)

// MySQL/MariaDB need an index for every foreign key. When a revision drops the last index
// a key can use, the engine first creates one named after the key (fkIndexes). That
// index is not one of the models' (the replayed schema does not hold it), and whether a
// database has it depends on the path it took (a downgrade adds it, the upgrade planned
// from the history cannot know), so the engine drops it IF EXISTS whenever an op covers
// the key again with an index of the schema: create_index or create_unique, in a
// downgrade re-creating the dropped index or in any later revision. Otherwise it stayed
// behind, and the next drop of that index failed with "Duplicate key name" (issue 13,
// defect 8). The engine also creates it IF NOT EXISTS, so that a run resumed after a kill
// between its two statements does not trip over it. (Where the key came without an index,
// the index is InnoDB's own, and InnoDB drops it by itself when another covers the key:
// the statement then finds nothing to drop.)

// fkIndexesUnneeded returns the statements that drop the index named after each
// foreign key of the table that an op has just covered again.
func (d Dialect) fkIndexesUnneeded(before, after *schema.Table) []string {
	var stmts []string
	for _, fk := range after.ForeignKeys {
		if !dialect.Covered(after, fk.Columns) || dialect.Covered(before, fk.Columns) || after.Index(fk.Name) != nil {
			continue
		}
		stmts = append(stmts, fmt.Sprintf("DROP INDEX IF EXISTS %s ON %s", d.Quote(fk.Name), d.Quote(after.Name)))
	}
	return stmts
}

// fkIndexes returns the CREATE INDEX statements that give each foreign key of the
// table, left without a usable index by a drop, the index InnoDB would have created for
// it (named after the constraint, which is how InnoDB names it too).
func (d Dialect) fkIndexes(before, after *schema.Table) []string {
	var stmts []string
	for _, fk := range after.ForeignKeys {
		if dialect.Covered(after, fk.Columns) || !dialect.Covered(before, fk.Columns) {
			continue
		}
		stmts = append(stmts, fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s (%s)", d.Quote(fk.Name), d.Quote(after.Name), dialect.List(d, fk.Columns)))
	}
	return stmts
}
