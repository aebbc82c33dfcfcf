package dialect

import (
	"regexp"
	"strings"
)

var (
	numberLiteral = regexp.MustCompile(`^[-+]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][-+]?[0-9]+)?$`)
	stringLiteral = regexp.MustCompile(`^'([^']|'')*'$`)
	blobLiteral   = regexp.MustCompile(`^[xX]'([0-9a-fA-F]{2})*'$`)
)

// ConstantDefault reports whether a default is a literal, which every row gets as is:
// a number, a quoted string, a blob, NULL, TRUE or FALSE.
func ConstantDefault(d string) bool {
	d = strings.TrimSpace(d)
	switch strings.ToUpper(d) {
	case "NULL", "TRUE", "FALSE":
		return true
	}
	return numberLiteral.MatchString(d) || stringLiteral.MatchString(d) || blobLiteral.MatchString(d)
}
