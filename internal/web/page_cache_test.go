package web

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/models"
)

// pageKeyFixture is a home page's view with two posts, one of them the reader's.
func pageKeyFixture() (*http.Request, int, string, view) {
	r := httptest.NewRequest(http.MethodGet, "/index", nil)
	r.Header.Set("Accept-Encoding", "gzip")
	es := "es"
	me := &models.User{ID: 1, Username: "susan", Email: "susan@example.com"}
	john := &models.User{ID: 2, Username: "john", Email: "john@example.com"}
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	posts := []*models.Post{
		{ID: 8, UserID: 2, Body: "hola", Timestamp: at, Language: &es, Author: john},
		{ID: 7, UserID: 1, Body: "hello", Timestamp: at.Add(-time.Minute), Author: me},
	}
	v := view{Title: "Home", Here: "/index", Me: me, Lang: "en", Unread: 2,
		Tasks: []taskAlert{{ID: "t1", Description: "Exporting posts...", Progress: 40}},
		Data:  postsPage{Form: newPostForm(), Posts: posts, Pager: Pager{NextURL: "/index?page=2"}}}
	return r, http.StatusOK, "index", v
}

// Every input of a page's templates changes its key; the same inputs give the same key;
// pages that must not be remembered have none.
func TestPageKeyCoversEveryInput(t *testing.T) {
	r, status, page, v := pageKeyFixture()
	ref, ok := pageKey(r, status, page, v)
	if !ok {
		t.Fatal("a plain home page has no key")
	}
	r2, status2, page2, v2 := pageKeyFixture()
	if again, _ := pageKey(r2, status2, page2, v2); again != ref {
		t.Fatal("the same inputs give two keys")
	}
	type input struct {
		r      *http.Request
		status int
		page   string
		v      *view
	}
	posts := func(in input) []*models.Post { return in.v.Data.(postsPage).Posts }
	changes := map[string]func(in input) input{
		"page":          func(in input) input { in.page = "search"; return in },
		"status":        func(in input) input { in.status = http.StatusNotFound; return in },
		"language":      func(in input) input { in.v.Lang = "es"; return in },
		"title":         func(in input) input { in.v.Title = "Explore"; return in },
		"path":          func(in input) input { in.v.Here = "/index?page=1"; return in },
		"search words":  func(in input) input { in.v.Query = "x"; return in },
		"reader":        func(in input) input { in.v.Me = &models.User{ID: 3, Username: "susan"}; return in },
		"reader's name": func(in input) input { in.v.Me = &models.User{ID: 1, Username: "susan2"}; return in },
		"anonymous":     func(in input) input { in.v.Me = nil; return in },
		"unread count":  func(in input) input { in.v.Unread = 3; return in },
		"task added":    func(in input) input { in.v.Tasks = append(in.v.Tasks, taskAlert{ID: "t2"}); return in },
		"task progress": func(in input) input {
			in.v.Tasks = []taskAlert{{ID: "t1", Description: "Exporting posts...", Progress: 41}}
			return in
		},
		"task description": func(in input) input { in.v.Tasks = []taskAlert{{ID: "t1", Description: "x", Progress: 40}}; return in },
		"task id": func(in input) input {
			in.v.Tasks = []taskAlert{{ID: "t9", Description: "Exporting posts...", Progress: 40}}
			return in
		},
		"post body": func(in input) input { posts(in)[0].Body = "hola!"; return in },
		"post author's name": func(in input) input {
			posts(in)[0].Author = &models.User{ID: 2, Username: "johnny", Email: "john@example.com"}
			return in
		},
		"post author's mail": func(in input) input {
			posts(in)[0].Author = &models.User{ID: 2, Username: "john", Email: "j@example.com"}
			return in
		},
		"post's owner":  func(in input) input { posts(in)[0].UserID = 1; return in },
		"post time":     func(in input) input { posts(in)[1].Timestamp = posts(in)[1].Timestamp.Add(time.Second); return in },
		"post language": func(in input) input { pt := "pt"; posts(in)[0].Language = &pt; return in },
		"a post less": func(in input) input {
			p := in.v.Data.(postsPage)
			p.Posts = p.Posts[:1]
			in.v.Data = p
			return in
		},
		"no form": func(in input) input {
			p := in.v.Data.(postsPage)
			p.Form = nil
			in.v.Data = p
			return in
		},
		"newer link": func(in input) input {
			p := in.v.Data.(postsPage)
			p.PrevURL = "/index?page=0"
			in.v.Data = p
			return in
		},
		"older link": func(in input) input {
			p := in.v.Data.(postsPage)
			p.NextURL = ""
			in.v.Data = p
			return in
		},
	}
	for what, change := range changes {
		r, status, page, v := pageKeyFixture()
		in := change(input{r, status, page, &v})
		key, ok := pageKey(in.r, in.status, in.page, *in.v)
		if ok && key == ref {
			t.Errorf("changing the %s leaves the key as it was", what)
		}
	}
	// The page kept is the same for a client without gzip (writePage opens it for one).
	{
		r, status, page, v := pageKeyFixture()
		r.Header.Del("Accept-Encoding")
		if key, ok := pageKey(r, status, page, v); !ok || key != ref {
			t.Error("a client without gzip has a key of its own, or none")
		}
	}
	notKept := map[string]func(in input) input{
		"a POST":              func(in input) input { in.r = httptest.NewRequest(http.MethodPost, "/index", nil); return in },
		"a flash":             func(in input) input { in.v.Flashes = []string{"Your post is now live!"}; return in },
		"a form with a value": func(in input) input { in.v.Data.(postsPage).Form.Post.Value = "draft"; return in },
		"a form with an error": func(in input) input {
			in.v.Data.(postsPage).Form.Post.Error = "Field must be between 1 and 140 characters long."
			return in
		},
		"a range": func(in input) input { in.r.Header.Set("Range", "bytes=0-10"); return in },
		"a page whose data has no key": func(in input) input {
			in.v.Data = errorPage{Heading: "Not Found"}
			return in
		},
	}
	for what, change := range notKept {
		r, status, page, v := pageKeyFixture()
		in := change(input{r, status, page, &v})
		if _, ok := pageKey(in.r, in.status, in.page, *in.v); ok {
			t.Errorf("%s is remembered", what)
		}
	}
}

// A profile page's key covers its header too — the user as shown, the counts, the links
// and buttons the reader gets — besides everything a page of posts has.
func TestProfilePageKeyCoversTheUserCard(t *testing.T) {
	fixture := func() (*http.Request, int, string, view) {
		r, status, _, v := pageKeyFixture()
		about := "I like trains"
		seen := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
		john := &models.User{ID: 2, Username: "john", Email: "john@example.com", AboutMe: &about, LastSeen: &seen}
		v.Title, v.Here = "", "/user/john"
		posts := v.Data.(postsPage)
		posts.Form = nil
		v.Data = profilePage{postsPage: posts, userCard: userCard{User: john, Followers: 3, Following: 5, IsFollowing: true}}
		return r, status, "user", v
	}
	r, status, page, v := fixture()
	ref, ok := pageKey(r, status, page, v)
	if !ok {
		t.Fatal("a profile page has no key")
	}
	if again, _ := pageKey(fixture()); again != ref {
		t.Fatal("the same inputs give two keys")
	}
	plain := v
	plain.Data = v.Data.(profilePage).postsPage
	if k, _ := pageKey(r, status, page, plain); k == ref {
		t.Fatal("the profile's key is its posts' alone")
	}
	changes := map[string]func(p *profilePage){
		"user":     func(p *profilePage) { u := *p.User; u.ID = 9; p.User = &u },
		"name":     func(p *profilePage) { u := *p.User; u.Username = "johnny"; p.User = &u },
		"e-mail":   func(p *profilePage) { u := *p.User; u.Email = "j@example.com"; p.User = &u },
		"about me": func(p *profilePage) { u := *p.User; a := "I like boats"; u.AboutMe = &a; p.User = &u },
		"no about": func(p *profilePage) { u := *p.User; u.AboutMe = nil; p.User = &u },
		"empty about": func(p *profilePage) {
			u := *p.User
			a := ""
			u.AboutMe = &a
			p.User = &u
		},
		"last seen":    func(p *profilePage) { u := *p.User; t := u.LastSeen.Add(time.Second); u.LastSeen = &t; p.User = &u },
		"never seen":   func(p *profilePage) { u := *p.User; u.LastSeen = nil; p.User = &u },
		"followers":    func(p *profilePage) { p.Followers++ },
		"following":    func(p *profilePage) { p.Following++ },
		"own":          func(p *profilePage) { p.Own = true },
		"not followed": func(p *profilePage) { p.IsFollowing = false },
		"exporting":    func(p *profilePage) { p.Exporting = true },
		"a post less":  func(p *profilePage) { p.Posts = p.Posts[:1] },
	}
	seen := map[[32]byte]string{ref: "the fixture"}
	for what, change := range changes {
		r, status, page, v := fixture()
		p := v.Data.(profilePage)
		change(&p)
		v.Data = p
		key, ok := pageKey(r, status, page, v)
		if !ok {
			t.Errorf("changing the %s leaves the page without a key", what)
			continue
		}
		if other, dup := seen[key]; dup {
			t.Errorf("changing the %s gives the key of %s", what, other)
		}
		seen[key] = what
	}
}

// A page is remembered when it is rendered a second time, and a remembered page is the
// rendered page: compressed, with the headers of a compressed page, to a client that
// accepts gzip; opened, with its length, to one that does not (rendered or remembered
// alike). The cache stays within its budget however many pages pass through it.
func TestPageCacheServesTheRenderedPageWithinBudget(t *testing.T) {
	budget := 256 << 10
	c := newPageCache(budget)
	pool := newGzipPool(1)
	request := func(gzipped bool) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if gzipped {
			r.Header.Set("Accept-Encoding", "gzip, deflate, br")
		} else {
			r.Header.Set("Accept-Encoding", "identity, gzip;q=0")
		}
		return r
	}
	render := func(w http.ResponseWriter, key [32]byte, page []byte, gzipped bool) (kept bool) {
		t.Helper()
		plain, gz, kept, err := c.render(http.StatusOK, key, pool, func(b *bytes.Buffer) error { b.Write(page); return nil })
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(plain, page) {
			t.Fatalf("render returned %d plain bytes, want the %d rendered", len(plain), len(page))
		}
		if err := writePage(w, request(gzipped), http.StatusOK, gz, plain, pool); err != nil {
			t.Fatal(err)
		}
		return kept
	}
	serve := func(w http.ResponseWriter, key [32]byte, gzipped bool) bool {
		t.Helper()
		gz, ok := c.get(key)
		if ok {
			if err := writePage(w, request(gzipped), http.StatusOK, gz, nil, pool); err != nil {
				t.Fatal(err)
			}
		}
		return ok
	}
	for i := range 2000 {
		page := bytes.Repeat([]byte{byte('a' + i%26)}, 2000+i)
		var key [32]byte
		key[0], key[1] = byte(i), byte(i>>8)
		gzipped := i%2 == 0 // the client of the renderings
		w := httptest.NewRecorder()
		if render(w, key, page, gzipped) {
			t.Fatalf("page %d: kept at its first rendering", i)
		}
		first := w.Result()
		if serve(httptest.NewRecorder(), key, true) {
			t.Fatalf("page %d: remembered after one rendering, want it kept only when it comes again", i)
		}
		if !render(httptest.NewRecorder(), key, page, !gzipped) {
			t.Fatalf("page %d: not kept at its second rendering", i)
		}
		answers := []*http.Response{first}
		for _, client := range []bool{true, false} {
			w = httptest.NewRecorder()
			if !serve(w, key, client) {
				t.Fatalf("page %d: not remembered after its second rendering", i)
			}
			answers = append(answers, w.Result())
		}
		for n, res := range answers {
			compressed := n == 1 || (n == 0 && gzipped)
			if res.Header.Get("Content-Type") != "text/html; charset=utf-8" || fmt.Sprint(res.Header.Values("Vary")) != "[Accept-Encoding]" {
				t.Fatalf("page %d, answer %d: headers %v", i, n, res.Header)
			}
			body := io.Reader(res.Body)
			if compressed {
				if res.Header.Get("Content-Encoding") != "gzip" {
					t.Fatalf("page %d, answer %d to a client with gzip: headers %v", i, n, res.Header)
				}
				z, err := gzip.NewReader(res.Body)
				if err != nil {
					t.Fatal(err)
				}
				body = z
			} else if res.Header.Get("Content-Encoding") != "" || res.Header.Get("Content-Length") != strconv.Itoa(len(page)) {
				t.Fatalf("page %d, answer %d to a client without gzip: headers %v", i, n, res.Header)
			}
			got, err := io.ReadAll(body)
			if err != nil || !bytes.Equal(got, page) {
				t.Fatalf("page %d, answer %d: %d bytes (%v), want the %d rendered", i, n, len(got), err, len(page))
			}
		}
		if n := c.bytes(); n > budget {
			t.Fatalf("after %d pages the cache holds %d bytes, over its budget of %d", i+1, n, budget)
		}
	}
	var unknown [32]byte
	unknown[31] = 1
	if serve(httptest.NewRecorder(), unknown, true) {
		t.Error("a key never rendered is served")
	}
}

// gunzip opens what the pool compressed, byte for byte, and refuses, with an error and
// without a large allocation, a stream whose trailer does not match its contents.
func TestGunzipOpensItsOwnPagesAndRefusesOthers(t *testing.T) {
	pool := newGzipPool(1)
	compress := func(page []byte) []byte {
		var b bytes.Buffer
		z := pool.get(&b)
		z.Write(page)
		if err := z.Close(); err != nil {
			t.Fatal(err)
		}
		pool.put(z)
		return b.Bytes()
	}
	for _, page := range [][]byte{{}, []byte("<p>héllo\x00</p>"), bytes.Repeat([]byte("<tr><td>row</td></tr>"), 5000)} {
		for range 2 { // the second time through a reader from the pool
			got, err := pool.gunzip(compress(page))
			if err != nil || !bytes.Equal(got, page) {
				t.Fatalf("gunzip of %d bytes: %d bytes, %v", len(page), len(got), err)
			}
		}
	}
	gz := compress(bytes.Repeat([]byte("abc"), 1000))
	lie := func(size uint32) []byte {
		b := bytes.Clone(gz)
		b[len(b)-4], b[len(b)-3], b[len(b)-2], b[len(b)-1] = byte(size), byte(size>>8), byte(size>>16), byte(size>>24)
		return b
	}
	for what, bad := range map[string][]byte{
		"empty":              nil,
		"a header only":      gz[:10],
		"cut short":          gz[:len(gz)-6],
		"a trailer longer":   lie(3001),
		"a trailer shorter":  lie(2999),
		"a trailer of 4 GiB": lie(1<<32 - 1),
		"not gzip":           bytes.Repeat([]byte("x"), 40),
	} {
		if got, err := pool.gunzip(bad); err == nil {
			t.Errorf("%s: opened as %d bytes, want an error", what, len(got))
		}
	}
}
