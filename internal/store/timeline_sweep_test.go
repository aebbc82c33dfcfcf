package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
)

// timelineEntries is user userID's materialized timeline, newest first.
func timelineEntries(t *testing.T, db *database.DB, userID int64) []int64 {
	t.Helper()
	var ids []int64
	if err := db.Bun.NewRaw("SELECT post_id FROM timeline WHERE user_id = ? ORDER BY timestamp DESC, post_id DESC", userID).Scan(context.Background(), &ids); err != nil {
		t.Fatal(err)
	}
	return ids
}

// checkLiveTimelines compares every timeline still within TimelineLifetime with the
// feed of its user: the newest posts of the feed, all of them down to the oldest entry,
// and at least TimelineDepth of them or the whole feed (the tests delete no posts). It
// returns how many there are.
func checkLiveTimelines(t *testing.T, db *database.DB, what string) int {
	t.Helper()
	var live []int64
	if err := db.Bun.NewSelect().Model((*models.TimelineState)(nil)).Column("user_id").
		Where("built_at > ?", time.Now().UTC().Add(-store.TimelineLifetime)).Order("user_id").
		Scan(context.Background(), &live); err != nil {
		t.Fatal(err)
	}
	for _, id := range live {
		got, feed := timelineEntries(t, db, id), feedOracle(t, db, id)
		if len(got) < min(len(feed), store.TimelineDepth) || len(got) > len(feed) || !slices.Equal(got, feed[:len(got)]) {
			t.Errorf("%s: user %d's timeline = %v, want the newest posts (at least %d) of the feed %v", what, id, got, store.TimelineDepth, feed)
		}
	}
	return len(live)
}

// ageTimeline sets user userID's timeline's built_at to at.
func ageTimeline(t *testing.T, db *database.DB, userID int64, at time.Time) {
	t.Helper()
	if _, err := db.Bun.NewUpdate().Model((*models.TimelineState)(nil)).Set("built_at = ?", at.UTC()).
		Where("user_id = ?", userID).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// The sweep deletes the timelines past TimelineLifetime and its grace, with their
// entries (the cascade, on every dialect), in more than one batch; live ones and those
// still within the grace keep every entry; a home page after the sweep is the feed and
// builds the timeline again.
func TestDeleteExpiredTimelines(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := db.NewSession()
		var users []*models.User
		for i := range 4 {
			u := &models.User{Username: fmt.Sprint("u", i), Email: fmt.Sprint("u", i, "@example.com")}
			users = append(users, u)
			s.Add(u)
			for j := range 5 {
				s.Add(&models.Post{Body: fmt.Sprint(i, j), Author: u, Timestamp: time.Now().UTC().Add(-time.Hour + time.Duration(i*10+j)*time.Second)})
			}
		}
		for i, u := range users {
			s.Add(&models.Follow{Follower: u, Followed: users[(i+1)%len(users)]})
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		for _, u := range users {
			checkPage(t, db, u, 5, 0, "build")
		}
		// Timelines of users that no longer exist (timeline_state has no key to user),
		// enough for several batches of the sweep, each with the entries of users[0]'s feed.
		feed := feedOracle(t, db, users[0].ID)
		var times []time.Time
		if err := db.Bun.NewRaw("SELECT timestamp FROM post WHERE id IN (?) ORDER BY timestamp DESC, id DESC", bun.List(feed)).Scan(ctx, &times); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		expired := now.Add(-store.TimelineLifetime - store.TimelineSweepGrace - time.Minute)
		const ghosts = 250
		for g := range int64(ghosts) {
			id := 1_000_000 + g
			if _, err := db.Bun.NewInsert().Model(&models.TimelineState{UserID: id, BuiltAt: expired}).Exec(ctx); err != nil {
				t.Fatal(err)
			}
			entries := make([]models.TimelineEntry, len(feed))
			for i := range feed {
				entries[i] = models.TimelineEntry{UserID: id, Timestamp: times[i], PostID: feed[i]}
			}
			if _, err := db.Bun.NewInsert().Model(&entries).Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
		ageTimeline(t, db, users[0].ID, expired)                                         // expired
		ageTimeline(t, db, users[1].ID, now.Add(-store.TimelineLifetime-time.Minute))    // expired, within the grace
		ageTimeline(t, db, users[2].ID, now.Add(-store.TimelineLifetime+10*time.Minute)) // live
		keep := map[int64][]int64{}
		for _, u := range users[1:] {
			keep[u.ID] = timelineEntries(t, db, u.ID)
		}
		n, err := store.DeleteExpiredTimelines(ctx, db, now)
		if err != nil {
			t.Fatal(err)
		}
		if n != ghosts+1 {
			t.Fatalf("swept %d timelines, want %d", n, ghosts+1)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM timeline_state WHERE user_id >= 1000000 OR user_id = ?", users[0].ID) +
			countRows(t, db, "SELECT COUNT(*) FROM timeline WHERE user_id >= 1000000 OR user_id = ?", users[0].ID); n != 0 {
			t.Fatalf("%d rows of swept timelines left", n)
		}
		for _, u := range users[1:] {
			if got := timelineEntries(t, db, u.ID); len(got) == 0 || !slices.Equal(got, keep[u.ID]) {
				t.Fatalf("%s's timeline = %v after the sweep, want %v", u.Username, got, keep[u.ID])
			}
		}
		if n, err := store.DeleteExpiredTimelines(ctx, db, now); err != nil || n != 0 {
			t.Fatalf("second sweep: %d, %v; want 0", n, err)
		}
		// A sweep a grace later takes users[1]'s.
		if n, err := store.DeleteExpiredTimelines(ctx, db, now.Add(store.TimelineSweepGrace)); err != nil || n != 1 {
			t.Fatalf("sweep a grace later: %d, %v; want 1", n, err)
		}
		for _, u := range users[:2] {
			checkPage(t, db, u, 5, 0, "after the sweep")
			checkPage(t, db, u, 0, 0, "after the sweep, whole feed")
			if countRows(t, db, "SELECT COUNT(*) FROM timeline_state WHERE user_id = ?", u.ID) != 1 {
				t.Fatalf("%s's timeline not rebuilt by a read after the sweep", u.Username)
			}
		}
		checkLiveTimelines(t, db, "end")
	})
}

// Sweeps while readers build (and rebuild expired) timelines and the users post: no
// sweep, read or post fails, every page is a top of the feed, the sweep deletes only
// timelines still expired when it deletes them, and every live timeline equals its feed.
func TestDeleteExpiredTimelinesWhileReadersBuildAndUsersPost(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		rng := rand.New(rand.NewPCG(5, 6))
		s := db.NewSession()
		var users []*models.User
		for i := range 8 {
			u := &models.User{Username: fmt.Sprint("u", i), Email: fmt.Sprint("u", i, "@example.com")}
			users = append(users, u)
			s.Add(u)
			s.Add(&models.Post{Body: fmt.Sprint("first ", i), Author: u, Timestamp: time.Now().UTC().Add(-time.Hour)})
		}
		for i, u := range users {
			for j, v := range users {
				if i != j && rng.IntN(2) == 0 {
					s.Add(&models.Follow{Follower: u, Followed: v})
				}
			}
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		expired := time.Now().UTC().Add(-store.TimelineLifetime - store.TimelineSweepGrace - time.Minute)
		swept, live := int64(0), 0
		for round := range 6 {
			// Every timeline built, half of them expired (as if their readers had gone).
			for _, u := range users {
				checkPage(t, db, u, 5, 0, "build")
			}
			for i, u := range users {
				if (i+round)%2 == 0 {
					ageTimeline(t, db, u.ID, expired)
				}
			}
			var wg sync.WaitGroup
			errs := make(chan error, 64)
			stop := time.Now().Add(300 * time.Millisecond)
			wg.Go(func() {
				for time.Now().Before(stop) {
					n, err := store.DeleteExpiredTimelines(ctx, db, time.Now())
					if err != nil {
						errs <- fmt.Errorf("sweep: %w", err)
						return
					}
					swept += n
				}
			})
			for r := range 2 {
				wg.Go(func() {
					for i := 0; time.Now().Before(stop); i++ {
						u := users[(i*3+r)%len(users)]
						s := db.NewSession()
						page, err := store.FollowingPosts(ctx, s, u, 5, 0)
						s.Close()
						if err != nil {
							errs <- fmt.Errorf("reader %d: %w", r, err)
							return
						}
						if len(page) == 0 {
							errs <- fmt.Errorf("reader %d: %s's page is empty", r, u.Username)
							return
						}
					}
				})
			}
			wg.Go(func() {
				for i := 0; time.Now().Before(stop); i++ {
					s := db.NewSession()
					err := store.AddPost(ctx, s, &models.Post{Body: fmt.Sprint("post ", round, i), UserID: users[i%len(users)].ID})
					if err == nil {
						err = s.Commit(ctx)
					}
					s.Close()
					if err != nil {
						errs <- fmt.Errorf("post: %w", err)
						return
					}
				}
			})
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatalf("round %d: %v", round, err)
			}
			live += countRows(t, db, "SELECT COUNT(*) FROM timeline_state WHERE built_at > ?", expired)
			checkLiveTimelines(t, db, fmt.Sprint("round ", round))
			if n := countRows(t, db, "SELECT COUNT(*) FROM timeline_state WHERE built_at <= ?", expired) +
				countRows(t, db, "SELECT COUNT(*) FROM timeline WHERE user_id NOT IN (SELECT user_id FROM timeline_state)"); n != 0 {
				t.Fatalf("round %d: %d rows of expired timelines left after the sweeps", round, n)
			}
			for _, u := range users {
				checkPage(t, db, u, 0, 0, fmt.Sprint("round ", round))
			}
		}
		if swept == 0 {
			t.Fatal("no sweep deleted anything: the test tests too little")
		}
		t.Logf("swept %d timelines; %d live ones checked after the rounds", swept, live)
	})
}
