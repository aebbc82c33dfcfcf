package database

import (
	"bytes"
	"fmt"
	"reflect"
	"time"

	bunschema "github.com/uptrace/bun/schema"
)

// tracked holds the column values of a persistent object as last read or written, to find
// which columns changed.
type tracked struct {
	m    *model
	snap []any
}

// fieldCmp copies a field's value for a snapshot, compares it, and writes it back.
type fieldCmp struct {
	field *bunschema.Field
	copy  func(v reflect.Value) any
	equal func(a, b any) bool
}

var (
	timeT  = reflect.TypeFor[time.Time]()
	bytesT = reflect.TypeFor[[]byte]()
)

func newFieldCmp(f *bunschema.Field) fieldCmp {
	t := f.StructField.Type
	c := fieldCmp{field: f}
	switch {
	case t == bytesT:
		c.copy = func(v reflect.Value) any { return bytes.Clone(v.Bytes()) }
		c.equal = func(a, b any) bool { return bytes.Equal(a.([]byte), b.([]byte)) }
	case t.Kind() == reflect.Pointer:
		// Snapshot the pointed-to value, so that changes made through the pointer count.
		inner := newFieldCmp(&bunschema.Field{StructField: reflect.StructField{Type: t.Elem()}})
		c.copy = func(v reflect.Value) any {
			if v.IsNil() {
				return nil
			}
			return inner.copy(v.Elem())
		}
		c.equal = func(a, b any) bool {
			if a == nil || b == nil {
				return a == nil && b == nil
			}
			return inner.equal(a, b)
		}
	case t == timeT:
		c.copy = func(v reflect.Value) any { return v.Interface() }
		c.equal = func(a, b any) bool {
			x, y := a.(time.Time), b.(time.Time)
			return x.Equal(y) && x.Location().String() == y.Location().String()
		}
	case t.Comparable() && t.Kind() != reflect.Interface:
		c.copy = func(v reflect.Value) any { return v.Interface() }
		c.equal = func(a, b any) bool { return a == b }
	default:
		c.copy = func(v reflect.Value) any { return deepCopy(v) }
		c.equal = reflect.DeepEqual
	}
	return c
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

func (m *model) snapshot(obj any) []any {
	v := reflect.ValueOf(obj).Elem()
	snap := make([]any, len(m.cmp))
	for i, c := range m.cmp {
		snap[i] = c.copy(c.field.Value(v))
	}
	return snap
}

// restoreSnapshot writes snap back into obj's column fields.
func (m *model) restoreSnapshot(obj any, snap []any) {
	v := reflect.ValueOf(obj).Elem()
	for i, c := range m.cmp {
		fv := c.field.Value(v)
		fv.Set(fromSnapshot(fv.Type(), snap[i]))
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
	if t == bytesT {
		return reflect.ValueOf(bytes.Clone(val.([]byte)))
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
	for i, c := range tr.m.cmp {
		if !c.equal(tr.snap[i], c.copy(c.field.Value(v))) {
			cols = append(cols, c.field.Name)
		}
	}
	return cols
}

func (tr *tracked) restore(obj any) { tr.m.restoreSnapshot(obj, tr.snap) }

// track records obj as persistent with its current values.
func (s *Session) track(obj any, m *model) {
	if tr, ok := s.tracked[obj]; ok {
		tr.snap = m.snapshot(obj)
		return
	}
	s.tracked[obj] = &tracked{m: m, snap: m.snapshot(obj)}
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
	for _, rel := range m.table.Relations {
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
	m := &model{table: table}
	for _, f := range table.Fields {
		m.cmp = append(m.cmp, newFieldCmp(f))
	}
	actual, _ := d.models.LoadOrStore(t, m)
	return actual.(*model), nil
}
