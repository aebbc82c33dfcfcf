package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/api"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
)

var isoSeen = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$`)

// The user dict and the collections: the tutorial's keys in Flask's sorted order, its
// pagination rules (per_page capped at 100, _meta echoing what was asked, a page past
// the end empty, non-integers falling back to defaults), ordered by id; counts right.
func TestAPIUsers(t *testing.T) {
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			s := newAPISite(t, dialect, api.Limits{})
			ctx := context.Background()
			susan := addAPIUser(t, s.db, "susan")
			seen := time.Date(2023, 11, 5, 18, 41, 7, 996137000, time.UTC)
			about := "Hello"
			john := &models.User{Username: "john", Email: "john@example.com", AboutMe: &about, LastSeen: &seen}
			var others []*models.User
			for i := range 23 {
				others = append(others, &models.User{Username: fmt.Sprintf("u%02d", i), Email: fmt.Sprintf("u%02d@example.com", i)})
			}
			addUsers(t, s.db, append([]*models.User{john}, others...)...)
			sess := s.db.NewSession()
			defer sess.Close()
			sess.Add(&models.Follow{FollowerID: john.ID, FollowedID: susan.ID})
			sess.Add(&models.Follow{FollowerID: others[0].ID, FollowedID: susan.ID})
			sess.Add(&models.Follow{FollowerID: susan.ID, FollowedID: john.ID})
			for i := range 3 {
				sess.Add(&models.Post{Body: fmt.Sprintf("post %d", i), UserID: susan.ID})
			}
			if err := sess.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			tok := s.tokenOf("susan")

			// One user, exactly as the tutorial writes it (plus links to posts).
			r := s.get(fmt.Sprintf("/api/users/%d", john.ID), tok)
			if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/json" {
				t.Fatalf("get john: %d %s", r.status, r.body)
			}
			want := fmt.Sprintf(`{"_links":{"avatar":"https://www.gravatar.com/avatar/d4c74594d841139328695756648b6bd6?d=identicon&s=128",`+
				`"followers":"/api/users/%[1]d/followers","following":"/api/users/%[1]d/following","posts":"/api/users/%[1]d/posts","self":"/api/users/%[1]d"},`+
				`"about_me":"Hello","follower_count":1,"following_count":1,"id":%[1]d,"last_seen":"2023-11-05T18:41:07.996137+00:00","post_count":0,"username":"john"}`+"\n", john.ID)
			if string(r.body) != want {
				t.Errorf("john:\n%s\nwant\n%s", r.body, want)
			}
			// The caller's own dict carries its e-mail (the tutorial's never does).
			me := s.get(fmt.Sprintf("/api/users/%d", susan.ID), tok).json(t)
			if me["email"] != "susan@example.com" || me["post_count"] != 3.0 || me["follower_count"] != 2.0 || me["following_count"] != 1.0 || me["about_me"] != nil {
				t.Errorf("susan: %v", me)
			}
			if !isoSeen.MatchString(me["last_seen"].(string)) {
				t.Errorf("last_seen %q is not Python's isoformat", me["last_seen"])
			}
			if _, ok := s.get(fmt.Sprintf("/api/users/%d", john.ID), tok).json(t)["email"]; ok {
				t.Error("another user's e-mail is shown")
			}

			// 404s: no such user (after authentication), and ids that are not unsigned
			// integers (before it, as Flask's routing does).
			expectError(t, "no such user", s.get("/api/users/999999", tok), http.StatusNotFound, "")
			expectError(t, "no such user, no token", s.get("/api/users/999999", ""), http.StatusUnauthorized, "")
			for _, p := range []string{"/api/users/abc", "/api/users/-1", "/api/users/1.0", "/api/users/%00", "/api/users/99999999999999999999999", "/api/users/%EF%BC%91"} {
				expectError(t, p, s.get(p, ""), http.StatusNotFound, "")
			}
			expectError(t, "no such user's followers", s.get("/api/users/999999/followers", tok), http.StatusNotFound, "")
			expectError(t, "no such user's following", s.get("/api/users/999999/following", tok), http.StatusNotFound, "")
			for _, p := range []string{"/api/users", "/api/users/1", "/api/users/1/followers", "/api/users/1/following"} {
				r := s.get(p, "")
				expectError(t, p+" without token", r, http.StatusUnauthorized, "")
				if r.header.Get("WWW-Authenticate") != `Bearer realm="Authentication Required"` {
					t.Errorf("%s: WWW-Authenticate %q", p, r.header.Get("WWW-Authenticate"))
				}
			}

			// The collection of all 25 users, by id.
			type coll struct {
				Links map[string]*string `json:"_links"`
				Meta  map[string]int     `json:"_meta"`
				Items []struct {
					ID       int64
					Username string
				} `json:"items"`
			}
			page := func(q string) coll {
				t.Helper()
				r := s.do(apiReq{method: "GET", path: "/api/users" + q, token: tok, outside: strings.Contains(q, "x")})
				if r.status != http.StatusOK {
					t.Fatalf("users%s: %d %s", q, r.status, r.body)
				}
				if !strings.HasPrefix(string(r.body), `{"_links":{"next":`) {
					t.Errorf("users%s: keys not in Flask's order: %.60s", q, r.body)
				}
				var c coll
				if err := json.Unmarshal(r.body, &c); err != nil {
					t.Fatal(err)
				}
				return c
			}
			link := func(c coll, k string) string {
				if c.Links[k] == nil {
					return "null"
				}
				return *c.Links[k]
			}
			c := page("")
			if c.Meta["page"] != 1 || c.Meta["per_page"] != 10 || c.Meta["total_items"] != 25 || c.Meta["total_pages"] != 3 || len(c.Items) != 10 {
				t.Errorf("default page: %v, %d items", c.Meta, len(c.Items))
			}
			if link(c, "self") != "/api/users?page=1&per_page=10" || link(c, "next") != "/api/users?page=2&per_page=10" || link(c, "prev") != "null" {
				t.Errorf("default page links: %s %s %s", link(c, "self"), link(c, "next"), link(c, "prev"))
			}
			var ids []int64
			for _, p := range []string{"?page=1", "?page=2", "?page=3"} {
				for _, it := range page(p).Items {
					ids = append(ids, it.ID)
				}
			}
			for i := 1; i < len(ids); i++ {
				if ids[i] <= ids[i-1] {
					t.Fatalf("users not ordered by id across pages: %v", ids)
				}
			}
			if len(ids) != 25 {
				t.Errorf("3 pages hold %d users, want 25", len(ids))
			}
			// per_page is capped at 100 and echoed capped.
			if c := page("?per_page=1000"); c.Meta["per_page"] != 100 || len(c.Items) != 25 || link(c, "self") != "/api/users?page=1&per_page=100" {
				t.Errorf("per_page=1000: %v, %d items, self %s", c.Meta, len(c.Items), link(c, "self"))
			}
			// A page past the end is empty, with a prev link and no next.
			if c := page("?page=9&per_page=10"); len(c.Items) != 0 || c.Meta["page"] != 9 || link(c, "prev") != "/api/users?page=8&per_page=10" || link(c, "next") != "null" {
				t.Errorf("page past the end: %v %d items %s %s", c.Meta, len(c.Items), link(c, "prev"), link(c, "next"))
			}
			// Non-integers fall back to the defaults.
			if c := page("?page=x&per_page=y"); c.Meta["page"] != 1 || c.Meta["per_page"] != 10 || len(c.Items) != 10 {
				t.Errorf("non-integer args: %v %d items", c.Meta, len(c.Items))
			}
			// _meta echoes what was asked even where the query corrects it: page 0 reads
			// page 1, per_page 0 reads 20 items.
			if c := page("?page=0&per_page=0"); c.Meta["page"] != 0 || c.Meta["per_page"] != 0 || len(c.Items) != 20 || c.Meta["total_pages"] != 2 ||
				link(c, "self") != "/api/users?page=0&per_page=0" || link(c, "next") != "/api/users?page=1&per_page=0" || link(c, "prev") != "null" {
				t.Errorf("page=0&per_page=0: %v %d items %s %s", c.Meta, len(c.Items), link(c, "self"), link(c, "next"))
			}
			if c := page("?page=-3&per_page=-5"); c.Meta["page"] != -3 || c.Meta["per_page"] != -5 || len(c.Items) != 20 {
				t.Errorf("negative args: %v %d items", c.Meta, len(c.Items))
			}

			// Followers and following, by id, with their own links.
			r = s.get(fmt.Sprintf("/api/users/%d/followers?per_page=1", susan.ID), tok)
			var f coll
			json.Unmarshal(r.body, &f)
			if f.Meta["total_items"] != 2 || len(f.Items) != 1 || f.Items[0].Username != "john" ||
				*f.Links["next"] != fmt.Sprintf("/api/users/%d/followers?page=2&per_page=1", susan.ID) {
				t.Errorf("followers: %s", r.body)
			}
			r = s.get(fmt.Sprintf("/api/users/%d/following", susan.ID), tok)
			json.Unmarshal(r.body, &f)
			if f.Meta["total_items"] != 1 || f.Items[0].Username != "john" {
				t.Errorf("following: %s", r.body)
			}
		})
	}
}

// A page of users costs the same statements whatever its size: the counts of the user
// dicts are read for the page at once, not three COUNTs per user as in the tutorial.
func TestAPIUserPageStatementsDoNotGrowWithPageSize(t *testing.T) {
	s := newAPISite(t, "sqlite", api.Limits{})
	addAPIUser(t, s.db, "susan")
	var users []*models.User
	for i := range 60 {
		users = append(users, &models.User{Username: fmt.Sprintf("n%02d", i), Email: fmt.Sprintf("n%02d@example.com", i)})
	}
	addUsers(t, s.db, users...)
	tok := s.tokenOf("susan")
	counter := &statementCounter{}
	s.db.Bun.AddQueryHook(counter)
	counts := map[int]int{}
	for _, size := range []int{1, 10, 50} {
		counter.reset()
		r := s.get(fmt.Sprintf("/api/users?per_page=%d", size), tok)
		if r.status != http.StatusOK {
			t.Fatalf("per_page=%d: %d", size, r.status)
		}
		counts[size] = counter.reset()
	}
	if counts[1] != counts[10] || counts[10] != counts[50] {
		t.Errorf("statements per page by page size: %v; want the same for every size", counts)
	}
	// The token, the total, the page and three grouped counts.
	if counts[50] < 6 || counts[50] > 8 {
		t.Errorf("a page of 50 users runs %d statements, want 6 to 8", counts[50])
	}
}
