package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
)

// Follows, unfollows, posts and first home reads (builds, since every follow drops a
// timeline) by goroutines over one small set of users that follow one another, for a
// few seconds: the row locks that builds, follows and posts take on PostgreSQL and
// MariaDB must not deadlock a follow, an unfollow or a post (a build that fails is the
// documented path: rolled back, the plain query answers), nothing may hang (the
// context's deadline), and afterwards every live timeline equals its feed.
func TestTimelineLocksUnderFollowsPostsAndBuilds(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		s := db.NewSession()
		var users []*models.User
		for i := range 6 {
			u := &models.User{Username: fmt.Sprint("u", i), Email: fmt.Sprint("u", i, "@example.com")}
			users = append(users, u)
			s.Add(u)
			s.Add(&models.Post{Body: fmt.Sprint("first ", i), Author: u, Timestamp: time.Now().UTC().Add(-time.Hour)})
		}
		for i, u := range users {
			for j, v := range users {
				if i != j && (i+j)%2 == 0 {
					s.Add(&models.Follow{Follower: u, Followed: v})
				}
			}
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		var follows, posts, reads atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		stop := time.Now().Add(3 * time.Second)
		fail := func(err error) {
			select {
			case errs <- err:
			default:
			}
		}
		for g := range 3 { // follows and unfollows
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(g), 1))
				for time.Now().Before(stop) && ctx.Err() == nil {
					s := db.NewSession()
					u, v := users[rng.IntN(len(users))], users[rng.IntN(len(users))]
					err := func() error {
						defer s.Close()
						a, b := &models.User{}, &models.User{}
						if err := s.Get(ctx, a, u.ID); err != nil {
							return err
						}
						if err := s.Get(ctx, b, v.ID); err != nil {
							return err
						}
						var err error
						if rng.IntN(2) == 0 {
							err = store.Follow(ctx, s, a, b)
						} else {
							err = store.Unfollow(ctx, s, a, b)
						}
						if err != nil {
							return err
						}
						return s.Commit(ctx)
					}()
					if err != nil {
						fail(fmt.Errorf("%s follow/unfollow %s: %w", u.Username, v.Username, err))
						return
					}
					follows.Add(1)
				}
			})
		}
		for g := range 2 { // posts
			wg.Go(func() {
				for i := 0; time.Now().Before(stop) && ctx.Err() == nil; i++ {
					u := users[(i*2+g)%len(users)]
					s := db.NewSession()
					err := store.AddPost(ctx, s, &models.Post{Body: fmt.Sprint("post ", g, i), UserID: u.ID})
					if err == nil {
						err = s.Commit(ctx)
					}
					s.Close()
					if err != nil {
						fail(fmt.Errorf("post by %s: %w", u.Username, err))
						return
					}
					posts.Add(1)
				}
			})
		}
		for g := range 3 { // home reads, building the timelines that follows dropped
			wg.Go(func() {
				for i := 0; time.Now().Before(stop) && ctx.Err() == nil; i++ {
					u := users[(i+g*2)%len(users)]
					s := db.NewSession()
					page, err := store.FollowingPosts(ctx, s, u, 5, 0)
					s.Close()
					if err == nil && len(page) == 0 {
						err = errors.New("empty page")
					}
					if err != nil {
						fail(fmt.Errorf("home of %s: %w", u.Username, err))
						return
					}
					reads.Add(1)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if ctx.Err() != nil {
			t.Fatalf("not done by the deadline (a hang): %v", ctx.Err())
		}
		live := checkLiveTimelines(t, db, "after the run")
		for _, u := range users {
			checkPage(t, db, u, 0, 0, "after the run")
		}
		t.Logf("%d follows/unfollows, %d posts, %d home reads; %d live timelines at the end", follows.Load(), posts.Load(), reads.Load(), live)
	})
}
