package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
)

// An address finds its account in any ASCII case and in no other spelling, alike on
// every dialect (MySQL's collation alone would equate fullwidth letters and skip U+202E).
func TestUserByEmailStrictIsTheSameOnEveryDialect(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := db.NewSession()
		defer s.Close()
		s.Add(&models.User{Username: "john", Email: "John@Example.com"})
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		for address, found := range map[string]bool{
			"John@Example.com":       true,
			"john@example.com":       true,
			"JOHN@EXAMPLE.COM":       true,
			"ｊｏｈｎ@example.com":       false, // fullwidth
			"jоhn@example.com":       false, // Cyrillic о
			"john@exa\u202emple.com": false,
			"john@example.com ":      false,
			"john@example.com\x00":   false,
			"\xffjohn@example.com":   false,
		} {
			u, err := store.UserByEmailStrict(ctx, s, address)
			switch {
			case found && (err != nil || u.Username != "john"):
				t.Errorf("%q: %v, %v; want john", address, u, err)
			case !found && !errors.Is(err, store.ErrNoUser):
				t.Errorf("%q: %v, %v; want ErrNoUser", address, u, err)
			}
		}
	})
}
