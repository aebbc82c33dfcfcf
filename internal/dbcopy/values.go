package dbcopy

import (
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"time"

	"github.com/microblog/microblog/migrate/schema"
)

// kind is how a column's values are read, written and compared.
type kind int

const (
	kInt kind = iota
	kString
	kBool
	kTime
	kFloat
	kBytes
	kJSON // text compared by its meaning: PostgreSQL's jsonb reorders keys and spaces
)

func kindOf(t schema.Type) (kind, error) {
	switch t.Kind {
	case schema.Integer, schema.BigInteger, schema.SmallInt:
		return kInt, nil
	case schema.String, schema.Text, schema.UUID:
		return kString, nil
	case schema.JSON:
		return kJSON, nil
	case schema.Boolean:
		return kBool, nil
	case schema.DateTime, schema.Date:
		return kTime, nil
	case schema.Float:
		return kFloat, nil
	case schema.Binary:
		return kBytes, nil
	}
	return 0, fmt.Errorf("type %s is not supported by db copy", t.Kind)
}

// dests are scan destinations for one row of columns of the given kinds.
func dests(kinds []kind) []any {
	d := make([]any, len(kinds))
	for i, k := range kinds {
		switch k {
		case kInt:
			d[i] = new(sql.NullInt64)
		case kString:
			d[i] = new(sql.NullString)
		case kJSON:
			d[i] = new(jsonText)
		case kBool:
			d[i] = new(sql.NullBool)
		case kTime:
			d[i] = new(sql.NullTime)
		case kFloat:
			d[i] = new(sql.NullFloat64)
		case kBytes:
			d[i] = new(sql.Null[[]byte]) // a plain []byte cannot tell NULL from empty
		}
	}
	return d
}

// values turns scanned destinations into the normalised values written to the target:
// int64, string, bool, time.Time (UTC, to the microsecond: what every dialect keeps),
// float64, []byte, or nil for NULL.
func values(d []any) []any {
	v := make([]any, len(d))
	for i, x := range d {
		switch x := x.(type) {
		case *sql.NullInt64:
			if x.Valid {
				v[i] = x.Int64
			}
		case *sql.NullString:
			if x.Valid {
				v[i] = x.String
			}
		case *jsonText:
			if x.Valid {
				v[i] = jsonValue{x.String, x.canonical()}
			}
		case *sql.NullBool:
			if x.Valid {
				v[i] = x.Bool
			}
		case *sql.NullTime:
			if x.Valid {
				v[i] = x.Time.UTC().Truncate(time.Microsecond)
			}
		case *sql.NullFloat64:
			if x.Valid {
				v[i] = x.Float64
			}
		case *sql.Null[[]byte]:
			if x.Valid {
				v[i] = append([]byte{}, x.V...)
			}
		}
	}
	return v
}

// jsonText is a JSON column's value as text; canonical holds it re-encoded (keys sorted,
// no spaces) for the checksum.
type jsonText struct{ sql.NullString }

func (j *jsonText) canonical() string {
	var v any
	d := json.NewDecoder(strings.NewReader(j.String))
	d.UseNumber() // big integers keep every digit
	if err := d.Decode(&v); err != nil {
		return j.String
	}
	b, err := json.Marshal(v)
	if err != nil {
		return j.String
	}
	return string(b)
}

// jsonValue is written as its text and summed by its meaning.
type jsonValue struct{ text, canonical string }

// checksum sums the SHA-256 of every row's normalised values (mod 2¹²⁸): the same rows
// give the same checksum in any order, so that databases whose collations order text
// differently still compare.
type checksum struct {
	hi, lo uint64
	rows   int64
	buf    []byte
}

// add adds one row of normalised values (see values).
func (c *checksum) add(row []any) {
	b := c.buf[:0]
	for _, v := range row {
		switch v := v.(type) {
		case nil:
			b = append(b, 'N')
		case int64:
			b = append(b, 'i')
			b = strconv.AppendInt(b, v, 10)
		case string:
			b = append(b, 's')
			b = binary.AppendUvarint(b, uint64(len(v)))
			b = append(b, v...)
		case jsonValue:
			b = append(b, 'j')
			b = binary.AppendUvarint(b, uint64(len(v.canonical)))
			b = append(b, v.canonical...)
		case bool:
			b = append(b, 'b')
			b = strconv.AppendBool(b, v)
		case time.Time:
			b = append(b, 't')
			b = v.AppendFormat(b, "2006-01-02T15:04:05.000000")
		case float64:
			b = append(b, 'f')
			b = strconv.AppendFloat(b, v, 'g', -1, 64)
		case []byte:
			b = append(b, 'x')
			b = binary.AppendUvarint(b, uint64(len(v)))
			b = append(b, v...)
		}
		b = append(b, 0)
	}
	c.buf = b
	sum := sha256.Sum256(b)
	var carry uint64
	c.lo, carry = bits.Add64(c.lo, binary.BigEndian.Uint64(sum[8:16]), 0)
	c.hi, _ = bits.Add64(c.hi, binary.BigEndian.Uint64(sum[:8]), carry)
	c.rows++
}

func (c *checksum) String() string { return fmt.Sprintf("%016x%016x", c.hi, c.lo) }

func (c *checksum) equal(o *checksum) bool { return c.hi == o.hi && c.lo == o.lo && c.rows == o.rows }
