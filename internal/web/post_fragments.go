package web

import (
	"html/template"
	"strconv"
	"strings"
	"sync"
)

// postFragments remembers the HTML of rendered posts (the "post" template), so that a
// post shown again — the same page read again, a post on many followers' home pages —
// is not rendered again. Rendering 25 posts through html/template, whose contextual
// escapers run for every value, was a third of a home page's CPU (docs/performance.md).
//
// Nothing is ever invalidated: an entry's key is every input of the template — the
// page's language, the post's id, body, time and language, its author's name and e-mail
// (the avatar), whether the reader wrote it and the page its Delete button returns to —
// so a post or author that changed gives another key, and the stale entry is merely
// never asked for again. This holds across processes as well: the cache knows nothing
// the database has not just said.
//
// Memory is bounded by maxBytes (keys and values): entries live in two generations; when
// the current one holds half the budget it becomes the old one and the previous old one
// is dropped, and an entry found in the old generation moves to the current one. Recently
// read posts stay; the rest go, without a list to maintain on every read.
type postFragments struct {
	maxBytes int

	mu       sync.Mutex
	cur, old map[string]template.HTML
	curBytes int
}

// postFragmentBytes is the default budget: about 5,000 posts.
const postFragmentBytes = 8 << 20

func newPostFragments(maxBytes int) *postFragments {
	return &postFragments{maxBytes: maxBytes, cur: map[string]template.HTML{}, old: map[string]template.HTML{}}
}

// render returns the post's HTML in language lang from the cache, or renders it with
// set's "post" template and remembers it.
func (c *postFragments) render(set *template.Template, lang string, p postView) (template.HTML, error) {
	key := fragmentKey(lang, p)
	if html, ok := c.get(key); ok {
		return html, nil
	}
	var b strings.Builder
	if err := set.ExecuteTemplate(&b, "post", p); err != nil {
		return "", err
	}
	html := template.HTML(b.String())
	c.put(key, html)
	return html, nil
}

func (c *postFragments) get(key string) (template.HTML, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if html, ok := c.cur[key]; ok {
		return html, true
	}
	html, ok := c.old[key]
	if ok {
		delete(c.old, key)
		c.add(key, html)
	}
	return html, ok
}

func (c *postFragments) put(key string, html template.HTML) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.cur[key]; !ok {
		c.add(key, html)
	}
}

// add stores an entry in the current generation, turning generations over when it is
// full. The caller holds mu.
func (c *postFragments) add(key string, html template.HTML) {
	size := len(key) + len(html)
	if size > c.maxBytes/2 {
		return // larger than a generation: never kept
	}
	if c.curBytes+size > c.maxBytes/2 {
		c.old, c.cur, c.curBytes = c.cur, make(map[string]template.HTML, len(c.cur)), 0
	}
	c.cur[key] = html
	c.curBytes += size
}

// fragmentKey is every input of the "post" template for p on a page in language lang,
// each field preceded by its length so that no two different inputs give one key.
func fragmentKey(lang string, p postView) string {
	var b strings.Builder
	b.Grow(96 + len(p.Body) + len(p.Here))
	field := func(s string) {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
	}
	field(lang)
	field(p.Lang)
	field(strconv.FormatInt(p.ID, 10))
	field(p.Body)
	field(strconv.FormatInt(p.Timestamp.UnixNano(), 10))
	field(p.TranslateFrom())
	if p.Author != nil {
		field(p.Author.Username)
		field(p.Author.Email)
	} else {
		field("\x00no author")
	}
	if p.Mine {
		field("mine")
		field(p.Here)
	} else {
		field("")
	}
	return b.String()
}
