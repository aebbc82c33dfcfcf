package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
)

// feedOracle is the feed of user userID as plain SQL, independent of the store: the
// user's own posts and those of the users they follow, newest first, highest id first
// among posts of one instant.
func feedOracle(t *testing.T, db *database.DB, userID int64) []int64 {
	t.Helper()
	var ids []int64
	if err := db.Bun.NewRaw(`SELECT p.id FROM post AS p
WHERE p.user_id = ? OR p.user_id IN (SELECT followed_id FROM followers WHERE follower_id = ?)
ORDER BY p.timestamp DESC, p.id DESC`, userID, userID).Scan(context.Background(), &ids); err != nil {
		t.Fatal(err)
	}
	return ids
}

func postIDs(ps []*models.Post) []int64 {
	out := []int64{}
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

// checkPage compares one page of FollowingPosts with the oracle's slice.
func checkPage(t *testing.T, db *database.DB, u *models.User, limit, offset int, what string) {
	t.Helper()
	ctx := context.Background()
	s := db.NewSession()
	defer s.Close()
	page, err := store.FollowingPosts(ctx, s, u, limit, offset)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	all := feedOracle(t, db, u.ID)
	end := len(all)
	if limit > 0 {
		end = min(offset+limit, len(all))
	}
	want := append([]int64{}, all[min(offset, len(all)):end]...)
	if got := postIDs(page); !slices.Equal(got, want) {
		t.Fatalf("%s: %s's page limit %d offset %d = %v, want %v", what, u.Username, limit, offset, got, want)
	}
	for _, p := range page {
		if p.Author == nil || p.Author.ID != p.UserID {
			t.Fatalf("%s: post %d without its author", what, p.ID)
		}
	}
}

func countRows(t *testing.T, db *database.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Bun.NewRaw(query, args...).Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Random sequences of posts, follows, unfollows, post deletions and reads: every page
// FollowingPosts returns is the oracle's, whether the reader's timeline is materialized,
// being built, or dropped by a follow; and a materialized timeline never holds a post
// that is not in its owner's feed.
func TestMaterializedTimelineMatchesTheFeedUnderRandomWrites(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		rng := rand.New(rand.NewPCG(12, 34))
		s := db.NewSession()
		var users []*models.User
		for i := range 6 {
			u := &models.User{Username: fmt.Sprint("u", i), Email: fmt.Sprint("u", i, "@example.com")}
			users = append(users, u)
			s.Add(u)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		base := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		var live []*models.Post
		reads, built := 0, 0
		for step := range 300 {
			s := db.NewSession()
			u, other := load(t, s, users[rng.IntN(len(users))]), load(t, s, users[rng.IntN(len(users))])
			what := fmt.Sprintf("step %d", step)
			switch r := rng.IntN(10); {
			case r < 3: // a post; a third of them share an instant with another
				at := base.Add(time.Duration(step) * time.Second)
				if rng.IntN(3) == 0 {
					at = base.Add(time.Duration(rng.IntN(step+1)) * time.Second)
				}
				p := &models.Post{Body: what, UserID: u.ID, Timestamp: at}
				if err := store.AddPost(ctx, s, p); err != nil {
					t.Fatal(err)
				}
				live = append(live, p)
			case r < 5:
				if err := store.Follow(ctx, s, u, other); err != nil {
					t.Fatal(err)
				}
			case r < 6:
				if err := store.Unfollow(ctx, s, u, other); err != nil {
					t.Fatal(err)
				}
			case r < 7 && len(live) > 0:
				i := rng.IntN(len(live))
				if err := store.DeletePost(ctx, s, live[i].UserID, live[i].ID); err != nil {
					t.Fatal(err)
				}
				live = slices.Delete(live, i, i+1)
			default:
				s.Close()
				limit, offset := 1+rng.IntN(8), rng.IntN(12)
				checkPage(t, db, u, limit, offset, what)
				reads++
				continue
			}
			if err := s.Commit(ctx); err != nil {
				t.Fatal(err)
			}
		}
		for _, u := range users {
			checkPage(t, db, u, 10, 0, "end")
			checkPage(t, db, u, 0, 0, "end, whole feed")
			if countRows(t, db, "SELECT COUNT(*) FROM timeline_state WHERE user_id = ?", u.ID) == 1 {
				built++
				var entries []int64
				if err := db.Bun.NewRaw("SELECT post_id FROM timeline WHERE user_id = ? ORDER BY timestamp DESC, post_id DESC", u.ID).Scan(ctx, &entries); err != nil {
					t.Fatal(err)
				}
				if want := feedOracle(t, db, u.ID); !slices.Equal(entries, want) {
					t.Errorf("%s's materialized timeline = %v, want the whole feed %v", u.Username, entries, want)
				}
			}
		}
		if reads < 50 || built == 0 {
			t.Fatalf("%d reads, %d timelines materialized at the end: the sequence tests too little", reads, built)
		}
	})
}

// A timeline is built with TimelineDepth entries: pages that end within them are read
// from it, deeper ones (and one that straddles the end) from the plain query, all equal
// to the feed; a trim keeps the newest TimelineDepth; a follow drops the timeline and
// the next read builds it with the new followed user's posts.
func TestMaterializedTimelineDepthTrimAndFollow(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := db.NewSession()
		me := &models.User{Username: "me", Email: "me@example.com"}
		a := &models.User{Username: "a", Email: "a@example.com"}
		b := &models.User{Username: "b", Email: "b@example.com"}
		s.AddAll(me, a, b, &models.Follow{Follower: me, Followed: a})
		base := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		total := store.TimelineDepth + 150
		for i := range total {
			s.Add(&models.Post{Body: fmt.Sprint("a", i), Author: a, Timestamp: base.Add(time.Duration(i/2) * time.Second)})
			if i%10 == 0 {
				s.Add(&models.Post{Body: fmt.Sprint("b", i), Author: b, Timestamp: base.Add(time.Duration(i) * time.Second)})
			}
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		entries := func() int { return countRows(t, db, "SELECT COUNT(*) FROM timeline WHERE user_id = ?", me.ID) }
		checkPage(t, db, me, 26, 0, "first read")
		if n := entries(); n != store.TimelineDepth {
			t.Fatalf("built with %d entries, want %d", n, store.TimelineDepth)
		}
		for _, offset := range []int{26, store.TimelineDepth - 26, store.TimelineDepth - 10, store.TimelineDepth, total - 5, total + 10} {
			checkPage(t, db, me, 26, offset, "deep")
		}
		// New posts grow the timeline past the slack; a trim cuts it back.
		for i := range 150 {
			s := db.NewSession()
			if err := store.AddPost(ctx, s, &models.Post{Body: fmt.Sprint("new", i), UserID: a.ID, Timestamp: base.Add(time.Hour + time.Duration(i)*time.Second)}); err != nil {
				t.Fatal(err)
			}
			if err := s.Commit(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if n := entries(); n != store.TimelineDepth+150 {
			t.Fatalf("%d entries after 150 posts, want %d", n, store.TimelineDepth+150)
		}
		checkPage(t, db, me, 26, 0, "after posts")
		if err := store.TrimTimeline(ctx, db.NewSession(), me.ID); err != nil {
			t.Fatal(err)
		}
		if n := entries(); n != store.TimelineDepth {
			t.Fatalf("%d entries after a trim, want %d", n, store.TimelineDepth)
		}
		for _, offset := range []int{0, 100, store.TimelineDepth - 26, store.TimelineDepth - 5} {
			checkPage(t, db, me, 26, offset, "after the trim")
		}
		// Following b drops the timeline; the next read builds it with b's posts.
		s = db.NewSession()
		if err := store.Follow(ctx, s, load(t, s, me), load(t, s, b)); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM timeline_state WHERE user_id = ?", me.ID) + entries(); n != 0 {
			t.Fatalf("a follow left %d rows of the timeline", n)
		}
		checkPage(t, db, me, 26, 0, "after the follow")
		checkPage(t, db, me, 30, 300, "after the follow")
		if n := entries(); n != store.TimelineDepth {
			t.Fatalf("rebuilt with %d entries, want %d", n, store.TimelineDepth)
		}
		// A timeline past its lifetime gets no new entries and is not read; the next
		// read builds it again.
		old := time.Now().UTC().Add(-store.TimelineLifetime - time.Minute)
		if _, err := db.Bun.NewUpdate().Model((*models.TimelineState)(nil)).Set("built_at = ?", old).Where("user_id = ?", me.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		s = db.NewSession()
		if err := store.AddPost(ctx, s, &models.Post{Body: "late", UserID: b.ID, Timestamp: base.Add(2 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if n := entries(); n != store.TimelineDepth {
			t.Fatalf("an expired timeline got a new entry: %d entries", n)
		}
		checkPage(t, db, me, 26, 0, "after expiry")
		var state models.TimelineState
		if err := db.Bun.NewSelect().Model(&state).Where("user_id = ?", me.ID).Scan(ctx); err != nil || !state.BuiltAt.After(old.Add(time.Hour)) {
			t.Fatalf("not rebuilt after expiry: %+v, %v", state, err)
		}
	})
}

// Readers building the same timeline at once, while the followed users post: no read
// fails, none differs from the feed, and the timeline built holds each post once and
// every post written meanwhile.
func TestMaterializedTimelineConcurrentBuildersAndWriters(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := db.NewSession()
		me := &models.User{Username: "me", Email: "me@example.com"}
		var followed []*models.User
		for i := range 4 {
			u := &models.User{Username: fmt.Sprint("f", i), Email: fmt.Sprint("f", i, "@example.com")}
			followed = append(followed, u)
			s.AddAll(u, &models.Follow{Follower: me, Followed: u})
			for j := range 20 {
				s.Add(&models.Post{Body: fmt.Sprint(i, j), Author: u, Timestamp: time.Now().UTC().Add(-time.Hour + time.Duration(j)*time.Second)})
			}
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		for round := range 5 {
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			pages := make([][]int64, 3)
			for r := range pages {
				wg.Go(func() {
					s := db.NewSession()
					defer s.Close()
					page, err := store.FollowingPosts(ctx, s, me, 20, 0)
					if err != nil {
						errs <- fmt.Errorf("reader %d: %w", r, err)
					}
					pages[r] = postIDs(page)
				})
			}
			wg.Go(func() {
				for i := range 3 {
					s := db.NewSession()
					if err := store.AddPost(ctx, s, &models.Post{Body: fmt.Sprint("new ", round, i), UserID: followed[i].ID}); err != nil {
						errs <- err
					}
					if err := s.Commit(ctx); err != nil {
						errs <- err
					}
				}
			})
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatalf("round %d: %v", round, err)
			}
			all := feedOracle(t, db, me.ID)
			for r, got := range pages {
				// A reader saw the feed before, after or between the posts: its page is
				// the top of the feed without some of the newest posts.
				if len(got) != 20 || !isSubsequence(got, all) {
					t.Fatalf("round %d: reader %d got %v; feed %v", round, r, got, all)
				}
			}
			var entries []int64
			if err := db.Bun.NewRaw("SELECT post_id FROM timeline WHERE user_id = ? ORDER BY timestamp DESC, post_id DESC", me.ID).Scan(ctx, &entries); err != nil {
				t.Fatal(err)
			}
			if countRows(t, db, "SELECT COUNT(*) FROM timeline_state WHERE user_id = ?", me.ID) != 1 {
				t.Fatalf("round %d: no reader built the timeline", round)
			}
			if !slices.Equal(entries, all) {
				t.Fatalf("round %d: timeline %v, want %v", round, entries, all)
			}
			checkPage(t, db, me, 20, 0, fmt.Sprint("round ", round))
			// Drop it for the next round's builders.
			if _, err := db.Bun.NewDelete().Model((*models.TimelineState)(nil)).Where("user_id = ?", me.ID).Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// isSubsequence reports whether every element of sub is in all, in all's order.
func isSubsequence(sub, all []int64) bool {
	i := 0
	for _, x := range all {
		if i < len(sub) && sub[i] == x {
			i++
		}
	}
	return i == len(sub)
}

// load reads u again through session s, as a request does before following.
func load(t *testing.T, s *database.Session, u *models.User) *models.User {
	t.Helper()
	got := &models.User{}
	if err := s.Get(context.Background(), got, u.ID); err != nil {
		t.Fatal(err)
	}
	return got
}

// Deleting an account deletes its materialized timeline (timeline_state has no foreign
// key to user) and, by the cascade from post, its posts' entries in its followers'
// timelines, which stay equal to their feeds.
func TestDeleteAccountDeletesItsTimelineAndItsEntries(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := db.NewSession()
		alice := &models.User{Username: "alice", Email: "alice@example.com"}
		bob := &models.User{Username: "bob", Email: "bob@example.com"}
		s.AddAll(alice, bob, &models.Follow{Follower: alice, Followed: bob}, &models.Follow{Follower: bob, Followed: alice})
		for i := range 5 {
			s.AddAll(&models.Post{Body: fmt.Sprint("a", i), Author: alice}, &models.Post{Body: fmt.Sprint("b", i), Author: bob})
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		checkPage(t, db, alice, 10, 0, "alice builds")
		checkPage(t, db, bob, 10, 0, "bob builds")
		if n := countRows(t, db, "SELECT COUNT(*) FROM timeline WHERE user_id = ?", bob.ID); n != 10 {
			t.Fatalf("bob's timeline has %d entries, want 10", n)
		}
		s = db.NewSession()
		if _, err := store.DeleteAccount(ctx, s, alice.ID, store.AccountRows{}); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM timeline_state WHERE user_id = ?", alice.ID) +
			countRows(t, db, "SELECT COUNT(*) FROM timeline WHERE user_id = ?", alice.ID); n != 0 {
			t.Fatalf("%d rows of alice's timeline left", n)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM timeline WHERE user_id = ?", bob.ID); n != 5 {
			t.Fatalf("bob's timeline has %d entries, want his own 5", n)
		}
		checkPage(t, db, bob, 10, 0, "after alice's deletion")
	})
}
