package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"time"

	bunschema "github.com/uptrace/bun/schema"
)

// insertBatchSize bounds the rows of one multi-row INSERT: large enough to amortise
// round trips, small enough to keep statements far below every server's packet limit.
const insertBatchSize = 1000

type journalKind uint8

const (
	journalInsert journalKind = iota
	journalUpdate
	journalDelete
)

type journalEntry struct {
	kind journalKind
	obj  any
	m    *model
	snap snapshot // insert: values before the insert; update/delete: snapshot before the flush
}

// parentLink says that obj was found in a has-many collection of parent, so its foreign
// key must be set from the parent's primary key.
type parentLink struct {
	parent any
	rel    *bunschema.Relation
}

// flush writes pending changes into the session's transaction.
func (s *Session) flush(ctx context.Context) error { return s.flushFor(ctx, false) }

// flushFor is flush; commit says that a commit follows at once, so that a flush whose only
// write is one INSERT statement may run it on its own (commitsAlone).
func (s *Session) flushFor(ctx context.Context, commit bool) error {
	if s.flushing {
		return nil
	}
	s.flushing = true
	defer func() { s.flushing = false }()

	sc, err := s.scan()
	if err != nil {
		return err
	}
	if len(s.pending) == 0 && len(s.deleted) == 0 && len(sc.dirty) == 0 {
		return nil
	}
	if commit && s.tx == nil && s.commitsAlone(sc) {
		if err := s.write(ctx, sc); err != nil {
			s.abort()
			return err
		}
		s.journal = truncate(s.journal)
		s.aloneCommits++
		return nil
	}
	if err := s.begin(ctx); err != nil {
		return err
	}
	if err := s.write(ctx, sc); err != nil {
		s.abort()
		return err
	}
	return nil
}

// errNeedsTx is what an INSERT run outside a transaction answers, having written
// nothing, if it needed more than one statement: commitsAlone (boundInsert.alone) rules
// that out, so this only guards the rule.
var errNeedsTx = errors.New("session: internal error: an insert written alone needs a transaction")

// commitsAlone reports whether a commit with no transaction open writes a single row with
// a single statement, which SQLite then runs as a transaction of its own, as atomic as
// BEGIN, the INSERT and COMMIT, without their two statements and database/sql's
// transaction (a goroutine each): on SQLite, one new object, nothing changed or deleted,
// and a model whose INSERT reads back at most the new rowid (boundInsert.alone). A
// one-row-per-commit session (the tutorial's db.session) spends about a sixth less a
// commit (BenchmarkSessionRatio, docs/performance.md "The Session").
func (s *Session) commitsAlone(sc *scanResult) bool {
	if s.db.Dialect != SQLite || s.db.bunInserts || len(s.pending) != 1 || len(s.deleted) != 0 || len(sc.dirty) != 0 || len(sc.waiting) != 0 {
		return false
	}
	m, err := s.db.modelOf(s.pending[0])
	return err == nil && m.bound != nil && m.bound.alone
}

// writer is where a flush's statements go: the open transaction or, for a commit that
// writes one statement alone (commitsAlone), the database.
func (s *Session) writer() interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
} {
	if s.tx != nil {
		return s.tx.Tx
	}
	return s.db.SQL
}

// write performs the inserts, updates and deletes of one flush, journaling each.
func (s *Session) write(ctx context.Context, sc *scanResult) error {
	batches, err := s.insertBatches(sc.links)
	if err != nil {
		return err
	}
	s.journal = slices.Grow(s.journal, len(s.pending)+len(sc.dirty)+len(s.deleted))
	for _, b := range batches {
		for _, obj := range b.objs {
			s.journal = append(s.journal, journalEntry{kind: journalInsert, obj: obj, m: b.m, snap: b.m.snapshot(obj)})
			setForeignKeys(obj, b.m, sc.links)
			s.normalizeTimes(obj, b.m)
		}
		if err := s.insert(ctx, b); err != nil {
			return err
		}
		for _, obj := range b.objs {
			s.track(obj, b.m)
			delete(s.inQueue, obj)
		}
	}
	s.pending = truncate(s.pending)

	// Tracked objects pointing at objects that were new until now get their keys.
	for _, w := range sc.waiting {
		setForeignKeys(w.obj, w.tr.m, sc.links)
		if cols := w.tr.changed(w.obj); len(cols) > 0 {
			sc.dirty = append(slices.DeleteFunc(sc.dirty, func(d dirtyObj) bool { return d.obj == w.obj }), dirtyObj{obj: w.obj, tr: w.tr, cols: cols})
		}
	}
	// Update in primary-key order, so that concurrent sessions lock rows in one order.
	slices.SortFunc(sc.dirty, cmpPK)
	for _, d := range sc.dirty {
		tr := d.tr
		s.journal = append(s.journal, journalEntry{kind: journalUpdate, obj: d.obj, m: tr.m, snap: tr.snap})
		s.normalizeTimes(d.obj, tr.m)
		res, err := s.tx.NewUpdate().Model(d.obj).Column(d.cols...).WherePK().Exec(ctx)
		if err != nil {
			return fmt.Errorf("session: update %v: %w", d.obj, s.db.describe(err, tr.m.table))
		}
		if n, err := res.RowsAffected(); err == nil && n != 1 {
			return fmt.Errorf("session: update %v: %d rows matched its primary key, want 1 (was it deleted by someone else?)", d.obj, n)
		}
		tr.snap = tr.m.snapshot(d.obj)
	}

	for _, obj := range s.deleteOrder() {
		tr, _ := s.trackedOf(obj)
		s.journal = append(s.journal, journalEntry{kind: journalDelete, obj: obj, m: tr.m, snap: tr.snap})
		if _, err := s.tx.NewDelete().Model(obj).WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("session: delete %v: %w", obj, s.db.describe(err, tr.m.table))
		}
		s.untrack(obj)
		delete(s.inQueue, obj)
	}
	s.deleted = truncate(s.deleted)
	return nil
}

// abort rolls the transaction back after a failed write and puts every object back as it
// was before the transaction began: the session's changes are pending again.
func (s *Session) abort() {
	if s.tx != nil {
		_ = s.tx.Rollback()
		s.tx = nil
	}
	s.revertJournal()
}

// revertJournal undoes, newest first, what flushes wrote in the discarded transaction.
func (s *Session) revertJournal() {
	// An object deleted and then added again inside the transaction is, once both are
	// undone, simply persistent and unchanged: it goes back to neither queue.
	deletedAt := map[any]int{}
	for i, e := range s.journal {
		if e.kind == journalDelete {
			if _, ok := deletedAt[e.obj]; !ok {
				deletedAt[e.obj] = i
			}
		}
	}
	net := map[any]bool{}
	var reinserted []any
	var redeleted []any
	for i := len(s.journal) - 1; i >= 0; i-- {
		e := s.journal[i]
		switch e.kind {
		case journalInsert:
			// Put back what the insert filled in (id, keys, defaults), but keep changes
			// the program made to the object since.
			// An object whose insert failed was never tracked: everything that differs
			// from before came from the attempt itself.
			if tr, ok := s.trackedOf(e.obj); ok {
				e.m.restoreUnchanged(e.obj, e.snap, tr.snap)
			} else {
				e.m.restoreSnapshot(e.obj, e.snap)
			}
			s.untrack(e.obj)
			if j, ok := deletedAt[e.obj]; ok && j < i {
				net[e.obj] = true
				continue
			}
			if s.inQueue[e.obj] != queuedInsert {
				reinserted = append(reinserted, e.obj)
				s.inQueue[e.obj] = queuedInsert
			}
		case journalUpdate:
			if tr, ok := s.trackedOf(e.obj); ok {
				tr.snap = e.snap
			}
		case journalDelete:
			s.setTracked(e.obj, &tracked{m: e.m, snap: e.snap})
			// Added again after the delete (still pending, or inserted and undone
			// above): the row is back, so there is nothing to do either way.
			if net[e.obj] || s.inQueue[e.obj] == queuedInsert {
				net[e.obj] = true
				continue
			}
			if s.inQueue[e.obj] != queuedDelete {
				redeleted = append(redeleted, e.obj)
				s.inQueue[e.obj] = queuedDelete
			}
		}
	}
	slices.Reverse(reinserted)
	slices.Reverse(redeleted)
	s.pending = append(reinserted, removeQueued(s.pending, reinserted)...)
	s.deleted = append(redeleted, removeQueued(s.deleted, redeleted)...)
	if len(net) > 0 {
		var gone []any
		for obj := range net {
			delete(s.inQueue, obj)
			gone = append(gone, obj)
		}
		s.pending = removeQueued(s.pending, gone)
		s.deleted = removeQueued(s.deleted, gone)
	}
	s.journal = truncate(s.journal)
}

func removeQueued(list, drop []any) []any {
	if len(drop) == 0 {
		return list
	}
	set := make(map[any]struct{}, len(drop))
	for _, o := range drop {
		set[o] = struct{}{}
	}
	out := list[:0:0]
	for _, o := range list {
		if _, ok := set[o]; !ok {
			out = append(out, o)
		}
	}
	return out
}

type dirtyObj struct {
	obj  any
	tr   *tracked
	cols []string
}

type waitingObj struct {
	obj any
	tr  *tracked
}

// scanResult is what one pass over the session's objects found.
type scanResult struct {
	links   map[any]parentLink // new has-many children → their parent
	dirty   []dirtyObj         // tracked objects with changed columns
	waiting []waitingObj       // tracked objects pointing at objects not yet inserted
}

// scan makes the one pass over tracked objects that a flush needs: it adds the new
// objects they reach (SQLAlchemy's save-update cascade), copies keys from the persistent
// objects they point at into their foreign keys, and finds their changed columns. Then
// it cascades from the pending objects.
func (s *Session) scan() (*scanResult, error) {
	sc := &scanResult{links: make(map[any]parentLink)}
	var err error
	start := time.Now()
	dropped := s.eachTrackedBut(true, func(obj any, tr *tracked) {
		if err != nil {
			return
		}
		if tr.m.hasMany || tr.m.hasRefs {
			var waits bool
			waits, err = s.cascadeFrom(obj, tr.m, sc.links)
			if waits {
				sc.waiting = append(sc.waiting, waitingObj{obj: obj, tr: tr})
			}
		}
		if err != nil || s.inQueue[obj] == queuedDelete {
			return
		}
		if cols := tr.changed(obj); len(cols) > 0 {
			for _, pk := range tr.m.table.PKs {
				if slices.Contains(cols, pk.Name) {
					err = fmt.Errorf("session: update %v: %w", obj, errPKChange)
				}
			}
			sc.dirty = append(sc.dirty, dirtyObj{obj: obj, tr: tr, cols: cols})
		}
	})
	s.collector.scanned(time.Since(start), dropped)
	if err != nil {
		return nil, err
	}
	for i := 0; i < len(s.pending); i++ { // grows while we walk it
		obj := s.pending[i]
		m, err := s.db.modelOf(obj)
		if err != nil {
			return nil, err
		}
		if len(m.rels) > 0 {
			if _, err := s.cascadeFrom(obj, m, sc.links); err != nil {
				return nil, err
			}
		}
	}
	return sc, nil
}

// cascadeFrom adds the new objects obj refers to through belongs-to pointers and has-many
// collections, records which parent each new child belongs to, and copies the keys of
// persistent belongs-to targets into obj's foreign keys. It reports whether obj points at
// an object that has no key yet.
func (s *Session) cascadeFrom(obj any, m *model, links map[any]parentLink) (waits bool, err error) {
	v := reflect.ValueOf(obj).Elem()
	for _, rel := range m.rels {
		fv := rel.Field.Value(v)
		switch rel.Type {
		case bunschema.BelongsToRelation, bunschema.HasOneRelation:
			if fv.Kind() != reflect.Pointer || fv.IsNil() {
				continue
			}
			if err := s.addIfNew(fv.Interface()); err != nil {
				return false, err
			}
			if rel.Type == bunschema.BelongsToRelation {
				if hasZeroPK(fv, rel.JoinTable) {
					waits = true
				} else {
					copyKeys(v, rel.BasePKs, fv.Elem(), rel.JoinPKs)
				}
			}
		case bunschema.HasManyRelation:
			if fv.Kind() != reflect.Slice {
				continue
			}
			for i := range fv.Len() {
				el := fv.Index(i)
				if el.Kind() == reflect.Struct {
					el = el.Addr()
				}
				if el.Kind() != reflect.Pointer || el.IsNil() {
					continue
				}
				child := el.Interface()
				if !s.isTracked(child) {
					links[child] = parentLink{parent: obj, rel: rel}
				}
				if err := s.addIfNew(child); err != nil {
					return false, err
				}
			}
		}
	}
	return waits, nil
}

func cmpPK(a, b dirtyObj) int {
	ta, tb := a.tr.m.table.Name, b.tr.m.table.Name
	if ta != tb {
		if ta < tb {
			return -1
		}
		return 1
	}
	return compareAny(pkValue(a.obj, a.tr.m), pkValue(b.obj, b.tr.m))
}

func pkValue(obj any, m *model) any {
	return m.table.PKs[0].Value(reflect.ValueOf(obj).Elem()).Interface()
}

func compareAny(a, b any) int {
	switch x := a.(type) {
	case int64:
		return cmpOrdered(x, b.(int64))
	case int:
		return cmpOrdered(x, b.(int))
	case int32:
		return cmpOrdered(x, b.(int32))
	case string:
		return cmpOrdered(x, b.(string))
	}
	return 0
}

func cmpOrdered[T int | int32 | int64 | string](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// addIfNew adds obj when it is neither tracked nor queued (a transient object).
func (s *Session) addIfNew(obj any) error {
	if s.inQueue[obj] != queuedNone {
		return nil
	}
	if s.isTracked(obj) {
		return nil
	}
	return s.Add(obj)
}

// setForeignKeys copies primary keys of related objects into obj's foreign-key fields:
// from its belongs-to targets, and from the has-many parent it was collected from.
func setForeignKeys(obj any, m *model, links map[any]parentLink) {
	v := reflect.ValueOf(obj).Elem()
	for _, rel := range m.rels {
		if rel.Type != bunschema.BelongsToRelation {
			continue
		}
		fv := rel.Field.Value(v)
		if fv.Kind() != reflect.Pointer || fv.IsNil() || hasZeroPK(fv, rel.JoinTable) {
			continue
		}
		copyKeys(v, rel.BasePKs, fv.Elem(), rel.JoinPKs)
	}
	if link, ok := links[obj]; ok {
		pv := reflect.ValueOf(link.parent).Elem()
		copyKeys(v, link.rel.JoinPKs, pv, link.rel.BasePKs)
	}
}

func copyKeys(dst reflect.Value, dstFields []*bunschema.Field, src reflect.Value, srcFields []*bunschema.Field) {
	for i, f := range dstFields {
		sv := srcFields[i].Value(src)
		dv := f.Value(dst)
		if sv.Type().AssignableTo(dv.Type()) {
			dv.Set(sv)
		} else if sv.Type().ConvertibleTo(dv.Type()) {
			dv.Set(sv.Convert(dv.Type()))
		} else if dv.Kind() == reflect.Pointer && sv.Type().ConvertibleTo(dv.Type().Elem()) {
			p := reflect.New(dv.Type().Elem())
			p.Elem().Set(sv.Convert(dv.Type().Elem()))
			dv.Set(p)
		}
	}
}

type insertBatch struct {
	m    *model
	objs []any
}

// insertBatches orders pending objects parents-first: tables in dependency order, and
// inside a table, objects referring to other pending objects of the same table after
// them. Consecutive objects of one table and level form multi-row batches.
func (s *Session) insertBatches(links map[any]parentLink) ([]insertBatch, error) {
	byTable := make(map[*bunschema.Table][]any)
	models := make(map[*bunschema.Table]*model)
	var tables []*bunschema.Table
	for _, obj := range s.pending {
		m, err := s.db.modelOf(obj)
		if err != nil {
			return nil, err
		}
		if _, ok := byTable[m.table]; !ok {
			tables = append(tables, m.table)
			models[m.table] = m
		}
		byTable[m.table] = append(byTable[m.table], obj)
	}
	deps := func(t *bunschema.Table) []*bunschema.Table {
		var out []*bunschema.Table
		for _, rel := range t.Relations {
			if rel.Type == bunschema.BelongsToRelation && rel.JoinTable != t {
				out = append(out, rel.JoinTable)
			}
		}
		for _, other := range tables {
			for _, rel := range other.Relations {
				if rel.Type == bunschema.HasManyRelation && rel.JoinTable == t && other != t {
					out = append(out, other)
				}
			}
		}
		return out
	}
	var batches []insertBatch
	for _, t := range topoSort(tables, deps) {
		m := models[t]
		for _, level := range s.levels(byTable[t], m, links) {
			for start := 0; start < len(level); start += insertBatchSize {
				end := min(start+insertBatchSize, len(level))
				batches = append(batches, insertBatch{m: m, objs: level[start:end]})
			}
		}
	}
	return batches, nil
}

// levels splits one table's pending objects so that an object pointing (belongs-to) at
// another pending object of the same table is inserted in a later statement.
func (s *Session) levels(objs []any, m *model, links map[any]parentLink) [][]any {
	selfRef := false
	for _, rel := range m.rels {
		if rel.JoinTable == m.table {
			selfRef = true
		}
	}
	if !selfRef {
		return [][]any{objs}
	}
	done := make(map[any]bool)
	queued := make(map[any]bool, len(objs))
	for _, o := range objs {
		queued[o] = true
	}
	var out [][]any
	rest := objs
	for len(rest) > 0 {
		var level, next []any
		for _, o := range rest {
			if s.waitsFor(o, m, queued, done, links) {
				next = append(next, o)
			} else {
				level = append(level, o)
			}
		}
		if len(level) == 0 { // a cycle: let the database report the violated key
			level, next = next, nil
		}
		for _, o := range level {
			done[o] = true
		}
		out = append(out, level)
		rest = next
	}
	return out
}

func (s *Session) waitsFor(obj any, m *model, queued, done map[any]bool, links map[any]parentLink) bool {
	v := reflect.ValueOf(obj).Elem()
	for _, rel := range m.rels {
		if rel.JoinTable != m.table || rel.Type != bunschema.BelongsToRelation {
			continue
		}
		fv := rel.Field.Value(v)
		if fv.Kind() == reflect.Pointer && !fv.IsNil() {
			target := fv.Interface()
			if queued[target] && !done[target] {
				return true
			}
		}
	}
	if link, ok := links[obj]; ok && queued[link.parent] && !done[link.parent] {
		return true
	}
	return false
}

func topoSort(tables []*bunschema.Table, deps func(*bunschema.Table) []*bunschema.Table) []*bunschema.Table {
	in := make(map[*bunschema.Table]bool, len(tables))
	for _, t := range tables {
		in[t] = true
	}
	state := make(map[*bunschema.Table]int) // 0 new, 1 visiting, 2 done
	var out []*bunschema.Table
	var visit func(t *bunschema.Table)
	visit = func(t *bunschema.Table) {
		if state[t] != 0 {
			return // done, or a cycle: keep the order in which tables were added
		}
		state[t] = 1
		for _, d := range deps(t) {
			if in[d] {
				visit(d)
			}
		}
		state[t] = 2
		out = append(out, t)
	}
	for _, t := range tables {
		visit(t)
	}
	return out
}

// deleteOrder returns the objects to delete, children before parents.
func (s *Session) deleteOrder() []any {
	if len(s.deleted) == 0 {
		return nil
	}
	byTable := make(map[*bunschema.Table][]any)
	var tables []*bunschema.Table
	for _, obj := range s.deleted {
		tr, _ := s.trackedOf(obj)
		t := tr.m.table
		if _, ok := byTable[t]; !ok {
			tables = append(tables, t)
		}
		byTable[t] = append(byTable[t], obj)
	}
	order := topoSort(tables, func(t *bunschema.Table) []*bunschema.Table {
		var out []*bunschema.Table
		for _, rel := range t.Relations {
			if rel.Type == bunschema.BelongsToRelation && rel.JoinTable != t {
				out = append(out, rel.JoinTable)
			}
		}
		return out
	})
	var out []any
	for i := len(order) - 1; i >= 0; i-- {
		objs := byTable[order[i]]
		tr, _ := s.trackedOf(objs[0])
		out = append(out, childrenFirst(objs, tr.m)...)
	}
	return out
}

// childrenFirst orders the rows of one table that refer to each other (a comment and its
// replies) so that a row goes before the rows it points at.
func childrenFirst(objs []any, m *model) []any {
	var self []*bunschema.Relation
	for _, rel := range m.rels {
		if rel.Type == bunschema.BelongsToRelation && rel.JoinTable == m.table {
			self = append(self, rel)
		}
	}
	if len(self) == 0 || len(objs) < 2 {
		return objs
	}
	key := func(v reflect.Value, fields []*bunschema.Field) string {
		parts := make([]string, len(fields))
		for i, f := range fields {
			parts[i] = fmt.Sprint(reflect.Indirect(f.Value(v)).Interface())
		}
		return fmt.Sprint(parts)
	}
	remaining := slices.Clone(objs)
	var out []any
	for len(remaining) > 0 {
		referenced := map[string]bool{}
		for _, o := range remaining {
			v := reflect.ValueOf(o).Elem()
			for _, rel := range self {
				if fv := rel.BasePKs[0].Value(v); !(fv.Kind() == reflect.Pointer && fv.IsNil()) {
					referenced[key(v, rel.BasePKs)] = true
				}
			}
		}
		var next, free []any
		for _, o := range remaining {
			if referenced[key(reflect.ValueOf(o).Elem(), m.table.PKs)] {
				next = append(next, o)
			} else {
				free = append(free, o)
			}
		}
		if len(free) == 0 { // a cycle: let the database report it
			free, next = next, nil
		}
		out = append(out, free...)
		remaining = next
	}
	return out
}

// insert writes one batch, filling generated ids in on the objects.
func (s *Session) insert(ctx context.Context, b insertBatch) error {
	var err error
	if b.m.bound != nil && !s.db.bunInserts {
		err = s.insertBound(ctx, b)
	} else {
		err = s.insertBun(ctx, b)
	}
	if err != nil {
		what := fmt.Sprint(b.objs[0])
		if len(b.objs) > 1 {
			what = fmt.Sprintf("%d %s rows", len(b.objs), b.m.table.Name)
		}
		return fmt.Errorf("session: insert %s: %w", what, s.db.describe(err, b.m.table))
	}
	return nil
}

// insertBun writes one batch through bun's InsertQuery, values formatted into the text.
func (s *Session) insertBun(ctx context.Context, b insertBatch) error {
	var model any
	if len(b.objs) == 1 {
		model = b.objs[0]
	} else {
		typ := reflect.TypeOf(b.objs[0])
		slice := reflect.MakeSlice(reflect.SliceOf(typ), len(b.objs), len(b.objs))
		for i, o := range b.objs {
			slice.Index(i).Set(reflect.ValueOf(o))
		}
		ptr := reflect.New(slice.Type())
		ptr.Elem().Set(slice)
		model = ptr.Interface()
	}
	_, err := s.tx.NewInsert().Model(model).Exec(ctx)
	return err
}

var errPKChange = errors.New("changing a primary key is not supported; delete the object and add a new one")
