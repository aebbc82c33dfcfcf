package jobs_test

import (
	"context"
	"sync"
	"testing"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/jobs"
	"github.com/microblog/microblog/internal/testdb"
)

// Processes started at once on a new PostgreSQL database (several `microblog run`
// behind a load balancer) all open the River queue, whose own migrations take no lock:
// without jobs' advisory lock one of them failed on River's migration-version index.
func TestRiverOpensConcurrentlyOnANewDatabase(t *testing.T) {
	ctx := context.Background()
	url := testdb.URL(t, database.Postgres)
	const processes = 4
	var dbs [processes]*database.DB
	for i := range dbs {
		db, err := database.Open(ctx, url) // a pool each, as separate processes have
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	var wg sync.WaitGroup
	errs := make([]error, processes)
	for i, db := range dbs {
		wg.Go(func() {
			q, err := jobs.Open(ctx, db, jobs.Options{Queue: testdb.RandomName("test-")})
			if err == nil {
				q.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("process %d: %v", i, err)
		}
	}
}
