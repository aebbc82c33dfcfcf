package database

import (
	"context"
	"database/sql/driver"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqltype"
	bunschema "github.com/uptrace/bun/schema"
)

// boundInsert writes a model's rows with bound arguments instead of bun's literal text.
//
// Why: bun formats every value into the statement, so each multi-row INSERT is new text
// that the server parses, analyses and plans from scratch (and pgx prepares and caches it
// as a one-off statement). With placeholders, the text of a batch depends only on which
// columns go to their defaults, so PostgreSQL's driver prepares it once per connection
// and every later batch only binds values: a 1,000-user INSERT measured 25 ms against
// 60 ms for the literal one (minimum of 9, same sitting; see docs/performance.md).
//
// The statement is the one bun writes for an InsertQuery on the model — same columns,
// DEFAULT (PostgreSQL) or the SQL default or NULL (SQLite) where bun writes them, the same
// RETURNING columns (on SQLite less those written as NULL in every row, which could only
// read NULL back), scanned by bun's own field scanners — and every argument is the value
// bun would have written: strings and integers as they are, times as the UTC text bun
// formats (so the server converts the same text), booleans as booleans. Models with any
// other field type, or with bun insert or scan hooks, are written by bun as before, and so
// is every model on MySQL, whose driver would prepare, run and close each bound statement
// (three round trips where bun's text takes one).
type boundInsert struct {
	fields []*bunschema.Field
	args   []func(reflect.Value) any // per field: its (non-default) value as an argument
	all    []int                     // every field's index: the columns with defaults
	dollar bool                      // $1 placeholders (PostgreSQL), else ?
	// defaults is DefaultPlaceholder: DEFAULT is written for a default value, and every
	// column is listed; without it (SQLite) bun leaves out the NOT NULL columns that the
	// first row leaves to their default, and writes the SQL default or NULL for the others.
	defaults bool
}

// bunTimeLayout is how bun's dialects write a time (after converting it to UTC).
const bunTimeLayout = "2006-01-02 15:04:05.999999-07:00"

var (
	driverValuerT  = reflect.TypeFor[driver.Valuer]()
	queryAppenderT = reflect.TypeFor[bunschema.QueryAppender]()
	beforeInsertT  = reflect.TypeFor[bun.BeforeInsertHook]()
	afterInsertT   = reflect.TypeFor[bun.AfterInsertHook]()
	beforeScanRowT = reflect.TypeFor[bun.BeforeScanRowHook]()
	afterScanRowT  = reflect.TypeFor[bun.AfterScanRowHook]()
)

// newBoundInsert returns how to write rows of table with bound arguments on dialect, or
// nil when bun must write them (see boundInsert).
func newBoundInsert(dialect string, typ reflect.Type, table *bunschema.Table) *boundInsert {
	if dialect != Postgres && dialect != SQLite {
		return nil
	}
	ptr := reflect.PointerTo(typ)
	for _, hook := range []reflect.Type{beforeInsertT, afterInsertT, beforeScanRowT, afterScanRowT} {
		if ptr.Implements(hook) || typ.Implements(hook) {
			return nil
		}
	}
	b := &boundInsert{fields: table.Fields, dollar: dialect == Postgres, defaults: dialect == Postgres}
	for _, f := range table.Fields {
		conv := argConverter(f)
		if conv == nil {
			return nil
		}
		b.args = append(b.args, conv)
		b.all = append(b.all, len(b.all))
	}
	return b
}

// argConverter returns the function giving a field's value as the argument that stores
// what bun's literal would, or nil for a field it cannot vouch for.
func argConverter(f *bunschema.Field) func(reflect.Value) any {
	if f.Tag.HasOption("msgpack") || f.Tag.HasOption("array") || f.Tag.HasOption("multirange") || strings.HasSuffix(f.UserSQLType, "[]") {
		return nil
	}
	switch strings.ToUpper(f.UserSQLType) {
	case sqltype.JSON, sqltype.JSONB, sqltype.HSTORE:
		return nil
	}
	t := f.StructField.Type
	ptr := false
	if t.Kind() == reflect.Pointer {
		ptr, t = true, t.Elem()
	}
	for _, c := range []reflect.Type{t, reflect.PointerTo(t)} {
		if c.Implements(driverValuerT) || c.Implements(queryAppenderT) {
			return nil
		}
	}
	var conv func(reflect.Value) any
	switch {
	case t == timeT:
		conv = func(v reflect.Value) any {
			return (*(*time.Time)(v.Addr().UnsafePointer())).UTC().Format(bunTimeLayout)
		}
	case t.Kind() == reflect.String:
		conv = func(v reflect.Value) any { return v.String() }
	case t.Kind() == reflect.Bool:
		conv = func(v reflect.Value) any { return v.Bool() }
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64:
		conv = func(v reflect.Value) any { return v.Int() }
	default:
		return nil
	}
	if !ptr {
		return conv
	}
	return func(v reflect.Value) any { return conv(v.Elem()) }
}

// marshalsToDefault is bun's InsertQuery.marshalsToDefault: the field is written as
// DEFAULT (or its SQL default, or NULL) rather than as its value.
func marshalsToDefault(f *bunschema.Field, strct reflect.Value) bool {
	return (f.IsPtr && f.HasNilValue(strct)) || (f.HasZeroValue(strct) && (f.NullZero || f.SQLDefault != ""))
}

// insertBound writes the batch b with m's boundInsert and scans the RETURNING columns
// into its objects, as bun's InsertQuery would.
func (s *Session) insertBound(ctx context.Context, b insertBatch) error {
	bi := b.m.bound
	q := s.tx.NewInsert() // what the models' BeforeAppendModel hooks are told
	rows := make([]reflect.Value, len(b.objs))
	for i, obj := range b.objs {
		if hook, ok := obj.(bun.BeforeAppendModelHook); ok {
			if err := hook.BeforeAppendModel(ctx, q); err != nil {
				return err
			}
		}
		rows[i] = reflect.ValueOf(obj).Elem()
	}

	// The columns, as bun's InsertQuery.getFields chooses them.
	cols := bi.all
	var returning []*bunschema.Field
	addReturning := func(f *bunschema.Field) {
		for _, r := range returning {
			if r == f {
				return
			}
		}
		returning = append(returning, f)
	}
	if !bi.defaults {
		cols = make([]int, 0, len(bi.fields))
		for i, f := range bi.fields {
			if f.NotNull && marshalsToDefault(f, rows[0]) {
				addReturning(f)
				continue
			}
			cols = append(cols, i)
		}
	}

	var sb strings.Builder
	sb.Grow(64 + len(cols)*(16+8*len(rows)))
	sb.WriteString("INSERT INTO ")
	sb.WriteString(string(b.m.table.SQLName))
	sb.WriteString(" (")
	for i, c := range cols {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(string(bi.fields[c].SQLName))
	}
	sb.WriteString(") VALUES ")
	args := make([]any, 0, len(cols)*len(rows))
	// On SQLite, a column written as NULL in every row of the batch is not returned:
	// SQLite stores a NULL written into a column as NULL (no trigger can change NEW), so
	// RETURNING it, as bun does, would only read NULL back into fields that already hold
	// nil or zero. A column NULL in some rows only is returned, as bun does, since bun
	// scans what it returns into every row (a time written by another row comes back as
	// read from the database). Primary keys are returned: NULL in an INTEGER PRIMARY KEY
	// becomes the new rowid.
	nulls := make([]bool, len(cols))   // written as NULL in some row
	written := make([]bool, len(cols)) // written as a value in some row
	var num []byte
	for r, strct := range rows {
		if r > 0 {
			sb.WriteString(", ")
		}
		sb.WriteByte('(')
		for i, c := range cols {
			f := bi.fields[c]
			if i > 0 {
				sb.WriteString(", ")
			}
			if marshalsToDefault(f, strct) {
				switch {
				case bi.defaults:
					sb.WriteString("DEFAULT")
				case f.SQLDefault != "":
					sb.WriteString(f.SQLDefault)
				default:
					sb.WriteString("NULL")
					if !f.IsPK && !f.NotNull {
						nulls[i] = true
						continue
					}
				}
				addReturning(f)
				continue
			}
			written[i] = true
			args = append(args, bi.args[c](f.Value(strct)))
			if bi.dollar {
				num = strconv.AppendInt(append(num[:0], '$'), int64(len(args)), 10)
				sb.Write(num)
			} else {
				sb.WriteByte('?')
			}
		}
		sb.WriteByte(')')
	}
	for i, c := range cols {
		if nulls[i] && written[i] {
			addReturning(bi.fields[c])
		}
	}
	// The statement is read to its end and closed below: SQLite's connection may keep
	// it prepared (PostgreSQL's driver caches prepared statements by itself).
	ctx = reuseStatement(ctx)
	if len(returning) == 0 {
		_, err := s.tx.Tx.ExecContext(ctx, sb.String(), args...)
		return err
	}
	if rowidOnly(bi, returning, len(rows)) {
		res, err := s.tx.Tx.ExecContext(ctx, sb.String(), args...)
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if err := returning[0].ScanValue(rows[0], id); err != nil {
			return fmt.Errorf("scan %s: %w", returning[0].Name, err)
		}
		return nil
	}
	sb.WriteString(" RETURNING ")
	for i, f := range returning {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(string(f.SQLName))
	}
	res, err := s.tx.Tx.QueryContext(ctx, sb.String(), args...)
	if err != nil {
		return err
	}
	defer res.Close()
	vals := make([]any, len(returning))
	dest := make([]any, len(returning))
	for i := range vals {
		dest[i] = &vals[i]
	}
	n := 0
	for res.Next() {
		if n == len(rows) {
			return fmt.Errorf("the INSERT returned more than its %d rows", len(rows))
		}
		if err := res.Scan(dest...); err != nil {
			return err
		}
		for i, f := range returning {
			if err := f.ScanValue(rows[n], vals[i]); err != nil {
				return fmt.Errorf("scan %s: %w", f.Name, err)
			}
		}
		n++
	}
	return res.Err()
}

// rowidOnly reports whether a SQLite INSERT of one row needs to read back only its new
// integer primary key, which the connection's last inserted rowid then gives without
// RETURNING.
//
// Why: RETURNING makes SQLite run the INSERT as a query with a statement journal, and a
// session committing one row at a time (the tutorial's db.session) spent a third of its
// time in it: one commit per row went from 0.65x to 0.8x raw database/sql without it
// (BenchmarkSessionCommit/sqlite/single, docs/performance.md).
//
// It is exact: the primary key was written as NULL or left out (so it is returned), it
// has no SQL default, and the row was accepted, so the NOT NULL key must be the rowid
// (a NULL written into another NOT NULL key fails), and last_insert_rowid is that row's
// even when a trigger inserted others. Batches keep RETURNING: their rowids are
// consecutive only while no trigger inserts into the same table and the largest rowid is
// not taken.
func rowidOnly(bi *boundInsert, returning []*bunschema.Field, rows int) bool {
	if bi.dollar || rows != 1 || len(returning) != 1 {
		return false
	}
	f := returning[0]
	k := f.StructField.Type.Kind()
	if k == reflect.Pointer {
		k = f.StructField.Type.Elem().Kind()
	}
	return f.IsPK && f.NotNull && f.SQLDefault == "" && k >= reflect.Int && k <= reflect.Int64
}
