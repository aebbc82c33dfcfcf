package migrate

import (
	"regexp"
	"strings"

	"github.com/microblog/microblog/migrate/schema"
)

// sqliteAddsInPlace reports whether SQLite's ALTER TABLE ADD COLUMN can add c to a table
// that may hold rows. On a table with rows SQLite refuses a NOT NULL column without a
// default ("Cannot add a NOT NULL column with default value NULL") and any default that
// is not a constant — CURRENT_TIMESTAMP, CURRENT_DATE, CURRENT_TIME or an expression
// ("Cannot add a column with non-constant default"). A revision cannot know whether the
// table has rows, so those columns are added by rebuilding the table, whose copy lets the
// new table's default fill the column.
func sqliteAddsInPlace(c *schema.Column) bool {
	if c.Default == nil {
		return c.Nullable
	}
	return constantDefault(*c.Default)
}

var (
	numberLiteral = regexp.MustCompile(`^[-+]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][-+]?[0-9]+)?$`)
	stringLiteral = regexp.MustCompile(`^'([^']|'')*'$`)
	blobLiteral   = regexp.MustCompile(`^[xX]'([0-9a-fA-F]{2})*'$`)
)

// constantDefault reports whether a default is a literal, which every row gets as is:
// a number, a quoted string, a blob, NULL, TRUE or FALSE.
func constantDefault(d string) bool {
	d = strings.TrimSpace(d)
	switch strings.ToUpper(d) {
	case "NULL", "TRUE", "FALSE":
		return true
	}
	return numberLiteral.MatchString(d) || stringLiteral.MatchString(d) || blobLiteral.MatchString(d)
}
