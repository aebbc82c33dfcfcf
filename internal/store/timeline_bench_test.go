package store_test

import (
	"context"
	"os"
	"testing"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
)

// BenchmarkFollowingPosts reads the first page (26 posts, as the home page asks) of the
// feeds of 20 users, each following 100 users, on a database seeded with the issue's
// data set, with the plain feed query ("query") and from the materialized timelines
// ("materialized", built before the timer starts), in one run:
//
//	microblog seed --users 10000 --posts-per-user 100 --follows 100 --seed 1 --until 2026-12-01  # DATABASE_URL=sqlite:////tmp/bench.db
//	MICROBLOG_BENCH_SQLITE=/tmp/bench.db go test ./internal/store -run '^$' -bench FollowingPosts
//
// The database is written to (timeline rows): use a scratch copy.
func BenchmarkFollowingPosts(b *testing.B) {
	path := os.Getenv("MICROBLOG_BENCH_SQLITE")
	if path == "" {
		b.Skip("MICROBLOG_BENCH_SQLITE names no seeded SQLite database")
	}
	ctx := context.Background()
	db, err := database.Open(ctx, "sqlite:///"+path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var users []*models.User
	if err := db.Bun.NewSelect().Model(&users).Order("id").Limit(20).Scan(ctx); err != nil {
		b.Fatal(err)
	}
	for _, u := range users {
		if _, err := store.FollowingPosts(ctx, db.NewSession(), u, 26, 0); err != nil { // builds
			b.Fatal(err)
		}
	}
	run := func(b *testing.B, read func(context.Context, *database.Session, *models.User, int, int) ([]*models.Post, error)) {
		i := 0
		for b.Loop() {
			posts, err := read(ctx, db.NewSession(), users[i%len(users)], 26, 0)
			if err != nil || len(posts) != 26 {
				b.Fatalf("%d posts, %v", len(posts), err)
			}
			i++
		}
	}
	b.Run("query", func(b *testing.B) { run(b, store.FeedPosts) })
	b.Run("materialized", func(b *testing.B) { run(b, store.FollowingPosts) })
	b.Run("query-again", func(b *testing.B) { run(b, store.FeedPosts) })
}

// BenchmarkPostFanOut writes posts of one user whose followers (about 100) all have a
// materialized timeline, through store.AddPost ("fan-out": one entry per follower in the
// post's transaction) and as a plain insert ("plain"), each committed on its own. Same
// database and commands as BenchmarkFollowingPosts, -bench PostFanOut.
func BenchmarkPostFanOut(b *testing.B) {
	path := os.Getenv("MICROBLOG_BENCH_SQLITE")
	if path == "" {
		b.Skip("MICROBLOG_BENCH_SQLITE names no seeded SQLite database")
	}
	ctx := context.Background()
	db, err := database.Open(ctx, "sqlite:///"+path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	author := &models.User{}
	if err := db.Bun.NewSelect().Model(author).Order("id").Limit(1).Scan(ctx); err != nil {
		b.Fatal(err)
	}
	followers, err := store.Followers(ctx, db.NewSession(), author)
	if err != nil {
		b.Fatal(err)
	}
	for _, u := range followers {
		if _, err := store.FollowingPosts(ctx, db.NewSession(), u, 26, 0); err != nil { // builds
			b.Fatal(err)
		}
	}
	b.Logf("%d followers with a materialized timeline", len(followers))
	write := func(b *testing.B, add func(*database.Session, *models.Post) error) {
		for b.Loop() {
			s := db.NewSession()
			if err := add(s, &models.Post{Body: "benchmark", UserID: author.ID}); err != nil {
				b.Fatal(err)
			}
			if err := s.Commit(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("plain", func(b *testing.B) { write(b, func(s *database.Session, p *models.Post) error { return s.Add(p) }) })
	b.Run("fan-out", func(b *testing.B) {
		write(b, func(s *database.Session, p *models.Post) error { return store.AddPost(ctx, s, p) })
	})
}
