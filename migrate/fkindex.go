package migrate

import (
	"fmt"

	"github.com/microblog/microblog/migrate/schema"
)

// MySQL/MariaDB need an index for every foreign key. When a revision drops the last index
// a key can use, the engine first creates one named after the key (mysqlFKIndexes). That
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

// mysqlFKIndexesUnneeded returns the statements that drop the index named after each
// foreign key of the table that an op has just covered again.
func (r renderer) mysqlFKIndexesUnneeded(before, after *schema.Table) []string {
	var stmts []string
	for _, fk := range after.ForeignKeys {
		if !covered(after, fk.Columns) || covered(before, fk.Columns) || after.Index(fk.Name) != nil {
			continue
		}
		stmts = append(stmts, fmt.Sprintf("DROP INDEX IF EXISTS %s ON %s", r.q(fk.Name), r.q(after.Name)))
	}
	return stmts
}
