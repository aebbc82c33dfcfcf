package web

import (
	"bytes"
	"crypto/sha256"
	"net/http"

	"github.com/microblog/microblog/internal/cork"
)

// pageCache remembers whole rendered pages, compressed, so that a page read again with
// the same content — a reader reloading their home page, many visitors on Explore — is
// neither rendered nor compressed again: the page's template and gzip were a quarter of
// a home page's CPU under load (docs/performance.md).
//
// As with remembered posts (postFragments), nothing is ever invalidated: a page's key is
// a SHA-256 of every input of its templates — the page, its status, language, title,
// path and query, the reader's id and name, their unread message count and tasks in
// progress, and each post as the post template sees it (fragment keys) with the page's
// links — all of them just read from the database by the request itself. A change made
// anywhere, by this process or another, or by plain SQL, gives another key. The cache
// spares the rendering, never a database read.
//
// A page is kept the second time its key comes (see seen). Only pages whose data's exact
// type says what all its inputs are are kept (home and Explore: postsPage; a profile:
// profilePage, whose header writeCardKey adds; another type embedding postsPage has
// inputs of its own and is not), and only answers to GET without flashes, for clients
// that accept gzip.
type pageCache struct {
	*generations[[sha256.Size]byte, []byte]
	// seen holds the keys of pages rendered once: a page is kept only when its key
	// comes a second time, so that pages read once (Explore and home pages while new
	// posts keep changing them) do not turn the cache over and add to the heap.
	seen *generations[[sha256.Size]byte, struct{}]
}

// pageCacheBytes is the default budget of compressed pages: about 1,000 home pages.
const pageCacheBytes = 4 << 20

func newPageCache(maxBytes int) *pageCache {
	return &pageCache{
		newGenerations(maxBytes, func(_ [sha256.Size]byte, v []byte) int { return sha256.Size + len(v) + 64 }),
		newGenerations(maxBytes/16, func([sha256.Size]byte, struct{}) int { return sha256.Size + 16 }),
	}
}

// pageKey is the key of the page rendered from v with status, or ok false when the
// page is not to be remembered.
func pageKey(r *http.Request, status int, page string, v view) (key [sha256.Size]byte, ok bool) {
	if r.Method != http.MethodGet || len(v.Flashes) > 0 {
		return key, false
	}
	if r.Header.Get("Range") != "" {
		return key, false
	}
	// The exact types, not an interface: a page type embedding postsPage would have its
	// method and inputs the method does not know.
	var data postsPage
	var profile *profilePage
	switch d := v.Data.(type) {
	case postsPage:
		data = d
	case profilePage:
		data, profile = d.postsPage, &d
	default:
		return key, false
	}
	var b keyBuilder
	b.Grow(4096)
	b.field("page/1")
	b.field(page)
	b.int(int64(status))
	b.field(v.Lang)
	b.field(v.Title)
	b.field(v.Here)
	b.field(v.Query)
	if v.Me != nil {
		b.int(v.Me.ID)
		b.field(v.Me.Username)
	} else {
		b.field("\x00anonymous")
	}
	b.int(int64(v.Unread))
	b.int(int64(len(v.Tasks)))
	for _, t := range v.Tasks {
		b.field(t.ID)
		b.field(t.Description)
		b.int(int64(t.Progress))
	}
	if !data.writePageKey(&b, v) {
		return key, false
	}
	if profile != nil {
		profile.writeCardKey(&b)
	}
	return sha256.Sum256(b.buf), true
}

// writeCardKey writes the inputs of the user template's header: the user as shown (name,
// avatar, about me, last seen), the counts, and which links and buttons the reader gets.
func (p *profilePage) writeCardKey(b *keyBuilder) {
	u := p.User
	b.field("profile")
	b.int(u.ID)
	b.field(u.Username)
	b.field(u.Email)
	if u.AboutMe != nil {
		b.field("about")
		b.field(*u.AboutMe)
	} else {
		b.field("")
	}
	if u.LastSeen != nil {
		b.int(u.LastSeen.UnixNano())
	} else {
		b.field("")
	}
	b.int(int64(p.Followers))
	b.int(int64(p.Following))
	for _, flag := range [...]bool{p.Own, p.IsFollowing, p.Exporting} {
		if flag {
			b.int(1)
		} else {
			b.int(0)
		}
	}
}

// writePageKey writes the inputs of the index template's content: the post form (only
// when empty), each post as postFor shows it, and the pager's links. ok is false when
// the page is not to be remembered (a form holding a user's input or errors).
func (p postsPage) writePageKey(b *keyBuilder, v view) bool {
	if p.Form != nil {
		if f := p.Form.Post; f.Value != "" || f.Error != "" || len(f.ErrorArgs) > 0 {
			return false
		}
		b.field("form")
	} else {
		b.field("")
	}
	b.int(int64(len(p.Posts)))
	for _, post := range p.Posts {
		writeFragmentKey(b, v.Lang, postFor(post, v))
	}
	b.field(p.PrevURL)
	b.field(p.NextURL)
	return true
}

// render executes the page into a compressed body and remembers it under key when the
// key was seen before (kept); it also returns the page as rendered (plain), for a client
// without gzip.
func (c *pageCache) render(status int, key [sha256.Size]byte, pool *gzipPool, execute func(*bytes.Buffer) error) (plain, gz []byte, kept bool, err error) {
	var page bytes.Buffer
	if err := execute(&page); err != nil {
		return nil, nil, false, err
	}
	var b bytes.Buffer
	z := pool.get(&b)
	z.Write(page.Bytes())
	err = z.Close()
	pool.put(z)
	if err != nil {
		return nil, nil, false, err
	}
	gz = b.Bytes()
	if _, again := c.seen.get(key); again {
		gz = bytes.Clone(gz)
		c.put(key, gz)
		return page.Bytes(), gz, true, nil
	}
	c.seen.put(key, struct{}{})
	return page.Bytes(), gz, false, nil
}

// writePage sends a remembered page: compressed (gz) to a client that takes gzip
// (wantsGzip), as rendered to any other — plain when the caller has it, else gz opened
// with pool; the error of a page that would not open comes before anything is written.
// compress passes a response that has its Content-Encoding through unchanged. Clients
// without gzip are served from the caches too: rendered for each request instead, such a
// client cost the server 13 to 19 times the CPU of a browser's request
// (docs/performance.md, section 21): a cheap way to load it.
func writePage(w http.ResponseWriter, r *http.Request, status int, gz, plain []byte, pool *gzipPool) error {
	h := w.Header()
	body := gz
	if wantsGzip(r) {
		h.Set("Content-Encoding", "gzip")
	} else if body = plain; body == nil {
		var err error
		if body, err = pool.gunzip(gz); err != nil {
			return err
		}
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	addVary(h, "Accept-Encoding")
	cork.Send(w, r, status, body) // with Content-Length
	return nil
}
