package sqlite

import "fmt"

// SQLite has no regular expressions by default: the checks of values held as text use
// GLOB and SQLite's date functions.

// Text casts to TEXT.
func (Dialect) Text(e string) string { return "CAST(" + e + " AS TEXT)" }

// Length is length(e).
func (Dialect) Length(e string) string { return "length(" + e + ")" }

// Number is e: SQLite has only its own numbers.
func (Dialect) Number(e string) string { return e }

// NotInteger implements dialect.Checks.
func (d Dialect) NotInteger(col, lo, hi string) string {
	x := d.Text(col)
	u := fmt.Sprintf("(CASE WHEN substr(%s, 1, 1) IN ('-', '+') THEN substr(%s, 2) ELSE %s END)", x, x, x)
	return fmt.Sprintf("(%s = '' OR %s GLOB '*[^0-9]*' OR length(%s) > 30 OR CAST(%s AS REAL) < %s OR CAST(%s AS REAL) > %s)", u, u, u, x, lo, x, hi)
}

// NotNumber implements dialect.Checks.
func (d Dialect) NotNumber(col, cond string) string {
	x := d.Text(col)
	return fmt.Sprintf("(trim(%s) = '' OR %s GLOB '*[^-+.eE0-9]*' OR %s NOT GLOB '*[0-9]*' OR %s)", x, x, x, cond)
}

// HasTimeOfDay implements dialect.Checks.
func (Dialect) HasTimeOfDay(col string) string {
	return "strftime('%H:%M:%f', " + col + ") <> '00:00:00.000'"
}

// NotDate implements dialect.Checks.
func (Dialect) NotDate(col string) string {
	return fmt.Sprintf("(date(%s) IS NULL OR date(%s) <> %s)", col, col, col)
}

// NotDateTime implements dialect.Checks.
func (Dialect) NotDateTime(col string) string { return "datetime(" + col + ") IS NULL" }
