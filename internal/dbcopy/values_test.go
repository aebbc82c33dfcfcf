package dbcopy

import (
	"testing"

	"github.com/microblog/microblog/migrate/schema"
)

// Kinds a model may gain later: JSON is compared by meaning (PostgreSQL's jsonb reorders
// keys and drops spaces), UUIDs and dates are supported, the rest named as unsupported.
func TestKindsAndJSONChecksums(t *testing.T) {
	for k, want := range map[schema.Kind]kind{schema.JSON: kJSON, schema.UUID: kString, schema.Date: kTime, schema.Text: kString} {
		if got, err := kindOf(schema.Type{Kind: k}); err != nil || got != want {
			t.Errorf("%s: %v %v", k, got, err)
		}
	}
	if _, err := kindOf(schema.Type{Kind: schema.Numeric}); err == nil {
		t.Error("numeric is accepted")
	}
	sum := func(text string) string {
		j := &jsonText{}
		j.String, j.Valid = text, true
		c := &checksum{}
		c.add(values([]any{j}))
		return c.String()
	}
	if a, b := sum(`{"b": 1, "a": [true, null]}`), sum(`{"a":[true,null],"b":1}`); a != b {
		t.Errorf("the same JSON sums differently: %s %s", a, b)
	}
	if a, b := sum(`{"a": 1}`), sum(`{"a": 2}`); a == b {
		t.Error("different JSON sums alike")
	}
}
