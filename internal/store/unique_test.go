package store_test

import (
	"context"
	"testing"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
)

// The database itself refuses a second account whose username or e-mail differs only in
// case, so two registrations racing past the application's check cannot both succeed.
func TestUsernamesAndEmailsUniqueRegardlessOfCase(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := db.NewSession()
		s.Add(&models.User{Username: "Susan", Email: "susan@example.com"})
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		for _, u := range []*models.User{
			{Username: "susan", Email: "other@example.com"},
			{Username: "other", Email: "SUSAN@example.com"},
		} {
			s.Add(u)
			err := s.Commit(ctx)
			if !database.IsUnique(err) {
				t.Errorf("%s / %s: %v, want a unique violation", u.Username, u.Email, err)
			}
			s.Rollback(ctx)
		}
	})
}
