package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
)

func addUser(t *testing.T, ctx context.Context, db *database.DB, name, email string) *models.User {
	t.Helper()
	s := db.NewSession()
	u := &models.User{Username: name, Email: email}
	s.Add(u)
	if err := s.Commit(ctx); err != nil {
		t.Fatalf("add %q: %v", name, err)
	}
	return u
}

// lookup returns the id UserByUsername finds for name, or 0 for nobody.
func lookup(t *testing.T, ctx context.Context, db *database.DB, name string) int64 {
	t.Helper()
	u, err := store.UserByUsername(ctx, db.NewSession(), name)
	if errors.Is(err, store.ErrNoUser) {
		return 0
	}
	if err != nil {
		t.Fatalf("UserByUsername(%q): %v", name, err)
	}
	return u.ID
}

// Names are compared the same way on every dialect: case and width variants are one
// account; "süsan" is another name (MariaDB's collation used to equate it with "susan",
// SQLite's and PostgreSQL's lower() did not); look-alikes find nobody and cannot be stored.
func TestUsernamesComparedAlikeOnAllDialects(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		susan := addUser(t, ctx, db, "susan", "susan@example.com")
		for _, name := range []string{"susan", "Susan", "SUSAN", "ｓｕｓａｎ"} {
			if got := lookup(t, ctx, db, name); got != susan.ID {
				t.Errorf("UserByUsername(%q) = user %d, want susan (%d)", name, got, susan.ID)
			}
		}
		for _, name := range []string{"süsan", "Ѕusan", "susan\u200b", "\u202esusan", "susa", "su\x00san", "su\xffsan", ""} {
			if got := lookup(t, ctx, db, name); got != 0 {
				t.Errorf("UserByUsername(%q) = user %d, want nobody", name, got)
			}
		}
		// A different name: stored beside susan on every dialect, and found as itself.
		sus := addUser(t, ctx, db, "süsan", "susan2@example.com")
		if got := lookup(t, ctx, db, "SÜSAN"); got != sus.ID {
			t.Errorf("UserByUsername(SÜSAN) = user %d, want süsan (%d)", got, sus.ID)
		}
		// The database refuses a look-alike or a case variant even past the app's check.
		for _, name := range []string{"Ѕusan", "SUSAN", "ｓｕｓａｎ"} {
			s := db.NewSession()
			s.Add(&models.User{Username: name, Email: name + "@example.org"})
			if err := s.Commit(ctx); !database.IsUnique(err) {
				t.Errorf("storing %q beside susan: %v, want a unique violation", name, err)
			}
		}
		for name, want := range map[string]bool{"Ѕusan": true, "SUSAN": true, "susan": true, "süsan": true, "susanne": false} {
			if taken, err := store.UsernameTaken(ctx, db.NewSession(), name, nil); err != nil || taken != want {
				t.Errorf("UsernameTaken(%q) = %v, %v; want %v", name, taken, err, want)
			}
		}
		if taken, err := store.UsernameTaken(ctx, db.NewSession(), "Susan", susan); err != nil || taken {
			t.Errorf("UsernameTaken(Susan) for susan herself = %v, %v; want false", taken, err)
		}
	})
}

// Rows stored before the key existed (or by the Flask microblog) get keys at start; names
// that collide under the new rule keep working, and no new look-alike of them is allowed.
func TestFillUsernameKeysKeepsLegacyNames(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		// Stored one by one with their keys removed, as an adopted database holds them.
		names := []string{"susan", "Ѕusan", "Émile", "émile", "../auth/logout", "a/b", "x?y#z", ".."}
		ids := map[string]int64{}
		for i, name := range names {
			ids[name] = addUser(t, ctx, db, name, string(rune('a'+i))+"@example.com").ID
			if _, err := db.Bun.NewUpdate().Model((*models.User)(nil)).Set("username_key = NULL").Where("1 = 1").Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
		n, err := store.FillUsernameKeys(ctx, db)
		if err != nil || n != len(names) {
			t.Fatalf("FillUsernameKeys = %d, %v; want %d", n, err, len(names))
		}
		for name, want := range map[string]int64{
			"susan": ids["susan"], "SUSAN": ids["susan"],
			"Ѕusan": ids["Ѕusan"], "ѕusan": ids["Ѕusan"], // Cyrillic, upper and lower case
			"Émile": ids["Émile"], "émile": ids["émile"], "ÉMILE": ids["Émile"],
			"../auth/logout": ids["../auth/logout"], "a/b": ids["a/b"], "x?y#z": ids["x?y#z"], "..": ids[".."],
		} {
			if got := lookup(t, ctx, db, name); got != want {
				t.Errorf("after filling, UserByUsername(%q) = user %d, want %d", name, got, want)
			}
		}
		for _, name := range []string{"ѕusan", "EMILE", "Émile"} {
			if taken, err := store.UsernameTaken(ctx, db.NewSession(), name, nil); err != nil || (name != "EMILE") != taken {
				t.Errorf("UsernameTaken(%q) = %v, %v", name, taken, err)
			}
		}
		if n, err := store.FillUsernameKeys(ctx, db); err != nil || n != 0 {
			t.Errorf("second FillUsernameKeys = %d, %v; want 0", n, err)
		}
	})
}
