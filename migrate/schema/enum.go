package schema

import (
	"fmt"
	"slices"
	"strings"
)

// EnumValues returns an Enum's values in order.
func (t Type) EnumValues() []string {
	if t.Values == "" {
		return nil
	}
	return strings.Split(t.Values, ",")
}

// EnumArgs renders the values as SQL string literals: 'draft', 'published'.
func (t Type) EnumArgs() string {
	vals := t.EnumValues()
	for i, v := range vals {
		vals[i] = "'" + v + "'"
	}
	return strings.Join(vals, ", ")
}

// parseEnum parses enum(a,b), enum:name(a,b) and MySQL's enum('a','b'). Values keep
// their case; they may not be empty, repeat, or hold quotes, commas or backslashes.
func parseEnum(s string) (Type, error) {
	s = strings.TrimSpace(s)
	rest := s[len("enum"):]
	t := Type{Kind: Enum}
	open := strings.Index(rest, "(")
	if open < 0 || !strings.HasSuffix(rest, ")") {
		return Type{}, fmt.Errorf("type %q: want enum(a,b,…) or enum:NAME(a,b,…)", s)
	}
	if name, ok := strings.CutPrefix(rest[:open], ":"); ok {
		t.EnumName = strings.TrimSpace(name)
		if t.EnumName == "" || strings.ContainsAny(t.EnumName, "\"'`(), ") {
			return Type{}, fmt.Errorf("type %q: enum name %q is not a plain identifier", s, t.EnumName)
		}
	} else if strings.TrimSpace(rest[:open]) != "" {
		return Type{}, fmt.Errorf("type %q: want enum(a,b,…) or enum:NAME(a,b,…)", s)
	}
	var vals []string
	for _, v := range strings.Split(rest[open+1:len(rest)-1], ",") {
		v = strings.TrimSpace(v)
		if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
			v = v[1 : len(v)-1]
		}
		if v == "" || strings.ContainsAny(v, "'\"\\,") {
			return Type{}, fmt.Errorf("type %q: enum value %q must be non-empty without quotes, commas or backslashes", s, v)
		}
		if slices.Contains(vals, v) {
			return Type{}, fmt.Errorf("type %q: enum value %q appears twice", s, v)
		}
		vals = append(vals, v)
	}
	t.Values = strings.Join(vals, ",")
	return t, nil
}
