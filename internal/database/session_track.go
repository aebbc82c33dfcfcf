package database

import (
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

// relField is a relation field's place in its struct, for quiet.
type relField struct {
	offset uintptr
	slice  bool // a has-many slice (else a pointer)
}

// weakKey is the identity-map key of obj, a non-nil pointer to a model struct.
func weakKey(obj any) weak.Pointer[byte] {
	return weak.Make((*byte)(reflect.ValueOf(obj).UnsafePointer()))
}

func (s *Session) trackedOf(obj any) (*tracked, bool) {
	return s.tracked.get(weakKey(obj))
}

func (s *Session) isTracked(obj any) bool {
	_, ok := s.trackedOf(obj)
	return ok
}

func (s *Session) untrack(obj any) { s.tracked.remove(weakKey(obj)) }

func (s *Session) setTracked(obj any, tr *tracked) { s.tracked.put(weakKey(obj), tr) }

// eachTracked calls f for every tracked object still referenced by the program, and
// forgets those that have been garbage-collected.
func (s *Session) eachTracked(f func(obj any, tr *tracked)) { _ = s.eachTrackedBut(false, f) }

// eachTrackedBut is eachTracked that, when skipQuiet is set, also skips the objects a
// flush has nothing to do for (model.quiet): a long-lived session tracks every object it
// ever wrote until the garbage collector clears them, and each flush checks them all.
// It reports whether it forgot objects the collector had cleared. f must not track or
// untrack objects.
func (s *Session) eachTrackedBut(skipQuiet bool, f func(obj any, tr *tracked)) (dropped bool) {
	t := &s.tracked
	for i := 0; i < len(t.list); {
		e := t.list[i]
		p := e.key.Value()
		if p == nil {
			t.removeAt(i) // brings the last entry here: i is not advanced
			dropped = true
			continue
		}
		i++
		if skipQuiet && e.tr.m.quiet(unsafe.Pointer(p), e.tr.snap) {
			continue
		}
		f(reflect.NewAt(e.tr.m.typ, unsafe.Pointer(p)).Interface(), e.tr)
	}
	return dropped
}

// track records obj as persistent with its current values.
func (s *Session) track(obj any, m *model) {
	k := weakKey(obj)
	if tr, ok := s.tracked.get(k); ok {
		tr.snap = m.snapshot(obj)
		return
	}
	s.tracked.put(k, &tracked{m: m, snap: m.snapshot(obj)})
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
	m.initSnapshots()
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
