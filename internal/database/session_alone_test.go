package database_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
)

// A commit whose only write is one new row runs its INSERT alone on SQLite (no BEGIN and
// COMMIT of the session's), and behaves as a commit in a transaction does on every
// dialect: the row and its key, a later change written by the next commit, a refused row
// written not at all and pending again, and anything more than one row in a transaction.
func TestOneRowCommitsRunAlone(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		alone := func(n int) int {
			if db.Dialect == database.SQLite {
				return n
			}
			return 0
		}
		s := db.NewSession()
		var users []*models.User
		for i := range 3 {
			u := &models.User{Username: fmt.Sprint("one", i), Email: fmt.Sprint("one", i, "@example.com")}
			users = append(users, u)
			if err := s.Add(u); err != nil {
				t.Fatal(err)
			}
			if err := s.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			if u.ID == 0 || u.LastSeen == nil {
				t.Fatalf("committed user has id %d, last_seen %v", u.ID, u.LastSeen)
			}
			var got models.User
			if err := db.NewSession().Get(ctx, &got, u.ID); err != nil || got.Username != u.Username {
				t.Fatalf("user %d read back as %+v, %v", u.ID, got, err)
			}
		}
		if got := database.AloneCommits(s); got != alone(3) {
			t.Fatalf("%d commits ran alone, want %d", got, alone(3))
		}

		// A change to a committed object is an UPDATE: in a transaction.
		about := "changed after its commit"
		users[0].AboutMe = &about
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		var got models.User
		if err := db.NewSession().Get(ctx, &got, users[0].ID); err != nil || got.AboutMe == nil || *got.AboutMe != about {
			t.Fatalf("the change was not written: %+v, %v", got, err)
		}
		// Two rows, and a row with a change, are written in a transaction too.
		s.AddAll(&models.User{Username: "two0", Email: "two0@example.com"}, &models.User{Username: "two1", Email: "two1@example.com"})
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		users[1].AboutMe = &about
		s.Add(&models.User{Username: "three", Email: "three@example.com"})
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if got := database.AloneCommits(s); got != alone(3) {
			t.Fatalf("%d commits ran alone after commits of several writes, want still %d", got, alone(3))
		}

		// A refused row: nothing written, the object pending again without a key, and a
		// commit after the fix writes it.
		before := count(t, db, (*models.User)(nil))
		dup := &models.User{Username: "one1", Email: "dup@example.com"}
		s.Add(dup)
		err := s.Commit(ctx)
		var ce *database.ConstraintError
		if !errors.As(err, &ce) || ce.Kind != "unique" {
			t.Fatalf("Commit of a duplicate username: %v, want a unique violation", err)
		}
		if n := count(t, db, (*models.User)(nil)); n != before {
			t.Fatalf("%d users after the refused commit, want %d", n, before)
		}
		if dup.ID != 0 || dup.LastSeen != nil || !s.Pending() {
			t.Fatalf("refused user kept id %d, last_seen %v; pending %v", dup.ID, dup.LastSeen, s.Pending())
		}
		dup.Username = "one1b"
		if err := s.Commit(ctx); err != nil {
			t.Fatalf("commit after the fix: %v", err)
		}
		if dup.ID == 0 || count(t, db, (*models.User)(nil)) != before+1 {
			t.Fatalf("the fixed user was not written (id %d)", dup.ID)
		}
		if got := database.AloneCommits(s); got != alone(4) {
			t.Fatalf("%d commits ran alone, want %d", got, alone(4))
		}

		// Hostile text: stored exactly, or refused before the statement runs.
		for i, text := range append(append([]string{}, hostileText[:len(hostileText)-2]...), invalidText...) {
			before := count(t, db, (*models.User)(nil))
			u := &models.User{Username: fmt.Sprint("hostile", i), Email: fmt.Sprint("hostile", i, "@example.com"), AboutMe: &text}
			s.Add(u)
			err := s.Commit(ctx)
			if !database.ValidText(text) {
				if !errors.Is(err, database.ErrInvalidText) || u.ID != 0 || count(t, db, (*models.User)(nil)) != before {
					t.Fatalf("about_me %q: %v, id %d, want ErrInvalidText and nothing written", trim(text), err, u.ID)
				}
				if err := s.Rollback(ctx); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("about_me %q: %v", trim(text), err)
			}
			var got models.User
			if err := db.NewSession().Get(ctx, &got, u.ID); err != nil || got.AboutMe == nil || *got.AboutMe != text {
				t.Fatalf("about_me %q read back as %v (%v)", trim(text), got.AboutMe, err)
			}
		}
	})
}

// Sessions committing one row each at the same time all get their rows and the keys of
// their rows.
func TestConcurrentAloneCommitsKeepTheirKeys(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		const sessions, commits = 4, 50
		users := make([][]*models.User, sessions)
		errs := make(chan error, sessions)
		var wg sync.WaitGroup
		for g := range sessions {
			wg.Go(func() {
				s := db.NewSession()
				for i := range commits {
					u := &models.User{Username: fmt.Sprintf("c%d-%d", g, i), Email: fmt.Sprintf("c%d-%d@example.com", g, i)}
					users[g] = append(users[g], u)
					s.Add(u)
					if err := s.Commit(ctx); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		ids := map[int64]bool{}
		for _, us := range users {
			for _, u := range us {
				if ids[u.ID] {
					t.Fatalf("two users got id %d", u.ID)
				}
				ids[u.ID] = true
				var got models.User
				if err := db.NewSession().Get(ctx, &got, u.ID); err != nil || got.Username != u.Username {
					t.Fatalf("id %d holds %+v (%v), want %s", u.ID, got, err, u.Username)
				}
			}
		}
		if n := count(t, db, (*models.User)(nil)); n != sessions*commits {
			t.Fatalf("%d users, want %d", n, sessions*commits)
		}
	})
}

// Only a model whose INSERT reads back at most its new rowid is written alone: a column
// with an SQL default, which RETURNING reads back, makes it a transaction's.
func TestWhichModelsInsertAlone(t *testing.T) {
	db := testdb.Migrated(t, database.SQLite)
	type withDefault struct {
		ID      int64  `bun:"id,pk,autoincrement"`
		Name    string `bun:"name,notnull"`
		Created string `bun:"created,notnull,default:'now'"`
	}
	type plain struct {
		ID   int64  `bun:"id,pk,autoincrement"`
		Name string `bun:"name,notnull"`
		Note *string
	}
	for _, c := range []struct {
		obj  any
		want bool
	}{
		{&models.User{}, true},
		{&models.Post{}, true},
		{&plain{}, true},
		{&withDefault{}, false},
	} {
		if got := database.InsertsAlone(db, c.obj); got != c.want {
			t.Errorf("%T inserts alone: %v, want %v", c.obj, got, c.want)
		}
	}
}
