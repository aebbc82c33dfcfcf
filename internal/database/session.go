package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"reflect"

	"github.com/uptrace/bun"
	bunschema "github.com/uptrace/bun/schema"
)

// ErrNotFound is returned by Session.Get when no row has the given primary key.
var ErrNotFound = errors.New("not found")

// Session is a unit of work, the Go counterpart of SQLAlchemy's db.session:
//
//	s := db.NewSession()
//	u := &models.User{Username: "john", Email: "john@example.com"}
//	s.Add(u)
//	s.Add(&models.Post{Body: "my first post!", Author: u})
//	err := s.Commit(ctx) // one transaction: the user first, then the post with u's id
//
// New objects (Add), changes to objects loaded through the session, and deletions
// (Delete) are kept in memory until Commit writes all of them in one transaction, in
// dependency order: parents before children on insert, children before parents on
// delete. Objects referenced from a pending object through a belongs-to or has-many
// relation are added too (Post{Author: u} adds u). Queries built with the session's
// New* methods first flush pending changes into the session's transaction (autoflush),
// so they see them while other connections do not.
//
// An object loaded through a session query built with Model(…) is tracked: changing its
// fields and committing writes an UPDATE of the changed columns only.
//
// If writing fails, the transaction is rolled back and the session is left exactly as
// before the attempt: the changes are still pending (fix them and Commit again) and the
// objects carry no half-assigned ids. Rollback discards pending changes and restores
// tracked objects to their last committed values.
//
// A Session is meant for one goroutine (one request, one job, one script) at a time.
// The write transaction begins lazily at the first flush that has something to write,
// so a session that only reads never holds a lock.
type Session struct {
	db *DB

	tx *bun.Tx // open write transaction, or nil

	pending []any // objects to insert, in the order added
	deleted []any // tracked objects to delete, in the order deleted
	inQueue map[any]queueState

	// tracked maps persistent objects to their values as last read or written. Like
	// SQLAlchemy's identity map it holds them weakly: an object the program no longer
	// references cannot change any more, so it drops out instead of being re-checked by
	// every later flush.
	tracked trackSet

	// journal records what flushes wrote inside the open transaction, so that a failure
	// or a Rollback can put the objects back as they were before the transaction.
	journal []journalEntry

	flushing bool

	collector collector // when to ask for a collection (see collector)

	aloneCommits int // commits that wrote their one INSERT alone (commitsAlone), for tests
}

type queueState uint8

const (
	queuedNone queueState = iota
	queuedInsert
	queuedDelete
)

// NewSession starts an empty session on db.
func (d *DB) NewSession() *Session {
	return &Session{
		db:      d,
		inQueue: make(map[any]queueState),
		tracked: newTrackSet(),
	}
}

// Add schedules obj (a pointer to a model struct) to be inserted at the next flush. Adding
// an object that is already persistent or already pending does nothing; adding an object
// scheduled for deletion cancels the deletion.
func (s *Session) Add(obj any) error {
	if _, err := s.db.modelOf(obj); err != nil {
		return fmt.Errorf("session: add: %w", err)
	}
	switch s.inQueue[obj] {
	case queuedInsert:
		return nil
	case queuedDelete:
		s.deleted = removeObj(s.deleted, obj)
		delete(s.inQueue, obj)
		return nil
	}
	if s.isTracked(obj) {
		return nil
	}
	s.pending = append(s.pending, obj)
	s.inQueue[obj] = queuedInsert
	return nil
}

// AddAll adds each object in turn; see Add.
func (s *Session) AddAll(objs ...any) error {
	for _, o := range objs {
		if err := s.Add(o); err != nil {
			return err
		}
	}
	return nil
}

// Delete schedules a persistent object for deletion at the next flush. Deleting a pending
// (never written) object just cancels its insertion.
func (s *Session) Delete(obj any) error {
	if _, err := s.db.modelOf(obj); err != nil {
		return fmt.Errorf("session: delete: %w", err)
	}
	switch s.inQueue[obj] {
	case queuedInsert:
		s.pending = removeObj(s.pending, obj)
		delete(s.inQueue, obj)
		return nil
	case queuedDelete:
		return nil
	}
	if !s.isTracked(obj) {
		return fmt.Errorf("session: delete %v: the object was not loaded through this session (load it with Get or a session query first)", obj)
	}
	s.deleted = append(s.deleted, obj)
	s.inQueue[obj] = queuedDelete
	return nil
}

// Pending reports whether the session holds changes not yet committed: objects to insert
// or delete, changed tracked objects, or flushed but uncommitted writes.
func (s *Session) Pending() bool {
	if len(s.pending) > 0 || len(s.deleted) > 0 || s.tx != nil {
		return true
	}
	pending := false
	s.eachTracked(func(obj any, tr *tracked) {
		pending = pending || len(tr.changed(obj)) > 0
	})
	return pending
}

// Flush writes pending changes into the session's transaction without committing it.
// Queries through the session do this automatically.
func (s *Session) Flush(ctx context.Context) error {
	return s.flush(ctx)
}

// Commit flushes pending changes and commits the transaction. On error nothing is
// written and the session is as it was before the call. On SQLite a commit whose only
// write is one new row runs that INSERT alone, a transaction of its own (commitsAlone).
func (s *Session) Commit(ctx context.Context) error {
	if err := s.flushFor(ctx, true); err != nil {
		return err
	}
	if s.tx == nil {
		s.maybeCollect()
		return nil
	}
	err := s.tx.Commit()
	s.tx = nil
	if err != nil {
		s.revertJournal()
		return fmt.Errorf("session: commit: %w", s.db.describe(err, nil))
	}
	s.journal = truncate(s.journal)
	s.maybeCollect()
	return nil
}

// SQLTx flushes pending changes and returns the session's write transaction, beginning
// it if needed, for work that must commit or roll back with the session's changes —
// such as inserting a background job (jobs.Queue.Enqueue). The transaction belongs to
// the session: finish it with Commit or Rollback, never directly.
func (s *Session) SQLTx(ctx context.Context) (*sql.Tx, error) {
	if err := s.flush(ctx); err != nil {
		return nil, err
	}
	if err := s.begin(ctx); err != nil {
		return nil, err
	}
	return s.tx.Tx, nil
}

// Rollback discards everything not yet committed: pending inserts and deletes, and
// flushed but uncommitted writes. Objects that had been inserted by a flush lose their
// ids again; tracked objects get back their last committed values.
func (s *Session) Rollback(ctx context.Context) error {
	var err error
	if s.tx != nil {
		if e := s.tx.Rollback(); e != nil && !errors.Is(e, sql.ErrTxDone) {
			err = fmt.Errorf("session: rollback: %w", e)
		}
		s.tx = nil
	}
	s.revertJournal()
	for _, obj := range s.pending {
		delete(s.inQueue, obj)
	}
	for _, obj := range s.deleted {
		delete(s.inQueue, obj)
	}
	s.pending, s.deleted = truncate(s.pending), truncate(s.deleted)
	s.eachTracked(func(obj any, tr *tracked) { tr.restore(obj) })
	return err
}

// Close rolls back anything uncommitted. Deferring it guarantees no transaction is left
// open when a handler returns early.
func (s *Session) Close() error {
	if !s.Pending() {
		return nil
	}
	return s.Rollback(context.Background())
}

// Get loads the object whose primary key is pk into dest (a pointer to a model struct)
// after flushing pending changes, and tracks it. It returns an error wrapping ErrNotFound
// when there is no such row.
func (s *Session) Get(ctx context.Context, dest any, pk ...any) error {
	m, err := s.db.modelOf(dest)
	if err != nil {
		return fmt.Errorf("session: get: %w", err)
	}
	if len(pk) != len(m.table.PKs) {
		return fmt.Errorf("session: get %s: want %d primary-key value(s), got %d", m.table.Name, len(m.table.PKs), len(pk))
	}
	v := reflect.ValueOf(dest).Elem()
	keys := make([]any, len(pk))
	for i, f := range m.table.PKs {
		fv, av := f.Value(v), reflect.ValueOf(pk[i])
		if !keyFits(av, fv.Type()) {
			return fmt.Errorf("session: get %s: primary key %v (%T) does not fit field %s (%s)", m.table.Name, pk[i], pk[i], f.GoName, fv.Type())
		}
		fv.Set(av.Convert(fv.Type()))
		keys[i] = fv.Interface()
	}
	// Bound, so that the statement is one per model and stays prepared: every request
	// of a signed-in user loads the user this way.
	q := s.NewSelectBound(keys...).Model(dest)
	for _, f := range m.table.PKs {
		q = q.Where("?TableAlias.? = ?", bun.Ident(f.Name), Param)
	}
	err = q.Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("session: get %s %v: %w", m.table.Name, pk, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("session: get %s %v: %w", m.table.Name, pk, err)
	}
	return nil
}

// NewSelect starts a SELECT bound to the session: it autoflushes, reads inside the
// session's transaction when one is open, and tracks the models it loads.
func (s *Session) NewSelect() *bun.SelectQuery { return s.db.Bun.NewSelect().Conn(s.conn()) }

// NewInsert starts an INSERT that runs inside the session's transaction. Objects it
// writes are not tracked; prefer Add.
func (s *Session) NewInsert() *bun.InsertQuery { return s.db.Bun.NewInsert().Conn(s.conn()) }

// NewUpdate starts a bulk UPDATE that runs inside the session's transaction.
func (s *Session) NewUpdate() *bun.UpdateQuery { return s.db.Bun.NewUpdate().Conn(s.conn()) }

// NewDelete starts a bulk DELETE that runs inside the session's transaction.
func (s *Session) NewDelete() *bun.DeleteQuery { return s.db.Bun.NewDelete().Conn(s.conn()) }

// NewRaw starts a raw query bound to the session (autoflush; inside its transaction when
// one is open). Use Exec for statements that write, so that they join the transaction.
func (s *Session) NewRaw(query string, args ...any) *bun.RawQuery {
	return s.db.Bun.NewRaw(query, args...).Conn(s.conn())
}

func (s *Session) conn() bun.IConn { return sessionConn{s} }

func (s *Session) begin(ctx context.Context) error {
	if s.tx != nil {
		return nil
	}
	tx, err := s.db.Bun.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("session: begin: %w", err)
	}
	s.tx = &tx
	return nil
}

// model is what the session needs to know about a model's Go type.
type model struct {
	typ   reflect.Type // the struct type
	table *bunschema.Table
	cmp   []fieldCmp            // one per table.Fields entry
	rels  []*bunschema.Relation // table.Relations in field order
	// indirect lists the cmp entries whose data lies outside the struct (pointers,
	// slices, maps): they are compared even when the struct's column bytes are unchanged.
	indirect []int
	// pointees are the pointer columns to a value held directly (*string, *time.Time,
	// *int64…): a snapshot copies their targets, so that an unchanged object is
	// recognised by comparing bytes, without reflection. indirectRest lists the other
	// indirect columns (slices, maps, pointers to those), always compared.
	pointees     []fieldAt
	indirectRest []int
	// ranges are the spans of the struct's bytes that hold columns, merged; clear lists
	// the fields that hold none (relations, ignored fields), cleared in a snapshot.
	ranges []byteRange
	clear  []fieldAt
	// block is a snapshot's type: the struct, then a copy of each pointee's target.
	block reflect.Type
	// quietable is true when model.quiet can tell an object needs nothing from a flush:
	// no indirectRest fields, and every relation field at a known offset (relFields).
	quietable bool
	relFields []relField
	// hasMany is true when the model has has-many collections, whose new members a
	// flush must look for even on unchanged tracked objects.
	hasMany bool
	// hasRefs is true when the model has belongs-to relations or may be a has-many
	// child, so its foreign keys may need setting from related objects.
	hasRefs bool
	// bound writes the model's rows with bound arguments; nil when bun writes them.
	bound *boundInsert
}

func removeObj(list []any, obj any) []any {
	for i, o := range list {
		if o == obj {
			return append(list[:i], list[i+1:]...)
		}
	}
	return list
}

// truncate empties a slice for reuse, clearing it first so that its backing array does
// not keep the objects it held alive (the session holds persistent objects weakly).
func truncate[T any](list []T) []T {
	clear(list)
	return list[:0]
}

// keyFits accepts a primary-key value of the field's own kind family only: integers for
// integers (without overflow), strings for strings; Go's conversions would otherwise
// truncate 1.5 to 1 or turn 65 into "A".
func keyFits(v reflect.Value, t reflect.Type) bool {
	if !v.IsValid() {
		return false
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		switch v.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return !reflect.Zero(t).OverflowInt(v.Int())
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			return v.Uint() <= math.MaxInt64 && !reflect.Zero(t).OverflowInt(int64(v.Uint()))
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		switch v.Kind() {
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			return !reflect.Zero(t).OverflowUint(v.Uint())
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return v.Int() >= 0 && !reflect.Zero(t).OverflowUint(uint64(v.Int()))
		}
	case reflect.String:
		return v.Kind() == reflect.String
	}
	return v.Type().AssignableTo(t)
}
