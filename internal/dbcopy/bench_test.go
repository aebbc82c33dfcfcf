package dbcopy_test

import (
	"context"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/dbcopy"
	"github.com/microblog/microblog/internal/seed"
	"github.com/microblog/microblog/internal/testdb"
)

// BenchmarkCopySQLiteToPostgres copies the benchmark data set (10,000 users × 100 posts,
// 100 follows each: 2,034,179 rows) from SQLite to a new PostgreSQL database per
// iteration; the seed is not timed. Run with -benchtime 1x:
//
//	go test ./internal/dbcopy -run '^$' -bench CopySQLiteToPostgres -benchtime 1x
func BenchmarkCopySQLiteToPostgres(b *testing.B) {
	ctx := context.Background()
	src := testdb.Migrated(b, database.SQLite)
	if _, err := seed.Run(ctx, src, seed.Options{Users: 10_000, PostsPerUser: 100, Follows: 100, MessagesPerUser: 2, Seed: 1,
		Until: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Days: 365}); err != nil {
		b.Fatal(err)
	}
	var rows int64
	var elapsed time.Duration
	for b.Loop() {
		b.StopTimer()
		dst := testdb.Open(b, database.Postgres)
		b.StartTimer()
		start := time.Now()
		res, err := dbcopy.Copy(ctx, src, dst, dbcopy.Options{})
		if err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		rows += res.Rows
	}
	b.ReportMetric(float64(rows)/elapsed.Seconds(), "rows/s")
}
