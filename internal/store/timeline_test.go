package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
	"github.com/microblog/microblog/internal/testdb"
)

// The timeline holds exactly the user's own posts and those of the users they follow,
// newest first and, for posts written at the same instant, highest id first; every
// page (limit, offset) is the matching slice of the whole list, on every dialect.
func TestTimelinePagesAreSlicesOfTheWholeOrderedTimeline(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := db.NewSession()
		me := &models.User{Username: "me", Email: "me@example.com"}
		followed := &models.User{Username: "followed", Email: "followed@example.com"}
		other := &models.User{Username: "other", Email: "other@example.com"}
		fan := &models.User{Username: "fan", Email: "fan@example.com"} // follows me: not in my timeline
		s.Add(me)
		s.Add(followed)
		s.Add(other)
		s.Add(fan)
		s.Add(&models.Follow{Follower: me, Followed: followed})
		s.Add(&models.Follow{Follower: fan, Followed: me})
		s.Add(&models.Follow{Follower: me, Followed: me}) // the app never writes it; each own post still comes once
		base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		for i := range 12 {
			// Three posts share each instant, so the id decides among them.
			at := base.Add(time.Duration(i/3) * time.Minute)
			for _, u := range []*models.User{me, followed, other, fan} {
				s.Add(&models.Post{Body: fmt.Sprintf("%s %d", u.Username, i), Author: u, Timestamp: at})
			}
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		all, err := store.FollowingPosts(ctx, db.NewSession(), me, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 24 {
			t.Fatalf("timeline has %d posts, want 24 (12 own, 12 followed)", len(all))
		}
		for i, p := range all {
			if p.Author == nil || (p.Author.Username != "me" && p.Author.Username != "followed") || !strings.HasPrefix(p.Body, p.Author.Username+" ") {
				t.Fatalf("post %d: %q by %+v", i, p.Body, p.Author)
			}
			if i > 0 {
				prev := all[i-1]
				if p.Timestamp.After(prev.Timestamp) || (p.Timestamp.Equal(prev.Timestamp) && p.ID > prev.ID) {
					t.Fatalf("post %d (%d at %s) comes after %d at %s", i, p.ID, p.Timestamp, prev.ID, prev.Timestamp)
				}
			}
		}
		ids := func(ps []*models.Post) []int64 {
			var out []int64
			for _, p := range ps {
				out = append(out, p.ID)
			}
			return out
		}
		for _, c := range []struct{ limit, offset int }{{5, 0}, {5, 5}, {7, 20}, {25, 0}, {3, 24}, {1, 23}} {
			page, err := store.FollowingPosts(ctx, db.NewSession(), me, c.limit, c.offset)
			if err != nil {
				t.Fatal(err)
			}
			want := ids(all[min(c.offset, len(all)):min(c.offset+c.limit, len(all))])
			if got := ids(page); !slices.Equal(got, want) {
				t.Errorf("page limit %d offset %d = %v, want %v", c.limit, c.offset, got, want)
			}
		}
	})
}

// The timeline's page is chosen from the index (user_id, timestamp, id) alone, without
// reading the followed posts' rows: on SQLite the plan of the statement FollowingPosts
// runs for a page deeper than the materialized timeline reads post through
// ix_post_user_id_timestamp_id as a covering index.
func TestTimelinePageIsChosenFromTheCoveringIndex(t *testing.T) {
	db := testdb.Migrated(t, database.SQLite)
	ctx := context.Background()
	me := &models.User{Username: "me", Email: "me@example.com"}
	s := db.NewSession()
	s.Add(me)
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	db.Bun.AddQueryHook(rec)
	if _, err := store.FollowingPosts(ctx, db.NewSession(), me, 26, store.TimelineDepth); err != nil {
		t.Fatal(err)
	}
	if len(rec.queries) != 1 {
		t.Fatalf("statements: %q", rec.queries)
	}
	rows, err := db.SQL.QueryContext(ctx, "EXPLAIN QUERY PLAN "+rec.queries[0])
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if p := strings.Join(plan, "; "); !strings.Contains(p, "USING COVERING INDEX ix_post_user_id_timestamp_id") {
		t.Fatalf("plan of %s:\n%s", rec.queries[0], p)
	}
}

// recorder keeps the statements a database runs.
type recorder struct{ queries []string }

func (r *recorder) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }
func (r *recorder) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	r.queries = append(r.queries, e.Query)
}
