package dialect

import "fmt"

// NumberPattern matches a number written as text (an extended regular expression).
const NumberPattern = `^[-+]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][-+]?[0-9]+)?$`

// PatternChecks writes the checks of Checks on values held as text with a regular
// expression, for a database that has one: NotMatch selects the values of e that do not
// match pattern; Text and Number are the dialect's own.
type PatternChecks struct {
	Text     func(e string) string
	Number   func(e string) string
	NotMatch func(e, pattern string) string
}

// NotInteger implements Checks.NotInteger.
func (p PatternChecks) NotInteger(col, lo, hi string) string {
	x := p.Text(col)
	return fmt.Sprintf("(CASE WHEN %s THEN 1 = 1 ELSE %s < %s OR %s > %s END)",
		p.NotMatch(x, `^[-+]?[0-9]{1,30}$`), p.Number(x), lo, p.Number(x), hi)
}

// NotNumber implements Checks.NotNumber.
func (p PatternChecks) NotNumber(col, cond string) string {
	return fmt.Sprintf("(CASE WHEN %s THEN 1 = 1 ELSE %s END)", p.NotMatch(p.Text(col), NumberPattern), cond)
}

// NotDate implements Checks.NotDate.
func (p PatternChecks) NotDate(col string) string {
	return p.NotMatch(p.Text(col), `^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
}

// NotDateTime implements Checks.NotDateTime.
func (p PatternChecks) NotDateTime(col string) string {
	return p.NotMatch(p.Text(col), `^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)?$`)
}
