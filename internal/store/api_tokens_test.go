package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
)

// A token is found by its hash up to and including its expiry, with its user; the sweep
// deletes only tokens expired before its cutoff.
func TestAPITokenLifetime(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := db.NewSession()
		defer s.Close()
		u := &models.User{Username: "susan", Email: "susan@example.com"}
		s.Add(u)
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
		for _, c := range []struct {
			hash    string
			expires time.Time
		}{{"old", now.Add(-time.Hour)}, {"edge", now}, {"live", now.Add(time.Hour)}} {
			if _, err := store.AddAPIToken(s, u.ID, c.hash, "fp", now.Add(-2*time.Hour), c.expires); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		for hash, live := range map[string]bool{"old": false, "edge": true, "live": true, "none": false} {
			tok, err := store.APITokenByHash(ctx, s, hash, now)
			switch {
			case live && (err != nil || tok.User == nil || tok.User.Username != "susan"):
				t.Errorf("%s: %v %+v", hash, err, tok)
			case !live && !errors.Is(err, store.ErrNoToken):
				t.Errorf("%s: want ErrNoToken, got %v", hash, err)
			}
		}
		n, err := store.DeleteExpiredAPITokens(ctx, db, now)
		if err != nil || n != 1 {
			t.Fatalf("swept %d (%v), want 1", n, err)
		}
		left, _ := db.Bun.NewSelect().Model((*models.APIToken)(nil)).Count(ctx)
		if left != 2 {
			t.Errorf("%d tokens left, want 2", left)
		}
	})
}
