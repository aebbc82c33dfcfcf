package schema

import (
	"fmt"
	"strconv"
	"strings"
)

// Spec renders the type the way revision files spell it: integer, varchar(64), numeric(10,2).
func (t Type) Spec() string {
	switch t.Kind {
	case String:
		return fmt.Sprintf("varchar(%d)", t.Length)
	case Numeric:
		return fmt.Sprintf("numeric(%d,%d)", t.Precision, t.Scale)
	case Integer:
		return "integer"
	case BigInteger:
		return "bigint"
	case SmallInt:
		return "smallint"
	case DateTime:
		if t.Timezone {
			return "timestamptz"
		}
		return "datetime"
	case Binary:
		return "blob"
	case Enum:
		if t.EnumName != "" {
			return "enum:" + t.EnumName + "(" + t.Values + ")"
		}
		return "enum(" + t.Values + ")"
	}
	return string(t.Kind)
}

// ParseType parses an SQL type name such as varchar(64), text, bigint, numeric(10,2)
// into a portable type.
func ParseType(s string) (Type, error) {
	if l := strings.ToLower(strings.TrimSpace(s)); strings.HasPrefix(l, "enum(") || strings.HasPrefix(l, "enum:") {
		return parseEnum(s)
	}
	name, args, _ := strings.Cut(strings.ToLower(strings.TrimSpace(s)), "(")
	name = strings.TrimSpace(name)
	var params []int
	if args != "" {
		args, ok := strings.CutSuffix(strings.TrimSpace(args), ")")
		if !ok {
			return Type{}, fmt.Errorf("type %q: missing ')'", s)
		}
		for _, a := range strings.Split(args, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(a))
			if err != nil || n < 0 {
				return Type{}, fmt.Errorf("type %q: parameter %q is not a whole number", s, strings.TrimSpace(a))
			}
			params = append(params, n)
		}
	}
	noParams := func(t Type) (Type, error) {
		if len(params) != 0 {
			return Type{}, fmt.Errorf("type %q takes no parameters", s)
		}
		return t, nil
	}
	switch name {
	case "char", "character", "nchar":
		return Type{}, fmt.Errorf("type %q: fixed-length strings are not supported; use varchar(n)", s)
	case "varchar", "character varying", "string":
		if len(params) != 1 || params[0] == 0 {
			return Type{}, fmt.Errorf("type %q: a string type needs a length, e.g. varchar(64)", s)
		}
		return Type{Kind: String, Length: params[0]}, nil
	case "text", "clob", "longtext", "mediumtext":
		return noParams(Type{Kind: Text})
	case "integer", "int", "int4", "serial":
		return noParams(Type{Kind: Integer})
	case "bigint", "int8", "bigserial", "biginteger":
		return noParams(Type{Kind: BigInteger})
	case "smallint", "int2", "tinyint", "smallinteger":
		return noParams(Type{Kind: SmallInt})
	case "boolean", "bool":
		return noParams(Type{Kind: Boolean})
	case "timestamp", "datetime", "timestamp without time zone":
		return noParams(Type{Kind: DateTime})
	case "timestamptz", "timestamp with time zone":
		return noParams(Type{Kind: DateTime, Timezone: true})
	case "date":
		return noParams(Type{Kind: Date})
	case "time":
		return noParams(Type{Kind: Time})
	case "float", "double", "double precision", "real", "float8", "float4":
		return noParams(Type{Kind: Float})
	case "numeric", "decimal":
		t := Type{Kind: Numeric, Precision: 10}
		switch len(params) {
		case 2:
			t.Scale = params[1]
			fallthrough
		case 1:
			t.Precision = params[0]
		case 0:
		default:
			return Type{}, fmt.Errorf("type %q: want at most 2 parameters", s)
		}
		return t, nil
	case "blob", "bytea", "binary", "varbinary", "longblob":
		return noParams(Type{Kind: Binary})
	case "jsonb":
		return Type{}, fmt.Errorf("type %q: jsonb is not supported yet; use json", s)
	case "json":
		return noParams(Type{Kind: JSON})
	case "uuid":
		return noParams(Type{Kind: UUID})
	}
	return Type{}, fmt.Errorf("type %q is not a portable type (want one of varchar(n), text, integer, bigint, smallint, boolean, datetime, timestamptz, date, time, float, numeric(p,s), blob, json, uuid, enum(a,b,…))", s)
}
