package bunschema

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	bunschema "github.com/uptrace/bun/schema"
)

// Bun tag options on a column field that the schema reader understands or that do not
// change the column's definition. Any other option is an error: an option bun knows but
// this reader does not (array, hstore, composite, msgpack) would otherwise be read as
// something else, and a misspelt one (notnul) would silently change nothing.
var columnOptions = []string{
	"pk", "autoincrement", "identity", "notnull", "nullzero", "default", "type", "unique",
	// Query-side options that leave the column's definition alone.
	"skipupdate", "alt", "json_use_number", "soft_delete", "scanonly", "allowzero",
}

// Bun tag options on a relation field (rel:belongs-to and friends).
var relationOptions = []string{"rel", "join", "join_on", "on_delete", "on_update", "m2m", "polymorphic"}

// fkRules are the referential actions a foreign key may take.
var fkRules = []string{"CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT", "NO ACTION"}

// checkColumnTag refuses bun tag options and type: values the reader does not understand.
func checkColumnTag(f *bunschema.Field) error {
	for _, opt := range sortedKeys(f.Tag.Options) {
		if !slices.Contains(columnOptions, opt) {
			if slices.Contains([]string{"array", "hstore", "composite", "msgpack", "m2m", "rel", "join"}, opt) {
				return fmt.Errorf("bun tag option %q is not supported by migrations (no portable column type for it); use a type: bun understands and migrate supports, such as json or blob", opt)
			}
			return fmt.Errorf("bun tag option %q is not understood (want one of %s)", opt, strings.Join(columnOptions, ", "))
		}
	}
	if v, ok := f.Tag.Option("type"); ok && strings.TrimSpace(v) == "" {
		return fmt.Errorf("bun tag option type: is empty")
	}
	return nil
}

// checkRelationTag refuses unknown options and unknown on_delete/on_update rules on a
// relation field, which bun itself only logs.
func checkRelationTag(sf string, tag map[string][]string) error {
	for _, opt := range sortedKeys(tag) {
		if !slices.Contains(relationOptions, opt) {
			return fmt.Errorf("field %s: bun tag option %q is not understood on a relation (want one of %s)", sf, opt, strings.Join(relationOptions, ", "))
		}
	}
	for _, key := range []string{"on_delete", "on_update"} {
		vals, ok := tag[key]
		if !ok {
			continue
		}
		rule := ""
		if len(vals) == 1 {
			rule = strings.ToUpper(strings.Join(strings.Fields(vals[0]), " "))
		}
		if !slices.Contains(fkRules, rule) {
			return fmt.Errorf("field %s: bun tag %s:%q is not a foreign-key action (want one of %s)", sf, key, strings.Join(vals, ","), strings.Join(fkRules, ", "))
		}
	}
	return nil
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
