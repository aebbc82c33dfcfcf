package database_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
)

// A bound SELECT finds exactly what the same query with its values written in finds, on
// every dialect: integers, text with quotes and non-ASCII, and times in another zone
// compared with stored times (on SQLite, text against text as bun writes it); it reads the session's pending
// changes (autoflush) and tracks what it loads; a wrong number of arguments is an error.
func TestBoundSelectFindsWhatWrittenValuesFind(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := db.NewSession()
		defer s.Close()
		at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		names := []string{"o'neil", "zoë", "bob"}
		for i, n := range names {
			seen := at.Add(time.Duration(i) * time.Second)
			if err := s.Add(&models.User{Username: n, Email: n + "@example.com", LastSeen: &seen}); err != nil {
				t.Fatal(err)
			}
		}
		// Not committed: the bound query must flush them first.
		for _, c := range []struct {
			name  string
			after time.Time
			want  string
		}{
			{"o'neil", at.Add(-time.Second), "o'neil"},
			{"o'neil", at, ""},
			{"zoë", at, "zoë"},
			{"bob", at.Add(2 * time.Second), ""},
		} {
			var bound, written []models.User
			if err := s.NewSelectBound(c.name, c.after).Model(&bound).
				Where("username = ?", database.Param).Where("last_seen > ?", database.Param).Scan(ctx); err != nil {
				t.Fatalf("%s after %v: %v", c.name, c.after, err)
			}
			if err := s.NewSelect().Model(&written).Where("username = ?", c.name).Where("last_seen > ?", c.after).Scan(ctx); err != nil {
				t.Fatal(err)
			}
			got := ""
			if len(bound) == 1 {
				got = bound[0].Username
			}
			if len(bound) != len(written) || got != c.want {
				t.Errorf("%s after %v: bound found %v, written values found %v, want %q", c.name, c.after, bound, written, c.want)
			}
		}
		n, err := s.NewSelectBound(int64(0)).Model((*models.User)(nil)).Where("id > ?", database.Param).Count(ctx)
		if err != nil || int(n) != len(names) {
			t.Errorf("bound count = %d, %v; want %d", n, err, len(names))
		}
		var u models.User
		if err := s.NewSelectBound("bob").Model(&u).Where("username = ?", database.Param).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		if database.TrackedCount(s) == 0 {
			t.Error("the bound query's object is not tracked")
		}
		err = s.NewSelectBound("bob", "extra").Model(&u).Where("username = ?", database.Param).Scan(ctx)
		if err == nil || !strings.Contains(err.Error(), "1 placeholders for 2 arguments") {
			t.Errorf("two arguments for one placeholder: %v", err)
		}
	})
}

// On SQLite a bound SELECT is parsed once per connection and kept prepared, however many
// values it is run with.
func TestSQLiteKeepsBoundSelectsPrepared(t *testing.T) {
	ctx := context.Background()
	db := testdb.Migrated(t, database.SQLite)
	s := db.NewSession()
	defer s.Close()
	before := database.CachedStmts(db)
	for i := range 20 {
		var users []models.User
		if err := s.NewSelectBound(int64(i)).Model(&users).Where("id > ?", database.Param).Scan(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := database.CachedStmts(db); n != before+1 {
		t.Fatalf("after 20 runs of one bound SELECT the connection keeps %d statements prepared, want %d", n, before+1)
	}
	// 100 other texts (such as deep pages' offsets) pass through a cache of 16: some statements
	// are let go for them, every query still answers, and a text seen again is kept.
	for i := range 100 {
		var users []models.User
		if err := s.NewSelectBound(int64(0)).Model(&users).Where("id > ?", database.Param).Limit(int64(i + 1)).Scan(ctx); err != nil {
			t.Fatalf("limit %d: %v", i+1, err)
		}
	}
	if n := database.CachedStmts(db); n != 16 {
		t.Fatalf("after 101 bound texts the connection keeps %d statements prepared, want 16", n)
	}
	var users []models.User
	if err := s.NewSelectBound(int64(0)).Model(&users).Where("id > ?", database.Param).Scan(ctx); err != nil {
		t.Fatalf("the first text again: %v", err)
	}
}

// What a query marked Untracked loads is not tracked, and a change to it is not saved.
func TestUntrackedReadsAreNotTracked(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := db.NewSession()
		defer s.Close()
		if err := s.Add(&models.User{Username: "ann", Email: "ann@example.com"}); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		before := database.TrackedCount(s)
		var users []*models.User
		if err := s.NewSelectBound("ann").Model(&users).Where("username = ?", database.Param).Scan(database.Untracked(ctx)); err != nil || len(users) != 1 {
			t.Fatalf("untracked read: %v, %d users", err, len(users))
		}
		if n := database.TrackedCount(s); n != before {
			t.Fatalf("an untracked read tracks %d objects, want %d", n, before)
		}
		users[0].Username = "changed"
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, (*models.User)(nil)); n != 1 {
			t.Fatalf("%d users", n)
		}
		var u models.User
		if err := db.Bun.NewSelect().Model(&u).Limit(1).Scan(ctx); err != nil || u.Username != "ann" {
			t.Fatalf("stored name %q (%v), want ann: an untracked object's change was saved", u.Username, err)
		}
	})
}
