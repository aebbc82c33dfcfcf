package database

import (
	"bytes"
	"reflect"
	"slices"
	"time"
	"unsafe"

	bunschema "github.com/uptrace/bun/schema"
)

// snapshot is an object's column values at one moment, to find which columns changed
// since and to put them back.
//
// It is one typed block (model.block, a single allocation, no value boxed): a copy of the
// struct, in which the fields that are not columns (relations, fields bun ignores) are
// cleared so that the snapshot keeps no related object alive, followed by copies of the
// values that pointer columns point at (*string, *time.Time…). Deep copies of the rare
// columns whose data lies elsewhere (slices, maps) go to rest. Because the block is
// typed, the garbage collector sees every pointer in it: a string or time zone it refers
// to stays alive, so equal bytes (the same header) always mean the same value. And a
// check of an unchanged object reads the object and one contiguous block.
type snapshot struct {
	strct unsafe.Pointer // the block, starting with the struct copy
	rest  []any          // per model.indirectRest entry, a deep copy of the field
}

// fieldKind says where a snapshot keeps a column's value.
type fieldKind uint8

const (
	// inStruct: the value lies in the struct's own bytes (strings, numbers, times).
	inStruct fieldKind = iota
	// inPointee: a pointer to such a value; the struct copy holds the pointer and
	// snapshot.pointees a copy of the value.
	inPointee
	// inRest: anything else (slices, maps, pointers to those, fields behind an embedded
	// pointer); snapshot.rest holds a deep copy.
	inRest
)

// fieldCmp snapshots, compares and restores one column field.
type fieldCmp struct {
	field  *bunschema.Field
	index  int // the field's index in its struct, or -1 when it is in an embedded struct
	kind   fieldKind
	slot   int          // inPointee: index in model.pointees; inRest: index in model.indirectRest
	offset uintptr      // inStruct, inPointee: the field's offset in the struct
	elem   reflect.Type // inPointee: the pointed-at type
	// sameAt compares two values of the field's type (inStruct) or of the pointed-at type
	// (inPointee) in place, without reflection or boxing.
	sameAt func(a, b unsafe.Pointer) bool
	// copy and same snapshot and compare an inRest field.
	copy func(v reflect.Value) any
	same func(v reflect.Value, snap any) bool
}

// fieldAt is a field of a model struct by offset: a pointer column (model.pointees, typ
// is then the pointed-at type, whose value lies in its own bytes: equal struct bytes, so
// the same pointer, and equal target bytes mean an unchanged value), or a non-column
// field (model.clear, typ the field's type).
type fieldAt struct {
	offset uintptr
	typ    reflect.Type
	copyAt uintptr // pointees: where the block holds the copy of the target
}

// pointee returns the snapshot's copy of the target of m.pointees[i], or nil when the
// pointer was nil.
func (m *model) pointee(s snapshot, i int) unsafe.Pointer {
	pf := &m.pointees[i]
	if *(*unsafe.Pointer)(unsafe.Add(s.strct, pf.offset)) == nil {
		return nil
	}
	return unsafe.Add(s.strct, pf.copyAt)
}

// byteRange is a span of a struct's bytes holding columns.
type byteRange struct{ off, n uintptr }

var (
	timeT  = reflect.TypeFor[time.Time]()
	bytesT = reflect.TypeFor[[]byte]()
)

// value returns the field in the struct value v.
func (c *fieldCmp) value(v reflect.Value) reflect.Value {
	if c.index >= 0 {
		return v.Field(c.index)
	}
	return c.field.Value(v)
}

// initSnapshots classifies m's columns (fieldCmp kinds, pointees, indirect lists), finds
// the byte ranges of the struct that hold columns and the non-column fields a snapshot
// clears. It needs m.typ and m.table.
func (m *model) initSnapshots() {
	for i, f := range m.table.Fields {
		c := fieldCmp{field: f, index: -1}
		if len(f.Index) == 1 {
			c.index = f.Index[0]
		}
		ft := f.StructField.Type
		off, ok := fieldOffset(m.typ, f.Index)
		switch {
		case ok && holdsValueDirectly(ft):
			c.kind, c.offset, c.sameAt = inStruct, off, sameAt(ft)
			m.ranges = append(m.ranges, byteRange{off, ft.Size()})
		case ok && ft.Kind() == reflect.Pointer && holdsValueDirectly(ft.Elem()):
			c.kind, c.offset, c.elem, c.sameAt = inPointee, off, ft.Elem(), sameAt(ft.Elem())
			c.slot = len(m.pointees)
			m.pointees = append(m.pointees, fieldAt{offset: off, typ: ft.Elem()})
			m.ranges = append(m.ranges, byteRange{off, ft.Size()})
			m.indirect = append(m.indirect, i)
		default:
			c.kind, c.copy, c.same = inRest, copier(ft), comparer(ft)
			c.slot = len(m.indirectRest)
			m.indirectRest = append(m.indirectRest, i)
			m.indirect = append(m.indirect, i)
		}
		m.cmp = append(m.cmp, c)
	}
	// Merge adjacent ranges, so that an unchanged object is proved by a few compares.
	slices.SortFunc(m.ranges, func(a, b byteRange) int { return int(a.off) - int(b.off) })
	var merged []byteRange
	for _, r := range m.ranges {
		if n := len(merged); n > 0 && merged[n-1].off+merged[n-1].n == r.off {
			merged[n-1].n += r.n
			continue
		}
		merged = append(merged, r)
	}
	m.ranges = merged

	columns := make(map[string]bool, len(m.table.Fields))
	for _, f := range m.table.Fields {
		columns[indexKey(f.Index)] = true
	}
	m.clear = nonColumns(m.typ, nil, 0, columns)

	block := []reflect.StructField{{Name: "S", Type: m.typ}}
	for i, pf := range m.pointees {
		block = append(block, reflect.StructField{Name: "P" + string(appendInt(nil, i)), Type: pf.typ})
	}
	m.block = reflect.StructOf(block)
	for i := range m.pointees {
		m.pointees[i].copyAt = m.block.Field(i + 1).Offset
	}
}

// nonColumns lists the fields of t (reached by the index path prefix, at offset base)
// that hold no column, descending into structs embedded by value that do.
func nonColumns(t reflect.Type, prefix []int, base uintptr, columns map[string]bool) []fieldAt {
	var out []fieldAt
	for i := range t.NumField() {
		sf := t.Field(i)
		path := append(slices.Clip(prefix), i)
		key := indexKey(path)
		if columns[key] || sf.Type.Size() == 0 {
			continue
		}
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct && hasColumnUnder(key, columns) {
			out = append(out, nonColumns(sf.Type, path, base+sf.Offset, columns)...)
			continue
		}
		out = append(out, fieldAt{offset: base + sf.Offset, typ: sf.Type})
	}
	return out
}

func hasColumnUnder(key string, columns map[string]bool) bool {
	for k := range columns {
		if len(k) > len(key) && k[:len(key)] == key && k[len(key)] == '.' {
			return true
		}
	}
	return false
}

func indexKey(index []int) string {
	b := make([]byte, 0, 4*len(index))
	for i, x := range index {
		if i > 0 {
			b = append(b, '.')
		}
		b = appendInt(b, x)
	}
	return string(b)
}

func appendInt(b []byte, x int) []byte {
	if x >= 10 {
		b = appendInt(b, x/10)
	}
	return append(b, byte('0'+x%10))
}

// sameAt returns the in-place comparison of two values of type t, which must hold its
// value directly (holdsValueDirectly). Times compare as time.Time.Equal plus the same
// Location, as the values bun writes; floats as numbers; the others by their bytes.
func sameAt(t reflect.Type) func(a, b unsafe.Pointer) bool {
	if t == timeT {
		return func(a, b unsafe.Pointer) bool {
			x, y := (*time.Time)(a), (*time.Time)(b)
			return x.Equal(*y) && x.Location() == y.Location()
		}
	}
	switch t.Kind() {
	case reflect.String:
		return func(a, b unsafe.Pointer) bool { return *(*string)(a) == *(*string)(b) }
	case reflect.Float32:
		return func(a, b unsafe.Pointer) bool { return *(*float32)(a) == *(*float32)(b) }
	case reflect.Float64:
		return func(a, b unsafe.Pointer) bool { return *(*float64)(a) == *(*float64)(b) }
	}
	n := int(t.Size()) // integers and booleans: equal bytes, equal values
	return func(a, b unsafe.Pointer) bool {
		return bytes.Equal(unsafe.Slice((*byte)(a), n), unsafe.Slice((*byte)(b), n))
	}
}

// snapshot copies obj's column values.
func (m *model) snapshot(obj any) snapshot {
	src := reflect.ValueOf(obj).Elem()
	base := src.Addr().UnsafePointer()
	blk := reflect.New(m.block)
	blk.Elem().Field(0).Set(src)
	s := snapshot{strct: blk.UnsafePointer()}
	for _, f := range m.clear {
		reflect.NewAt(f.typ, unsafe.Add(s.strct, f.offset)).Elem().SetZero()
	}
	for _, pf := range m.pointees {
		if p := *(*unsafe.Pointer)(unsafe.Add(base, pf.offset)); p != nil {
			reflect.NewAt(pf.typ, unsafe.Add(s.strct, pf.copyAt)).Elem().Set(reflect.NewAt(pf.typ, p).Elem())
		}
	}
	if len(m.indirectRest) > 0 {
		s.rest = make([]any, len(m.indirectRest))
		for j, i := range m.indirectRest {
			c := &m.cmp[i]
			s.rest[j] = c.copy(c.value(src))
		}
	}
	return s
}

// sameBytes reports whether the column bytes of the struct at base equal the snapshot's:
// then every inStruct column holds its snapshot value and every pointer column the
// snapshot's pointer.
func (m *model) sameBytes(base unsafe.Pointer, snap snapshot) bool {
	for _, r := range m.ranges {
		if !bytes.Equal(unsafe.Slice((*byte)(unsafe.Add(base, r.off)), r.n), unsafe.Slice((*byte)(unsafe.Add(snap.strct, r.off)), r.n)) {
			return false
		}
	}
	return true
}

// samePointees reports whether the pointees of the struct at base hold the snapshot's
// bytes. The struct's column bytes must equal the snapshot's (sameBytes): then each
// pointer is the one the snapshot saw, and a nil one was nil then too.
func (m *model) samePointees(base unsafe.Pointer, snap snapshot) bool {
	for i, pf := range m.pointees {
		p := *(*unsafe.Pointer)(unsafe.Add(base, pf.offset))
		if p == nil {
			continue
		}
		q := m.pointee(snap, i)
		n := int(pf.typ.Size())
		if q == nil || !bytes.Equal(unsafe.Slice((*byte)(p), n), unsafe.Slice((*byte)(q), n)) {
			return false
		}
	}
	return true
}

// quiet reports, reading bytes only, that the tracked struct at base needs nothing from a
// flush: its columns hold the snapshot's values and it has no related object a flush
// would look at (every relation field nil or empty).
func (m *model) quiet(base unsafe.Pointer, snap snapshot) bool {
	if !m.quietable {
		return false
	}
	for _, rf := range m.relFields {
		if rf.slice {
			if (*reflect.SliceHeader)(unsafe.Add(base, rf.offset)).Len != 0 { //nolint:staticcheck // a read of the length only
				return false
			}
		} else if *(*unsafe.Pointer)(unsafe.Add(base, rf.offset)) != nil {
			return false
		}
	}
	return m.sameBytes(base, snap) && m.samePointees(base, snap)
}

// same reports whether column i of the struct v (at base) holds snap's value.
func (m *model) same(i int, v reflect.Value, base unsafe.Pointer, snap snapshot) bool {
	c := &m.cmp[i]
	switch c.kind {
	case inStruct:
		return c.sameAt(unsafe.Add(base, c.offset), unsafe.Add(snap.strct, c.offset))
	case inPointee:
		p, q := *(*unsafe.Pointer)(unsafe.Add(base, c.offset)), m.pointee(snap, c.slot)
		if p == nil || q == nil {
			return p == nil && q == nil
		}
		return c.sameAt(p, q)
	}
	return c.same(c.value(v), snap.rest[c.slot])
}

// restoreField writes snap's value of column i into the struct v.
func (m *model) restoreField(i int, v reflect.Value, snap snapshot) {
	c := &m.cmp[i]
	fv := c.value(v)
	switch c.kind {
	case inStruct:
		fv.Set(reflect.NewAt(fv.Type(), unsafe.Add(snap.strct, c.offset)).Elem())
	case inPointee:
		q := m.pointee(snap, c.slot)
		if q == nil {
			fv.SetZero()
			return
		}
		// A new pointer: the program may change the old target in place.
		p := reflect.New(c.elem)
		p.Elem().Set(reflect.NewAt(c.elem, q).Elem())
		fv.Set(p)
	default:
		fv.Set(fromSnapshot(fv.Type(), snap.rest[c.slot]))
	}
}

// restoreSnapshot writes snap back into obj's column fields.
func (m *model) restoreSnapshot(obj any, snap snapshot) {
	v := reflect.ValueOf(obj).Elem()
	for i := range m.cmp {
		m.restoreField(i, v, snap)
	}
}

// restoreUnchanged puts pre's values back into the fields of obj that still hold after's
// values, leaving fields changed since after was taken as they are.
func (m *model) restoreUnchanged(obj any, pre, after snapshot) {
	v := reflect.ValueOf(obj).Elem()
	base := v.Addr().UnsafePointer()
	for i := range m.cmp {
		if m.same(i, v, base, after) {
			m.restoreField(i, v, pre)
		}
	}
}

// changed lists the column names whose values differ from the snapshot.
func (tr *tracked) changed(obj any) []string {
	m := tr.m
	v := reflect.ValueOf(obj).Elem()
	base := v.Addr().UnsafePointer()
	var cols []string
	check := func(i int) {
		if !m.same(i, v, base, tr.snap) {
			cols = append(cols, m.cmp[i].field.Name)
		}
	}
	if m.sameBytes(base, tr.snap) {
		indirect := m.indirect
		if m.samePointees(base, tr.snap) {
			indirect = m.indirectRest
		}
		for _, i := range indirect {
			check(i)
		}
		return cols
	}
	for i := range m.cmp {
		check(i)
	}
	return cols
}

func (tr *tracked) restore(obj any) { tr.m.restoreSnapshot(obj, tr.snap) }

// copier returns a function that snapshots a value of type t. Pointers are followed so
// that changes made through them count; slices and maps are copied.
func copier(t reflect.Type) func(reflect.Value) any {
	switch {
	case t == bytesT:
		return func(v reflect.Value) any { return bytes.Clone(v.Bytes()) }
	case t.Kind() == reflect.Pointer:
		inner := copier(t.Elem())
		return func(v reflect.Value) any {
			if v.IsNil() {
				return nil
			}
			return inner(v.Elem())
		}
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Map:
		return deepCopy
	}
	return reflect.Value.Interface
}

func comparer(t reflect.Type) func(reflect.Value, any) bool {
	switch {
	case t == timeT:
		return func(v reflect.Value, snap any) bool {
			x, y := *(*time.Time)(v.Addr().UnsafePointer()), snap.(time.Time)
			return x.Equal(y) && x.Location() == y.Location()
		}
	case t == bytesT:
		return func(v reflect.Value, snap any) bool { return bytes.Equal(v.Bytes(), snap.([]byte)) }
	case t.Kind() == reflect.Pointer:
		inner := comparer(t.Elem())
		return func(v reflect.Value, snap any) bool {
			if v.IsNil() || snap == nil {
				return v.IsNil() && snap == nil
			}
			return inner(v.Elem(), snap)
		}
	}
	switch t.Kind() {
	case reflect.String:
		return func(v reflect.Value, snap any) bool { return v.String() == reflect.ValueOf(snap).String() }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(v reflect.Value, snap any) bool { return v.Int() == reflect.ValueOf(snap).Int() }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return func(v reflect.Value, snap any) bool { return v.Uint() == reflect.ValueOf(snap).Uint() }
	case reflect.Bool:
		return func(v reflect.Value, snap any) bool { return v.Bool() == reflect.ValueOf(snap).Bool() }
	case reflect.Float32, reflect.Float64:
		return func(v reflect.Value, snap any) bool { return v.Float() == reflect.ValueOf(snap).Float() }
	}
	if t.Comparable() && t.Kind() != reflect.Interface {
		return func(v reflect.Value, snap any) bool { return v.Interface() == snap }
	}
	return func(v reflect.Value, snap any) bool { return reflect.DeepEqual(deepCopy(v), snap) }
}

func deepCopy(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Slice:
		if v.IsNil() {
			return v.Interface()
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(c, v)
		return c.Interface()
	case reflect.Map:
		if v.IsNil() {
			return v.Interface()
		}
		c := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			c.SetMapIndex(it.Key(), it.Value())
		}
		return c.Interface()
	}
	return v.Interface()
}

func fromSnapshot(t reflect.Type, val any) reflect.Value {
	if t.Kind() == reflect.Pointer {
		if val == nil {
			return reflect.Zero(t)
		}
		p := reflect.New(t.Elem())
		p.Elem().Set(fromSnapshot(t.Elem(), val))
		return p
	}
	if val == nil {
		return reflect.Zero(t)
	}
	if k := t.Kind(); k == reflect.Slice || k == reflect.Map {
		return reflect.ValueOf(deepCopy(reflect.ValueOf(val)))
	}
	return reflect.ValueOf(val)
}
