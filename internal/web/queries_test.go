package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/testdb"
	"github.com/microblog/microblog/internal/web"
)

type statementCounter struct {
	mu sync.Mutex
	n  int
}

func (c *statementCounter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}

func (c *statementCounter) AfterQuery(context.Context, *bun.QueryEvent) {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
}

func (c *statementCounter) reset() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.n
	c.n = 0
	return n
}

// The home page runs the same number of SQL statements whatever the page size: no
// query per post or per author (no N+1).
func TestHomeFeedStatementCountDoesNotGrowWithPageSize(t *testing.T) {
	counts := map[int]int{}
	for _, size := range []int{1, 10, 25} {
		db := testdb.Migrated(t, database.SQLite)
		cfg, _ := config.Load(func(string) (string, bool) { return "", false }, "")
		cfg.PostsPerPage = size
		app, err := web.New(db, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), testdb.Queue(t, db))
		if err != nil {
			t.Fatal(err)
		}
		app.KeepPasswordPages() // see newSiteWithPageSize
		s := &site{t: t, db: db}
		s.srv = newServer(t, app)
		b := s.browser()
		b.register("john", "john@example.com", "correct-cat-battery")
		b.login("john", "correct-cat-battery")
		for i := range 5 {
			other := s.browser()
			name := fmt.Sprint("user", i)
			other.register(name, name+"@example.com", "pw-stapler-horse")
			other.login(name, "pw-stapler-horse")
			for j := range 6 {
				other.post("/index", url.Values{"post": {fmt.Sprint("post ", i, j)}})
			}
			b.post("/follow/"+name, nil)
		}
		b.get("/index") // settles last_seen and flashes
		c := &statementCounter{}
		db.Bun.AddQueryHook(c)
		p := b.get("/index")
		if p.status != 200 {
			t.Fatalf("home: %d", p.status)
		}
		counts[size] = c.reset()
	}
	if counts[1] != counts[10] || counts[10] != counts[25] {
		t.Fatalf("statements for a home page of 1, 10, 25 posts: %v; want one count", counts)
	}
	t.Logf("statements per home page: %d", counts[25])
}
