package database

import (
	"bytes"
	"fmt"
	"reflect"
	"time"
	"unsafe"
	"weak"

	bunschema "github.com/uptrace/bun/schema"
)

// tracked holds the column values of a persistent object as last read or written, to find
// which columns changed.
type tracked struct {
	m    *model
	snap snapshot
}

// snapshot is an object's column values at one moment: vals for comparing and restoring
// field by field, raw (a byte copy of the whole struct) for a fast "nothing changed" test.
type snapshot struct {
	vals []any
	// raw is the struct's bytes followed by the bytes its model's pointees fields point
	// at (zeros for nil), in one block so that a check reads one place. It only proves
	// equality; vals keeps alive what the pointers in it refer to.
	raw []byte
}

// pointeeField is a pointer field of a model struct whose target keeps its whole value in
// its own bytes: equal struct bytes (so the same pointer) and equal target bytes mean an
// unchanged value.
type pointeeField struct {
	offset uintptr // of the pointer field in the struct
	size   uintptr // of the value it points at
}

// fieldOffset returns the offset of the field at index in t, when every struct on the way
// is embedded by value.
func fieldOffset(t reflect.Type, index []int) (uintptr, bool) {
	var off uintptr
	for i, x := range index {
		if t.Kind() != reflect.Struct {
			return 0, false
		}
		sf := t.Field(x)
		off += sf.Offset
		t = sf.Type
		if i < len(index)-1 && t.Kind() != reflect.Struct {
			return 0, false
		}
	}
	return off, true
}

// appendPointees appends the bytes each of m's pointees fields of the struct at base
// points at, zeros for a nil pointer.
func (m *model) appendPointees(b []byte, base unsafe.Pointer) []byte {
	for _, pf := range m.pointees {
		p := *(*unsafe.Pointer)(unsafe.Add(base, pf.offset))
		if p == nil {
			b = append(b, make([]byte, pf.size)...)
			continue
		}
		b = append(b, unsafe.Slice((*byte)(p), pf.size)...)
	}
	return b
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
	size := m.typ.Size()
	return bytes.Equal(unsafe.Slice((*byte)(base), size), snap.raw[:size]) && m.samePointees(base, snap.raw[size:])
}

// relField is a relation field's place in its struct, for quiet.
type relField struct {
	offset uintptr
	slice  bool // a has-many slice (else a pointer)
}

// samePointees reports whether the pointees of the struct at base hold the bytes want.
// The struct's own bytes must equal the snapshot's: then each pointer is the one the
// snapshot saw, and a nil one was nil then too (its bytes in want are zeros), so only
// non-nil pointees are read.
func (m *model) samePointees(base unsafe.Pointer, want []byte) bool {
	if len(want) != int(m.pointeeSize) {
		return false
	}
	at := 0
	for _, pf := range m.pointees {
		p := *(*unsafe.Pointer)(unsafe.Add(base, pf.offset))
		n := int(pf.size)
		if p != nil && !bytes.Equal(unsafe.Slice((*byte)(p), n), want[at:at+n]) {
			return false
		}
		at += n
	}
	return true
}

// weakKey is the identity-map key of obj, a non-nil pointer to a model struct.
func weakKey(obj any) weak.Pointer[byte] {
	return weak.Make((*byte)(reflect.ValueOf(obj).UnsafePointer()))
}

func (s *Session) trackedOf(obj any) (*tracked, bool) {
	tr, ok := s.tracked[weakKey(obj)]
	return tr, ok
}

func (s *Session) isTracked(obj any) bool {
	_, ok := s.trackedOf(obj)
	return ok
}

func (s *Session) untrack(obj any) { delete(s.tracked, weakKey(obj)) }

func (s *Session) setTracked(obj any, tr *tracked) { s.tracked[weakKey(obj)] = tr }

// eachTracked calls f for every tracked object still referenced by the program, and
// forgets those that have been garbage-collected.
func (s *Session) eachTracked(f func(obj any, tr *tracked)) { s.eachTrackedBut(false, f) }

// eachTrackedBut is eachTracked that, when skipQuiet is set, also skips the objects a
// flush has nothing to do for (model.quiet): a long-lived session tracks every object it
// ever wrote until the garbage collector clears them, and each flush checks them all.
func (s *Session) eachTrackedBut(skipQuiet bool, f func(obj any, tr *tracked)) {
	for k, tr := range s.tracked {
		p := k.Value()
		if p == nil {
			delete(s.tracked, k)
			continue
		}
		if skipQuiet && tr.m.quiet(unsafe.Pointer(p), tr.snap) {
			continue
		}
		f(reflect.NewAt(tr.m.typ, unsafe.Pointer(p)).Interface(), tr)
	}
}

// fieldCmp snapshots one field's value, tells whether the field still holds the
// snapshotted value, and writes a snapshot back. Scalars are compared without boxing, so
// checking an unchanged object for changes allocates nothing.
type fieldCmp struct {
	field *bunschema.Field
	index int // the field's index in its struct, or -1 when it is in an embedded struct
	copy  func(v reflect.Value) any
	same  func(v reflect.Value, snap any) bool
}

var (
	timeT  = reflect.TypeFor[time.Time]()
	bytesT = reflect.TypeFor[[]byte]()
)

func newFieldCmp(f *bunschema.Field) fieldCmp {
	c := fieldCmp{field: f, index: -1, copy: copier(f.StructField.Type), same: comparer(f.StructField.Type)}
	if len(f.Index) == 1 {
		c.index = f.Index[0]
	}
	return c
}

// value returns the field in the struct value v.
func (c *fieldCmp) value(v reflect.Value) reflect.Value {
	if c.index >= 0 {
		return v.Field(c.index)
	}
	return c.field.Value(v)
}

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

func (m *model) snapshot(obj any) snapshot {
	v := reflect.ValueOf(obj).Elem()
	vals := make([]any, len(m.cmp))
	for i := range m.cmp {
		c := &m.cmp[i]
		vals[i] = c.copy(c.value(v))
	}
	raw := m.rawBytes(obj)
	buf := make([]byte, len(raw), len(raw)+int(m.pointeeSize))
	copy(buf, raw)
	return snapshot{vals: vals, raw: m.appendPointees(buf, reflect.ValueOf(obj).UnsafePointer())}
}

// rawBytes views the memory of the struct obj points to. Equal bytes mean every field
// holding a value directly (strings, numbers, times) is unchanged; fields reaching their
// data through a pointer, slice or map still need a comparison of that data.
func (m *model) rawBytes(obj any) []byte {
	return unsafe.Slice((*byte)(reflect.ValueOf(obj).UnsafePointer()), m.typ.Size())
}

// restoreSnapshot writes snap back into obj's column fields.
func (m *model) restoreSnapshot(obj any, snap snapshot) {
	v := reflect.ValueOf(obj).Elem()
	for i, c := range m.cmp {
		fv := c.field.Value(v)
		fv.Set(fromSnapshot(fv.Type(), snap.vals[i]))
	}
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

// changed lists the column names whose values differ from the snapshot.
func (tr *tracked) changed(obj any) []string {
	v := reflect.ValueOf(obj).Elem()
	var cols []string
	check := func(i int) {
		c := &tr.m.cmp[i]
		if !c.same(c.value(v), tr.snap.vals[i]) {
			cols = append(cols, c.field.Name)
		}
	}
	size := tr.m.typ.Size()
	if bytes.Equal(tr.m.rawBytes(obj), tr.snap.raw[:size]) {
		indirect := tr.m.indirect
		if tr.m.samePointees(v.Addr().UnsafePointer(), tr.snap.raw[size:]) {
			indirect = tr.m.indirectRest
		}
		for _, i := range indirect {
			check(i)
		}
		return cols
	}
	for i := range tr.m.cmp {
		check(i)
	}
	return cols
}

func (tr *tracked) restore(obj any) { tr.m.restoreSnapshot(obj, tr.snap) }

// track records obj as persistent with its current values.
func (s *Session) track(obj any, m *model) {
	k := weakKey(obj)
	if tr, ok := s.tracked[k]; ok {
		tr.snap = m.snapshot(obj)
		return
	}
	s.tracked[k] = &tracked{m: m, snap: m.snapshot(obj)}
}

// trackLoaded tracks what a session SELECT scanned into: a model struct, or a slice of
// model structs or of pointers to them, and the belongs-to objects loaded with them.
func (s *Session) trackLoaded(dest any) {
	v := reflect.ValueOf(dest)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return
	}
	e := v.Elem()
	switch e.Kind() {
	case reflect.Struct:
		s.trackStruct(v)
	case reflect.Slice:
		for i := range e.Len() {
			el := e.Index(i)
			switch {
			case el.Kind() == reflect.Pointer && !el.IsNil():
				s.trackStruct(el)
			case el.Kind() == reflect.Struct:
				s.trackStruct(el.Addr())
			}
		}
	}
}

func (s *Session) trackStruct(ptr reflect.Value) {
	obj := ptr.Interface()
	m, err := s.db.modelOf(obj)
	if err != nil {
		return
	}
	if s.inQueue[obj] == queuedInsert {
		return
	}
	s.track(obj, m)
	for _, rel := range m.rels {
		if rel.Type != bunschema.BelongsToRelation && rel.Type != bunschema.HasOneRelation {
			continue
		}
		fv := rel.Field.Value(ptr.Elem())
		if fv.Kind() == reflect.Pointer && !fv.IsNil() && !hasZeroPK(fv, rel.JoinTable) {
			s.trackStruct(fv)
		}
	}
}

func hasZeroPK(ptr reflect.Value, t *bunschema.Table) bool {
	v := ptr.Elem()
	for _, pk := range t.PKs {
		if !pk.HasZeroValue(v) {
			return false
		}
	}
	return true
}

// modelOf returns the metadata of obj's model type, which must be a non-nil pointer to a
// struct that bun maps to a table.
func (d *DB) modelOf(obj any) (*model, error) {
	t := reflect.TypeOf(obj)
	if t == nil || t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct || reflect.ValueOf(obj).IsNil() {
		return nil, fmt.Errorf("%T is not a non-nil pointer to a model struct", obj)
	}
	if m, ok := d.models.Load(t); ok {
		return m.(*model), nil
	}
	table := d.Bun.Table(t.Elem())
	if table.Name == "" || len(table.PKs) == 0 {
		return nil, fmt.Errorf("%T has no table or no primary key", obj)
	}
	m := &model{typ: t.Elem(), table: table, bound: newBoundInsert(d.Dialect, t.Elem(), table)}
	for i, f := range table.Fields {
		m.cmp = append(m.cmp, newFieldCmp(f))
		ft := f.StructField.Type
		if holdsValueDirectly(ft) {
			continue
		}
		m.indirect = append(m.indirect, i)
		if off, ok := fieldOffset(m.typ, f.Index); ok && ft.Kind() == reflect.Pointer && holdsValueDirectly(ft.Elem()) {
			m.pointees = append(m.pointees, pointeeField{offset: off, size: ft.Elem().Size()})
			m.pointeeSize += ft.Elem().Size()
		} else {
			m.indirectRest = append(m.indirectRest, i)
		}
	}
	for _, sf := range reflect.VisibleFields(t.Elem()) { // declaration order, unlike the map
		if rel, ok := table.Relations[sf.Name]; ok {
			m.rels = append(m.rels, rel)
		}
	}
	m.quietable = len(m.indirectRest) == 0
	for _, rel := range m.rels {
		m.hasMany = m.hasMany || rel.Type == bunschema.HasManyRelation
		m.hasRefs = m.hasRefs || rel.Type == bunschema.BelongsToRelation
		off, ok := fieldOffset(m.typ, rel.Field.Index)
		kind := rel.Field.StructField.Type.Kind()
		if !ok || (kind != reflect.Pointer && kind != reflect.Slice) {
			m.quietable = false
			continue
		}
		m.relFields = append(m.relFields, relField{offset: off, slice: kind == reflect.Slice})
	}
	actual, _ := d.models.LoadOrStore(t, m)
	return actual.(*model), nil
}

// holdsValueDirectly reports whether a field of type t keeps its whole value inside the
// struct's own memory (so that equal struct bytes mean an equal value).
func holdsValueDirectly(t reflect.Type) bool {
	if t == timeT {
		return true
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// restoreUnchanged puts pre's values back into the fields of obj that still hold after's
// values, leaving fields changed since after was taken as they are.
func (m *model) restoreUnchanged(obj any, pre, after snapshot) {
	v := reflect.ValueOf(obj).Elem()
	for i := range m.cmp {
		c := &m.cmp[i]
		fv := c.value(v)
		if c.same(fv, after.vals[i]) {
			fv.Set(fromSnapshot(fv.Type(), pre.vals[i]))
		}
	}
}

// normalizeTimes converts time fields to UTC before a write on MySQL, whose driver writes
// a time's wall clock without its zone (the stored value would be off by the offset).
func (s *Session) normalizeTimes(obj any, m *model) {
	if s.db.Dialect != MySQL {
		return
	}
	v := reflect.ValueOf(obj).Elem()
	for i := range m.cmp {
		fv := m.cmp[i].value(v)
		switch {
		case fv.Type() == timeT:
			if t := fv.Interface().(time.Time); t.Location() != time.UTC {
				fv.Set(reflect.ValueOf(t.UTC()))
			}
		case fv.Kind() == reflect.Pointer && fv.Type().Elem() == timeT && !fv.IsNil():
			if t := fv.Elem().Interface().(time.Time); t.Location() != time.UTC {
				u := t.UTC()
				fv.Set(reflect.ValueOf(&u))
			}
		}
	}
}
