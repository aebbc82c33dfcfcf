package mysql

import (
	"fmt"

	"github.com/microblog/microblog/migrate/dialect"
)

// The checks of guards, with regular expressions for values held as text.

// Text casts to CHAR.
func (Dialect) Text(e string) string { return "CAST(" + e + " AS CHAR)" }

// Length is CHAR_LENGTH(e).
func (Dialect) Length(e string) string { return "CHAR_LENGTH(" + e + ")" }

// Number casts to the widest DECIMAL.
func (Dialect) Number(e string) string { return "CAST(" + e + " AS DECIMAL(65, 30))" }

func (d Dialect) patterns() dialect.PatternChecks {
	return dialect.PatternChecks{Text: d.Text, Number: d.Number, NotMatch: func(e, pattern string) string {
		return fmt.Sprintf("NOT (%s REGEXP '%s')", e, pattern)
	}}
}

// NotInteger implements dialect.Checks.
func (d Dialect) NotInteger(col, lo, hi string) string { return d.patterns().NotInteger(col, lo, hi) }

// NotNumber implements dialect.Checks.
func (d Dialect) NotNumber(col, cond string) string { return d.patterns().NotNumber(col, cond) }

// NotDate implements dialect.Checks.
func (d Dialect) NotDate(col string) string { return d.patterns().NotDate(col) }

// NotDateTime implements dialect.Checks.
func (d Dialect) NotDateTime(col string) string { return d.patterns().NotDateTime(col) }

// HasTimeOfDay implements dialect.Checks.
func (Dialect) HasTimeOfDay(col string) string { return "TIME(" + col + ") <> '00:00:00'" }
