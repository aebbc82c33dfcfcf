package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
)

// postIDs are the ids of the posts of a user, by body.
func postIDs(t *testing.T, s *site, user int64) map[string]int64 {
	t.Helper()
	var posts []models.Post
	if err := s.db.Bun.NewSelect().Model(&posts).Where("user_id = ?", user).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, p := range posts {
		out[p.Body] = p.ID
	}
	return out
}

var deleteForm = regexp.MustCompile(`<form action="/post/(\d+)/delete" method="post"`)

// deleteButtons are the ids of the posts a page offers to delete.
func deleteButtons(p page) []string {
	var ids []string
	for _, m := range deleteForm.FindAllStringSubmatch(p.body, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// Every post list shows a Delete confirmation under the reader's own posts only; it
// deletes the post and returns to the page. Someone else's post, a post deleted
// already and a post that never existed are one 404 page, and hostile ids are 404s too.
func TestDeletePost(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			s, _, logs := newDialectSite(t, d, nil)
			alice, bob := signedIn(t, s, "alice", false), signedIn(t, s, "bob", false)
			expect(t, "follow", alice.post("/follow/bob", nil), http.StatusFound, "")
			for _, b := range []struct {
				who  *browser
				body string
			}{{alice, "alice one"}, {bob, "bob one"}, {alice, "alice two"}} {
				expect(t, "post", b.who.post("/index", url.Values{"post": {b.body}}), http.StatusFound, "/index")
			}
			mine, theirs := postIDs(t, s, userID(t, s, "alice")), postIDs(t, s, userID(t, s, "bob"))
			one, two, bobs := strconv.FormatInt(mine["alice one"], 10), strconv.FormatInt(mine["alice two"], 10), strconv.FormatInt(theirs["bob one"], 10)

			for _, path := range []string{"/index", "/explore", "/user/alice"} {
				p := alice.get(path)
				if got := strings.Join(deleteButtons(p), ","); got != two+","+one {
					t.Errorf("%s offers to delete %q, want alice's posts %s,%s", path, got, two, one)
				}
				expect(t, path, p, http.StatusOK, "", `<input type="hidden" name="next" value="`+path+`">`, "<summary", "Delete this post for good?")
			}
			if got := deleteButtons(alice.get("/user/bob")); len(got) != 0 {
				t.Errorf("bob's page offers alice to delete %v", got)
			}
			if got := deleteButtons(bob.get("/explore")); len(got) != 1 || got[0] != bobs {
				t.Errorf("explore offers bob to delete %v, want [%s]", got, bobs)
			}

			notFound := bob.post("/post/"+one+"/delete", url.Values{"next": {"/explore"}})
			expect(t, "someone else's post", notFound, http.StatusNotFound, "")
			for _, id := range []string{"999999", "9223372036854775807", "99999999999999999999999", "0", "-1", "012", "+" + one,
				one + ".0", "abc", "1e3", "%00", one + "%00", "%ff", "%C0%AF", "１"} {
				p := bob.post("/post/"+id+"/delete", nil)
				if p.status != http.StatusNotFound {
					t.Errorf("post id %q: %d, want 404", id, p.status)
				}
			}
			other := bob.post("/post/999999/delete", url.Values{"next": {"/explore"}})
			// The pages differ only by the path they name (the language menu returns there).
			if strings.ReplaceAll(notFound.body, "/post/"+one+"/", "/post/N/") != strings.ReplaceAll(other.body, "/post/999999/", "/post/N/") {
				t.Errorf("someone else's post and a missing post give different pages:\n%s\n%s", notFound.body, other.body)
			}
			if len(postIDs(t, s, userID(t, s, "alice"))) != 2 {
				t.Fatal("bob deleted alice's post")
			}
			expect(t, "GET is not a deletion", alice.get("/post/"+one+"/delete"), http.StatusNotFound, "")
			expect(t, "anonymous", s.browser().post("/post/"+one+"/delete", nil), http.StatusFound, "")
			req, _ := http.NewRequest("POST", s.srv.URL+"/post/"+one+"/delete", nil)
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			expect(t, "cross-site", alice.do(req), http.StatusForbidden, "")

			expect(t, "delete", alice.post("/post/"+one+"/delete", url.Values{"next": {"/explore?page=1"}}), http.StatusFound, "/explore?page=1")
			p := alice.get("/explore")
			expect(t, "explore after", p, http.StatusOK, "", "Your post has been deleted.", "alice two", "bob one")
			if strings.Contains(p.body, "alice one") {
				t.Error("the deleted post is still listed")
			}
			expect(t, "deleted already", alice.post("/post/"+one+"/delete", nil), http.StatusNotFound, "")
			expect(t, "a foreign next", alice.post("/post/"+two+"/delete", url.Values{"next": {"//evil.example/"}}), http.StatusFound, "/user/alice")
			if got := postIDs(t, s, userID(t, s, "bob")); len(got) != 1 {
				t.Errorf("bob's posts = %v", got)
			}
			if l := logs.lines("level=ERROR"); len(l) > 0 {
				t.Errorf("errors logged: %q", l)
			}
		})
	}
}

// A double click: several deletions of one post at once delete it once; the others are
// 404s, never 500s.
func TestDeletePostConcurrently(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			s, _, logs := newDialectSite(t, d, nil)
			alice := signedIn(t, s, "alice", false)
			expect(t, "post", alice.post("/index", url.Values{"post": {"once"}}), http.StatusFound, "/index")
			id := postIDs(t, s, userID(t, s, "alice"))["once"]
			var wg sync.WaitGroup
			statuses := make([]int, 4)
			for i := range statuses {
				wg.Go(func() { statuses[i] = alice.post(fmt.Sprintf("/post/%d/delete", id), nil).status })
			}
			wg.Wait()
			found, missing := 0, 0
			for _, st := range statuses {
				switch st {
				case http.StatusFound:
					found++
				case http.StatusNotFound:
					missing++
				default:
					t.Errorf("a deletion answered %d", st)
				}
			}
			if found != 1 || missing != 3 {
				t.Errorf("statuses %v: want one 302 and three 404s", statuses)
			}
			if l := logs.lines("level=ERROR"); len(l) > 0 {
				t.Errorf("errors logged: %q", l)
			}
		})
	}
}
