package database_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
)

// forEachDialect runs f against a fresh database brought up to date by the app's own
// migrations on SQLite, PostgreSQL and MariaDB (the latter two skip, saying why, when not
// configured).
func forEachDialect(t *testing.T, f func(t *testing.T, db *database.DB)) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			f(t, testdb.Migrated(t, d))
		})
	}
}

func count(t *testing.T, db *database.DB, model any) int {
	t.Helper()
	n, err := db.Bun.NewSelect().Model(model).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func TestNothingVisibleBeforeCommit(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := db.NewSession()
		u := &models.User{Username: "john", Email: "john@example.com"}
		p := &models.Post{Body: "my first post!", Author: u}
		if err := s.AddAll(u, p); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, (*models.User)(nil)); n != 0 {
			t.Fatalf("another connection sees %d users before any flush", n)
		}
		// A query through the session autoflushes: the session sees its own changes...
		var mine []models.User
		if err := s.NewSelect().Model(&mine).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		if len(mine) != 1 || mine[0].Username != "john" || u.ID == 0 {
			t.Fatalf("session query after autoflush = %v (u.ID=%d), want [<User john>] with an id", mine, u.ID)
		}
		// ...while other connections still do not.
		if n := count(t, db, (*models.User)(nil)); n != 0 {
			t.Fatalf("another connection sees %d users after an autoflush, before Commit", n)
		}
		if n := count(t, db, (*models.Post)(nil)); n != 0 {
			t.Fatalf("another connection sees %d posts before Commit", n)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, (*models.User)(nil)); n != 1 {
			t.Fatalf("after Commit another connection sees %d users, want 1", n)
		}
		if n := count(t, db, (*models.Post)(nil)); n != 1 {
			t.Fatalf("after Commit another connection sees %d posts, want 1", n)
		}
	})
}

func TestCommitWritesParentsFirstAndFillsIDs(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := db.NewSession()
		john := &models.User{Username: "john", Email: "john@example.com"}
		susan := &models.User{Username: "susan", Email: "susan@example.com"}
		// Children before parents, and one parent (mary) never added: reached through Author.
		mary := &models.User{Username: "mary", Email: "mary@example.com"}
		p1 := &models.Post{Body: "john's post", Author: john}
		p2 := &models.Post{Body: "mary's post", Author: mary}
		p3 := &models.Post{Body: "susan's post"}
		susan.Posts = []*models.Post{p3} // has-many: p3 is added and gets susan's id
		if err := s.AddAll(p1, p2, susan, john); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		for _, u := range []*models.User{john, susan, mary} {
			if u.ID == 0 {
				t.Errorf("%v has no id after Commit", u)
			}
		}
		if p1.UserID != john.ID || p2.UserID != mary.ID || p3.UserID != susan.ID {
			t.Errorf("post user ids = %d,%d,%d; want %d,%d,%d", p1.UserID, p2.UserID, p3.UserID, john.ID, mary.ID, susan.ID)
		}
		var posts []models.Post
		if err := db.Bun.NewSelect().Model(&posts).Relation("Author").Order("p.id").Scan(ctx); err != nil {
			t.Fatal(err)
		}
		got := []string{}
		for _, p := range posts {
			got = append(got, p.Author.Username+": "+p.Body)
			if p.Timestamp.IsZero() || time.Since(p.Timestamp) > time.Minute {
				t.Errorf("post %d timestamp %v is not the default 'now'", p.ID, p.Timestamp)
			}
		}
		want := "[john: john's post mary: mary's post susan: susan's post]"
		if fmt.Sprint(got) != want {
			t.Errorf("posts in the database = %v, want %v", got, want)
		}
	})
}

func TestFailureInTheMiddleWritesNothing(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := db.NewSession()
		if err := s.Add(&models.User{Username: "susan", Email: "susan@example.com"}); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		objs := []*models.User{
			{Username: "a", Email: "a@example.com"},
			{Username: "b", Email: "b@example.com"},
			{Username: "susan", Email: "susan2@example.com"}, // duplicate username, 3rd of 5
			{Username: "d", Email: "d@example.com"},
			{Username: "e", Email: "e@example.com"},
		}
		for _, u := range objs {
			// Commit one at a time would not test atomicity: all five go in one Commit,
			// and each is its own statement so the failure is really in the middle.
			if err := s.Add(u); err != nil {
				t.Fatal(err)
			}
			if err := s.Flush(ctx); u.Username != "susan" && err != nil {
				t.Fatal(err)
			} else if u.Username == "susan" {
				if err == nil {
					t.Fatal("flushing a duplicate username succeeded")
				}
				break
			}
		}
		// Add the last two after the failure and commit: the failure must recur, naming
		// the constraint, and nothing of the five may be written.
		s.AddAll(objs[3], objs[4])
		err := s.Commit(ctx)
		if err == nil {
			t.Fatal("Commit with a duplicate username succeeded")
		}
		// The username is unique twice over: ix_user_username, and ix_user_username_key
		// (the key of the name, equal for look-alikes); either may fire.
		var ce *database.ConstraintError
		if !errors.As(err, &ce) || ce.Kind != "unique" || (ce.Constraint != "ix_user_username" && ce.Constraint != "ix_user_username_key") {
			t.Fatalf("error %q (%T) does not name a username unique constraint", err, errors.Unwrap(err))
		}
		if !strings.Contains(err.Error(), ce.Constraint) || !strings.Contains(err.Error(), "username") {
			t.Errorf("error text %q does not name the constraint", err)
		}
		if n := count(t, db, (*models.User)(nil)); n != 1 {
			t.Fatalf("%d users in the database after the failed commit, want 1", n)
		}
		for _, u := range objs {
			if u.ID != 0 {
				t.Errorf("%v kept id %d from the rolled-back transaction", u, u.ID)
			}
		}
		if !s.Pending() {
			t.Error("the failed changes are no longer pending; they should stay until Rollback")
		}
		if err := s.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		if s.Pending() {
			t.Error("session still has pending changes after Rollback")
		}
		if err := s.Add(&models.User{Username: "zoe", Email: "zoe@example.com"}); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatalf("session unusable after Rollback: %v", err)
		}
		if n := count(t, db, (*models.User)(nil)); n != 2 {
			t.Fatalf("%d users after the recovery commit, want 2", n)
		}
	})
}

func TestFailedBulkCommitIsAtomic(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := db.NewSession()
		var users []*models.User
		for i := range 5 {
			u := &models.User{Username: fmt.Sprintf("u%d", i), Email: fmt.Sprintf("u%d@example.com", i)}
			if i == 2 {
				u.Email = "u0@example.com" // duplicate e-mail as the 3rd of 5
			}
			users = append(users, u)
			s.Add(u)
			s.Add(&models.Post{Body: "post", Author: u})
		}
		err := s.Commit(ctx)
		var ce *database.ConstraintError
		if !errors.As(err, &ce) || (ce.Constraint != "ix_user_email" && ce.Constraint != "uq_user_email_lower") {
			t.Fatalf("Commit error = %v, want a violation of an e-mail unique constraint", err)
		}
		if n := count(t, db, (*models.User)(nil)) + count(t, db, (*models.Post)(nil)); n != 0 {
			t.Fatalf("%d rows written by a failed commit", n)
		}
		users[2].Email = "u2@example.com"
		if err := s.Commit(ctx); err != nil {
			t.Fatalf("commit after fixing the duplicate: %v", err)
		}
		if n := count(t, db, (*models.Post)(nil)); n != 5 {
			t.Fatalf("%d posts after the retried commit, want 5", n)
		}
	})
}

func TestRollbackDiscardsAddsAndDeletes(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := db.NewSession()
		keep := &models.User{Username: "keep", Email: "keep@example.com"}
		s.Add(keep)
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		var loaded models.User
		if err := s.Get(ctx, &loaded, keep.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete(&loaded); err != nil {
			t.Fatal(err)
		}
		added := &models.User{Username: "gone", Email: "gone@example.com"}
		s.Add(added)
		loaded.Email = "changed@example.com"
		// Flush so that the rollback has real writes to undo, not only pending ones.
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		var all []models.User
		if err := db.Bun.NewSelect().Model(&all).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		if len(all) != 1 || all[0].Username != "keep" || all[0].Email != "keep@example.com" {
			t.Fatalf("after Rollback the database holds %v, want only the untouched <User keep>", all)
		}
		if added.ID != 0 {
			t.Errorf("rolled-back insert kept id %d", added.ID)
		}
		if loaded.Email != "keep@example.com" {
			t.Errorf("rolled-back change left Email = %q in memory", loaded.Email)
		}
	})
}

// queryLog records the SQL a database runs.
type queryLog struct {
	mu      sync.Mutex
	queries []string
}

func (l *queryLog) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }
func (l *queryLog) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e.Query != "BEGIN" && e.Query != "COMMIT" && e.Query != "ROLLBACK" {
		l.queries = append(l.queries, e.Query)
	}
}
func (l *queryLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	q := l.queries
	l.queries = nil
	return q
}

func TestLoadedObjectChangeIsAnUpdateOfChangedColumnsOnly(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		log := &queryLog{}
		db.Bun.AddQueryHook(log)
		s := db.NewSession()
		s.Add(&models.User{Username: "john", Email: "john@example.com"})
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		other := db.NewSession()
		var users []*models.User
		if err := other.NewSelect().Model(&users).Where("username = ?", "john").Scan(ctx); err != nil {
			t.Fatal(err)
		}
		log.take()
		users[0].Email = "john@example.org"
		if err := other.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		qs := log.take()
		if len(qs) != 1 {
			t.Fatalf("commit ran %d statements, want 1 UPDATE: %q", len(qs), qs)
		}
		q := qs[0]
		if !strings.HasPrefix(q, "UPDATE") || !strings.Contains(q, "john@example.org") || strings.Contains(q, "username") || strings.Contains(q, "password_hash") {
			t.Fatalf("commit ran %q, want an UPDATE of email only", q)
		}
		if err := other.Commit(ctx); err != nil || len(log.take()) != 0 {
			t.Fatalf("a second commit with no changes wrote something (err %v)", err)
		}
		var again models.User
		if err := db.NewSession().Get(ctx, &again, users[0].ID); err != nil || again.Email != "john@example.org" {
			t.Fatalf("reloaded user = %+v, %v", again, err)
		}
	})
}

func TestGetMissingIsNotFound(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		var u models.User
		err := db.NewSession().Get(context.Background(), &u, 42)
		if !errors.Is(err, database.ErrNotFound) {
			t.Fatalf("Get of a missing id = %v, want ErrNotFound", err)
		}
	})
}

func TestDeleteOrdersChildrenFirst(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := db.NewSession()
		u := &models.User{Username: "john", Email: "john@example.com"}
		s.Add(&models.Post{Body: "p", Author: u})
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		var posts []*models.Post
		if err := s.NewSelect().Model(&posts).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		// Parent deleted first in program order: the session must still delete the post first.
		s.Delete(u)
		s.Delete(posts[0])
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, (*models.User)(nil)) + count(t, db, (*models.Post)(nil)); n != 0 {
			t.Fatalf("%d rows left", n)
		}
	})
}

func TestAddRejectsNonModels(t *testing.T) {
	db := testdb.Open(t, database.SQLite)
	s := db.NewSession()
	for _, bad := range []any{nil, models.User{}, (*models.User)(nil), 42} {
		if err := s.Add(bad); err == nil {
			t.Errorf("Add(%#v) accepted", bad)
		}
	}
}
