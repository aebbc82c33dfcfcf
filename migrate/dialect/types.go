package dialect

import (
	"strings"

	"github.com/microblog/microblog/migrate/schema"
)

// ReadType maps a type as a database reports it back (lower case, trimmed) to a portable
// type, for the spellings most databases share. A dialect checks its own spellings first.
func ReadType(t string) schema.Type {
	switch {
	case strings.HasPrefix(t, "int(") || strings.HasPrefix(t, "int "):
		return schema.Type{Kind: schema.Integer}
	case strings.HasPrefix(t, "bigint"):
		return schema.Type{Kind: schema.BigInteger}
	case strings.HasPrefix(t, "smallint"):
		return schema.Type{Kind: schema.SmallInt}
	case t == "timestamp with time zone":
		return schema.Type{Kind: schema.DateTime, Timezone: true}
	case strings.HasPrefix(t, "datetime"), strings.HasPrefix(t, "timestamp"):
		return schema.Type{Kind: schema.DateTime}
	case strings.HasPrefix(t, "time"):
		return schema.Type{Kind: schema.Time}
	case t == "double" || t == "double precision" || t == "float" || t == "real":
		return schema.Type{Kind: schema.Float}
	case strings.HasPrefix(t, "decimal"):
		t = "numeric" + strings.TrimPrefix(t, "decimal")
	case t == "longblob" || t == "bytea" || t == "blob":
		return schema.Type{Kind: schema.Binary}
	case t == "longtext" || t == "mediumtext":
		return schema.Type{Kind: schema.Text}
	}
	pt, err := schema.ParseType(t)
	if err != nil {
		return schema.Type{Kind: schema.Kind(t)}
	}
	return pt
}
