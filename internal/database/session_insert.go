package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math"
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
	// alone: on SQLite, one row's INSERT reads back nothing but, at most, its new rowid
	// (rowidOnly), whatever the row holds, so it is a single statement (see
	// Session.commitsAlone).
	alone bool
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
	b.alone = dialect == SQLite && readsBackRowidAtMost(b, table)
	return b
}

// readsBackRowidAtMost reports whether no row of table can make insertBound return a
// column other than an integer key without SQL default: no other column has an SQL
// default, and none is NOT NULL with a value that can stand for its default (a nil
// pointer, a zero nullzero field), which RETURNING would read back.
func readsBackRowidAtMost(b *boundInsert, table *bunschema.Table) bool {
	for _, f := range table.Fields {
		if f.IsPK && len(table.PKs) == 1 && rowidOnly(b, []*bunschema.Field{f}) {
			continue
		}
		if f.SQLDefault != "" || (f.NotNull && (f.IsPtr || f.NullZero)) {
			return false
		}
	}
	return true
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
	// What the models' BeforeAppendModel hooks are told: an insert on the session's
	// transaction, or on the database for a commit written alone.
	var q *bun.InsertQuery
	if s.tx != nil {
		q = s.tx.NewInsert()
	} else {
		q = s.db.Bun.NewInsert()
	}
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
		_, err := s.writer().ExecContext(ctx, sb.String(), args...)
		return err
	}
	if rowidOnly(bi, returning) && !pkWritten(bi, cols, written, returning[0]) {
		done, err := s.insertTakingRowids(ctx, b.m.table, sb.String(), args, rows, returning[0])
		if done || err != nil {
			return err
		}
	}
	if s.tx == nil {
		return errNeedsTx
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

// rowidOnly reports whether a SQLite INSERT needs to read back only the new rows' integer
// primary key, which insertTakingRowids then learns without RETURNING.
//
// Why: RETURNING makes SQLite run the INSERT as a query, buffering the rows it returns,
// and database/sql read them back one by one: by profile, a session committing one row
// at a time (the tutorial's db.session) spent a quarter of its CPU in the INSERT …
// RETURNING, and a 100,000-row commit about 7% more than without RETURNING
// (BenchmarkSessionCommit/sqlite, docs/performance.md).
//
// The key was written as NULL or left out in every row (pkWritten is false), and it has
// no SQL default, so an accepted row got a rowid as its key: a NULL written into a NOT
// NULL key that is not the rowid fails.
func rowidOnly(bi *boundInsert, returning []*bunschema.Field) bool {
	if bi.dollar || len(returning) != 1 { // dollar: PostgreSQL, whose keys need RETURNING
		return false
	}
	f := returning[0]
	k := f.StructField.Type.Kind()
	if k == reflect.Pointer {
		k = f.StructField.Type.Elem().Kind()
	}
	return f.IsPK && f.NotNull && f.SQLDefault == "" && k >= reflect.Int && k <= reflect.Int64
}

// pkWritten reports whether some row of an INSERT wrote a value for the key pk.
func pkWritten(bi *boundInsert, cols []int, written []bool, pk *bunschema.Field) bool {
	for i, c := range cols {
		if bi.fields[c] == pk && written[i] {
			return true
		}
	}
	return false
}

// insertTakingRowids runs a SQLite INSERT whose rows all get a new rowid as their key pk
// (rowidOnly) and gives each row its key without RETURNING. It returns done false,
// having written nothing, for several rows into a table with triggers, whose keys only
// RETURNING tells for sure.
//
// One row's key is the connection's last inserted rowid, which a trigger's own inserts
// do not change. For several rows, SQLite gives each new row one more than the table's
// largest rowid, in the order of the VALUES, so the rows are before+1 … before+n when the
// last one is before+n (before being the largest key read first, in the same
// transaction, so that no other writer comes between): their keys are all larger than
// before, distinct and rising, and n of them end at before+n. A trigger on the table
// could insert rows of its own in between, hence none may exist. Otherwise (an
// AUTOINCREMENT table whose largest rows were deleted) the keys after before are read
// back, and must be n consecutive ones.
func (s *Session) insertTakingRowids(ctx context.Context, table *bunschema.Table, query string, args []any, rows []reflect.Value, pk *bunschema.Field) (done bool, err error) {
	n := int64(len(rows))
	var before int64
	if n > 1 && s.tx == nil {
		return false, errNeedsTx
	}
	if n > 1 {
		var largest sql.NullInt64
		var triggers int
		q := "SELECT max(" + string(pk.SQLName) + "), (SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ? COLLATE NOCASE) FROM " + string(table.SQLName)
		if err := s.tx.Tx.QueryRowContext(ctx, q, table.Name).Scan(&largest, &triggers); err != nil {
			return false, err
		}
		if triggers > 0 {
			return false, nil
		}
		before = largest.Int64
	}
	res, err := s.writer().ExecContext(ctx, query, args...)
	if err != nil {
		return false, err
	}
	last, err := res.LastInsertId()
	if err != nil {
		return false, err
	}
	first := last - n + 1
	if n > 1 && (before > math.MaxInt64-n || last != before+n) {
		if first, err = s.rowidsAfter(ctx, table, pk, before, n); err != nil {
			return false, err
		}
	}
	for i, row := range rows {
		if err := pk.ScanValue(row, first+int64(i)); err != nil {
			return false, fmt.Errorf("scan %s: %w", pk.Name, err)
		}
	}
	return true, nil
}

// rowidsAfter returns the first of the n keys larger than before, which must be n
// consecutive ones, those of the rows just inserted.
func (s *Session) rowidsAfter(ctx context.Context, table *bunschema.Table, pk *bunschema.Field, before, n int64) (int64, error) {
	q := "SELECT " + string(pk.SQLName) + " FROM " + string(table.SQLName) + " WHERE " + string(pk.SQLName) + " > ? ORDER BY " + string(pk.SQLName) + " LIMIT ?"
	res, err := s.tx.Tx.QueryContext(ctx, q, before, n+1)
	if err != nil {
		return 0, err
	}
	defer res.Close()
	var keys []int64
	for res.Next() {
		var k int64
		if err := res.Scan(&k); err != nil {
			return 0, err
		}
		keys = append(keys, k)
	}
	if err := res.Err(); err != nil {
		return 0, err
	}
	if int64(len(keys)) != n || keys[n-1]-keys[0] != n-1 {
		return 0, fmt.Errorf("cannot tell the keys of the %d new rows: %d rows of %s have a key above %d", n, len(keys), table.Name, before)
	}
	return keys[0], nil
}
