package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/api"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
)

// Posts (ours): write one (201, Location), read it, a user's posts and the caller's
// feed newest first with the collections' rules; the index form's checks.
func TestAPIPosts(t *testing.T) {
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			s := newAPISite(t, dialect, api.Limits{})
			ctx := context.Background()
			susan, john, mary := addAPIUser(t, s.db, "susan"), addAPIUser(t, s.db, "john"), addAPIUser(t, s.db, "mary")
			sess := s.db.NewSession()
			defer sess.Close()
			sess.Add(&models.Follow{FollowerID: susan.ID, FollowedID: john.ID})
			base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
			// Two posts at one instant: the id breaks the tie, newest (highest) first.
			sess.Add(&models.Post{Body: "john 1", UserID: john.ID, Timestamp: base})
			sess.Add(&models.Post{Body: "john 2", UserID: john.ID, Timestamp: base})
			sess.Add(&models.Post{Body: "mary 1", UserID: mary.ID, Timestamp: base.Add(time.Minute)})
			if err := sess.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			tok := s.tokenOf("susan")

			r := s.do(apiReq{method: "POST", path: "/api/posts", token: tok, body: `{"body":"  Hello from the API, my friends!  "}`})
			if r.status != http.StatusCreated {
				t.Fatalf("create post: %d %s", r.status, r.body)
			}
			p := r.json(t)
			if r.header.Get("Location") != fmt.Sprintf("/api/posts/%v", p["id"]) || p["body"] != "Hello from the API, my friends!" ||
				p["author"].(map[string]any)["username"] != "susan" || p["language"] != "en" {
				t.Errorf("created post: %s, Location %q", r.body, r.header.Get("Location"))
			}
			if got := s.get(r.header.Get("Location"), tok); got.status != http.StatusOK || !strings.Contains(string(got.body), `"body":"Hello from the API, my friends!"`) {
				t.Errorf("get post: %d %s", got.status, got.body)
			}
			expectError(t, "no such post", s.get("/api/posts/999999", tok), http.StatusNotFound, "")
			expectError(t, "post without token", s.get("/api/posts/1", ""), http.StatusUnauthorized, "")
			expectError(t, "post id not a number", s.get("/api/posts/x", ""), http.StatusNotFound, "")

			bodies := func(path string) []string {
				t.Helper()
				r := s.get(path, tok)
				if r.status != http.StatusOK {
					t.Fatalf("%s: %d %s", path, r.status, r.body)
				}
				var c struct {
					Meta  map[string]int `json:"_meta"`
					Items []struct{ Body string }
				}
				json.Unmarshal(r.body, &c)
				var out []string
				for _, it := range c.Items {
					out = append(out, it.Body)
				}
				return append(out, fmt.Sprint(c.Meta["total_items"]))
			}
			// The feed: susan's own post and john's, not mary's; newest first, ties by id.
			if got := strings.Join(bodies("/api/feed"), "|"); got != "Hello from the API, my friends!|john 2|john 1|3" {
				t.Errorf("feed: %s", got)
			}
			if got := strings.Join(bodies("/api/feed?per_page=1&page=2"), "|"); got != "john 2|3" {
				t.Errorf("feed page 2: %s", got)
			}
			if got := strings.Join(bodies(fmt.Sprintf("/api/users/%d/posts", john.ID)), "|"); got != "john 2|john 1|2" {
				t.Errorf("john's posts: %s", got)
			}
			if got := strings.Join(bodies(fmt.Sprintf("/api/users/%d/posts?page=5", mary.ID)), "|"); got != "1" {
				t.Errorf("mary's posts past the end: %s", got)
			}
			expectError(t, "posts of nobody", s.get("/api/users/999999/posts", tok), http.StatusNotFound, "")
			expectError(t, "feed without token", s.get("/api/feed", ""), http.StatusUnauthorized, "")

			for _, c := range []struct{ what, body, msg string }{
				{"empty", `{"body":"   "}`, "must include a non-empty body field"},
				{"missing", `{"text":"hi"}`, "must include a non-empty body field"},
				{"too long", `{"body":"` + strings.Repeat("ü", 141) + `"}`, "body must be at most 140 characters"},
				{"NUL", `{"body":"a\u0000b"}`, "body contains a character that is not allowed (U+0000)"},
				{"number", `{"body":42}`, "body must be a string"},
				{"null", `null`, "the body must be a JSON object"},
			} {
				expectError(t, c.what, s.do(apiReq{method: "POST", path: "/api/posts", token: tok, body: c.body}), http.StatusBadRequest, c.msg)
			}
			expectError(t, "post without token", s.do(apiReq{method: "POST", path: "/api/posts", body: `{"body":"x"}`}), http.StatusUnauthorized, "")
			// 140 characters of multi-byte text fit.
			if r := s.do(apiReq{method: "POST", path: "/api/posts", token: tok, body: `{"body":"` + strings.Repeat("ü", 140) + `"}`}); r.status != http.StatusCreated {
				t.Errorf("140 characters: %d %s", r.status, r.body)
			}
			n, _ := s.db.Bun.NewSelect().Model((*models.Post)(nil)).Count(ctx)
			if n != 5 {
				t.Errorf("%d posts stored, want 5", n)
			}
		})
	}
}

// DELETE /api/posts/<id> (ours): only the author deletes; someone else's post is 403, a
// missing one 404, and a deleted post is gone from the post, the author's posts and the
// feed at once. Two deletions at once: one 204, the other 404.
func TestAPIDeletePost(t *testing.T) {
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			s := newAPISite(t, dialect, api.Limits{})
			susan := addAPIUser(t, s.db, "susan")
			addAPIUser(t, s.db, "john")
			tok, johnTok := s.tokenOf("susan"), s.tokenOf("john")
			post := func(token, body string) string {
				t.Helper()
				r := s.do(apiReq{method: "POST", path: "/api/posts", token: token, body: `{"body":"` + body + `"}`})
				if r.status != http.StatusCreated {
					t.Fatalf("create post: %d %s", r.status, r.body)
				}
				return r.header.Get("Location")
			}
			mine, kept, johns := post(tok, "delete me"), post(tok, "keep me"), post(johnTok, "john's")
			del := func(path, token string) apiResp { return s.do(apiReq{method: "DELETE", path: path, token: token}) }
			expectError(t, "another user's post", del(johns, tok), http.StatusForbidden, "")
			expectError(t, "no token", del(mine, ""), http.StatusUnauthorized, "")
			expectError(t, "no such post", del("/api/posts/999999", tok), http.StatusNotFound, "")
			expectError(t, "id not a number", del("/api/posts/x", tok), http.StatusNotFound, "")
			if r := del(mine, tok); r.status != http.StatusNoContent || len(r.body) != 0 {
				t.Fatalf("delete own post: %d %q", r.status, r.body)
			}
			expectError(t, "deleted post", s.get(mine, tok), http.StatusNotFound, "")
			expectError(t, "deleted again", del(mine, tok), http.StatusNotFound, "")
			for _, path := range []string{"/api/feed", fmt.Sprintf("/api/users/%d/posts", susan.ID)} {
				r := s.get(path, tok)
				if r.status != http.StatusOK || strings.Contains(string(r.body), "delete me") || !strings.Contains(string(r.body), "keep me") {
					t.Errorf("%s after the deletion: %d %s", path, r.status, r.body)
				}
			}
			if r := s.get(johns, johnTok); r.status != http.StatusOK {
				t.Errorf("john's post after susan's attempt: %d", r.status)
			}
			// Two deletions of one post at once: exactly one succeeds.
			statuses := make(chan int, 2)
			for range 2 {
				go func() { statuses <- del(kept, tok).status }()
			}
			a, b := <-statuses, <-statuses
			if a+b != http.StatusNoContent+http.StatusNotFound {
				t.Errorf("two deletions at once: %d and %d, want one 204 and one 404", a, b)
			}
			n, _ := s.db.Bun.NewSelect().Model((*models.Post)(nil)).Count(context.Background())
			if n != 1 {
				t.Errorf("%d posts left, want john's only", n)
			}
		})
	}
}

// Every GET carries an ETag; If-None-Match with it gives 304 without a body, until the
// representation changes.
func TestAPIConditionalGets(t *testing.T) {
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			s := newAPISite(t, dialect, api.Limits{})
			susan := addAPIUser(t, s.db, "susan")
			tok := s.tokenOf("susan")
			s.do(apiReq{method: "POST", path: "/api/posts", token: tok, body: `{"body":"first"}`})
			for _, path := range []string{"/api/users", fmt.Sprintf("/api/users/%d", susan.ID), fmt.Sprintf("/api/users/%d/followers", susan.ID),
				fmt.Sprintf("/api/users/%d/following", susan.ID), fmt.Sprintf("/api/users/%d/posts", susan.ID), "/api/posts/1", "/api/feed", "/api/openapi.json"} {
				r := s.get(path, tok)
				// The client accepts gzip (Go's transport asks for it), so the tag is weak
				// (compress.go); HEAD, for which the transport does not ask, gets it strong.
				tag := r.header.Get("ETag")
				strong := strings.TrimPrefix(tag, "W/")
				if r.status != http.StatusOK || tag != "W/"+strong || !strings.HasPrefix(strong, `"`) || r.header.Get("Cache-Control") == "" {
					t.Fatalf("%s: %d, ETag %q, Cache-Control %q", path, r.status, tag, r.header.Get("Cache-Control"))
				}
				for _, inm := range []string{strong, "W/" + strong, `"other", ` + strong, "*"} {
					r := s.do(apiReq{method: "GET", path: path, token: tok, header: http.Header{"If-None-Match": {inm}}})
					if r.status != http.StatusNotModified || len(r.body) != 0 || r.header.Get("ETag") != tag {
						t.Errorf("%s If-None-Match %s: %d %q ETag %q", path, inm, r.status, r.body, r.header.Get("ETag"))
					}
				}
				if r := s.do(apiReq{method: "GET", path: path, token: tok, header: http.Header{"If-None-Match": {`"stale"`}}}); r.status != http.StatusOK {
					t.Errorf("%s with a stale tag: %d", path, r.status)
				}
				// HEAD answers like GET, without a body.
				if r := s.do(apiReq{method: "HEAD", path: path, token: tok}); r.status != http.StatusOK || r.header.Get("ETag") != strong {
					t.Errorf("HEAD %s: %d ETag %q", path, r.status, r.header.Get("ETag"))
				}
			}
			// A change gives a new tag, and the old one no longer matches.
			path := fmt.Sprintf("/api/users/%d", susan.ID)
			old := s.get(path, tok).header.Get("ETag")
			s.do(apiReq{method: "PUT", path: path, token: tok, body: `{"about_me":"changed"}`})
			r := s.do(apiReq{method: "GET", path: path, token: tok, header: http.Header{"If-None-Match": {old}}})
			if r.status != http.StatusOK || r.header.Get("ETag") == old {
				t.Errorf("after a change: %d, ETag %q (old %q)", r.status, r.header.Get("ETag"), old)
			}
			// A 304 still needs a live token.
			expectError(t, "304 without token", s.do(apiReq{method: "GET", path: path, header: http.Header{"If-None-Match": {"*"}}}), http.StatusUnauthorized, "")
		})
	}
}
