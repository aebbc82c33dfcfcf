package database_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
)

// A long-lived session that commits one dropped object at a time, allocating little in
// between, does not end up checking every object it ever wrote at each commit: it asks
// for a collection once its checks have cost more than one, and the dropped objects go
// (without it, about 1,250 were tracked at the peak in this test; with it, about 450).
func TestSessionCollectsDroppedObjects(t *testing.T) {
	db := testdb.Migrated(t, database.SQLite)
	ctx := context.Background()
	s := db.NewSession()
	keep := &models.User{Username: "keep", Email: "keep@example.com"}
	if err := s.Add(keep); err != nil {
		t.Fatal(err)
	}
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	gcBefore := stats.NumGC
	const commits, maxTracked = 3000, 1000
	most := 0
	for i := range commits {
		if err := s.Add(&models.User{Username: fmt.Sprint("u", i), Email: fmt.Sprint("u", i, "@example.com")}); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if i%25 == 0 {
			most = max(most, database.TrackedCount(s))
		}
	}
	runtime.ReadMemStats(&stats)
	t.Logf("at most %d objects tracked over %d commits, %d collections", most, commits, stats.NumGC-gcBefore)
	if most > maxTracked {
		t.Errorf("tracking up to %d objects over %d commits, want at most %d", most, commits, maxTracked)
	}
	keep.Email = "kept@example.com"
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var got models.User
	if err := db.NewSession().Get(ctx, &got, keep.ID); err != nil || got.Email != "kept@example.com" {
		t.Fatalf("the kept object is no longer tracked: %+v %v", got, err)
	}
	runtime.KeepAlive(keep)
}
