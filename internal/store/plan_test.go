package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
	"github.com/microblog/microblog/internal/testdb"
)

// The followers-of lookup (followers count, followers list) uses ix_followers_followed_id,
// which revision 5f1c0a2e9d41 adds: without it SQLite scans the whole followers table.
func TestFollowersLookupUsesItsIndex(t *testing.T) {
	db := testdb.Migrated(t, database.SQLite)
	ctx := context.Background()
	rows, err := db.SQL.QueryContext(ctx, "EXPLAIN QUERY PLAN SELECT count(*) FROM followers WHERE followed_id = 1")
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
	if p := strings.Join(plan, "; "); !strings.Contains(p, "USING COVERING INDEX ix_followers_followed_id") {
		t.Fatalf("plan = %s", p)
	}
}

// counter counts the statements a database runs.
type counter struct {
	mu sync.Mutex
	n  int
}

func (c *counter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }
func (c *counter) AfterQuery(context.Context, *bun.QueryEvent) {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
}

// The timeline is one statement whatever the page size: authors come in the same query.
// That holds for a materialized timeline (built by the first read) and for a page deeper
// than it (the plain query).
func TestTimelineIsOneQueryWhateverThePageSize(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := db.NewSession()
		me := &models.User{Username: "me", Email: "me@example.com"}
		s.Add(me)
		for i := range 10 {
			u := &models.User{Username: fmt.Sprint("u", i), Email: fmt.Sprint("u", i, "@example.com")}
			for j := range 5 {
				s.Add(&models.Post{Body: fmt.Sprint("post ", i, j), Author: u, Timestamp: time.Now().UTC().Add(time.Duration(i*5+j) * time.Second)})
			}
			s.Add(&models.Follow{Follower: me, Followed: u})
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := store.FollowingPosts(ctx, db.NewSession(), me, 1, 0); err != nil { // builds the timeline
			t.Fatal(err)
		}
		c := &counter{}
		db.Bun.AddQueryHook(c)
		for _, page := range []struct{ size, offset, want int }{{1, 0, 1}, {5, 0, 5}, {25, 0, 25}, {50, 0, 50}, {10, store.TimelineDepth - 5, 0}} {
			c.mu.Lock()
			c.n = 0
			c.mu.Unlock()
			posts, err := store.FollowingPosts(ctx, db.NewSession(), me, page.size, page.offset)
			if err != nil {
				t.Fatal(err)
			}
			if len(posts) != page.want || (page.want > 0 && posts[0].Author == nil) {
				t.Fatalf("page of %d at %d: %d posts", page.size, page.offset, len(posts))
			}
			if c.n != 1 {
				t.Errorf("a page of %d at %d ran %d statements, want 1", page.size, page.offset, c.n)
			}
		}
	})
}
