package web

import (
	"crypto/sha256"
	"html/template"
	"slices"
	"strconv"
	"strings"
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
// the database has not just said. The key kept is the SHA-256 of those inputs, as the
// page cache's is: 32 bytes where the inputs (the body among them) took about 175 of the
// seeded data set's 1.5 KB entries.
//
// Memory is bounded by maxBytes (keys and values), in two generations (see generations).
type postFragments struct {
	*generations[[sha256.Size]byte, template.HTML]
}

// postFragmentBytes is the default budget: about 11,000 posts of the seeded data set
// (1.3 KB each in English, 1.5 KB in Spanish or Portuguese), so that the first pages of a
// few hundred profiles stay rendered in the languages their readers read them in. At 8
// MB the benchmark's profile run (200 profiles' first pages, 5,000 posts, read in three
// languages) rendered many posts again on every visit: the two generations each hold
// half the budget (docs/performance.md, section 20).
const postFragmentBytes = 16 << 20

func newPostFragments(maxBytes int) *postFragments {
	return &postFragments{newGenerations(maxBytes, func(k [sha256.Size]byte, v template.HTML) int { return len(k) + len(v) })}
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

// fragmentKey is the SHA-256 of every input of the "post" template for p on a page in
// language lang, each field preceded by its length so that no two different inputs give
// one key.
func fragmentKey(lang string, p postView) [sha256.Size]byte {
	var b keyBuilder
	b.Grow(96 + len(p.Body) + len(p.Here))
	writeFragmentKey(&b, lang, p)
	return sha256.Sum256(b.buf)
}

// writeFragmentKey writes fragmentKey's fields to b.
func writeFragmentKey(b *keyBuilder, lang string, p postView) {
	b.field(lang)
	b.field(p.Lang)
	b.int(p.ID)
	b.field(p.Body)
	b.int(p.Timestamp.UnixNano())
	b.field(p.TranslateFrom())
	if p.Author != nil {
		b.field(p.Author.Username)
		b.field(p.Author.Email)
	} else {
		b.field("\x00no author")
	}
	if p.Mine {
		b.field("mine")
		b.field(p.Here)
	} else {
		b.field("")
	}
}

// keyBuilder writes a cache key as fields, each preceded by its length, so that no two
// different inputs give one key ("ab"+"c" and "a"+"bc" differ). A key short enough for
// a buffer on the stack is written with appendKeyField and appendKeyInt instead, which
// leave the buffer where it is (a method storing into b.buf makes it escape).
type keyBuilder struct{ buf []byte }

// Grow makes room for n more bytes.
func (b *keyBuilder) Grow(n int) { b.buf = slices.Grow(b.buf, n) }

func (b *keyBuilder) field(s string) { b.buf = appendKeyField(b.buf, s) }

// int writes n as the field of its decimal digits.
func (b *keyBuilder) int(n int64) { b.buf = appendKeyInt(b.buf, n) }

// appendKeyField appends s to a key as a field: its length, a colon, its bytes.
func appendKeyField(dst []byte, s string) []byte {
	dst = strconv.AppendInt(dst, int64(len(s)), 10)
	dst = append(dst, ':')
	return append(dst, s...)
}

// appendKeyInt appends n to a key as the field of its decimal digits.
func appendKeyInt(dst []byte, n int64) []byte {
	var num [20]byte
	digits := strconv.AppendInt(num[:0], n, 10)
	dst = strconv.AppendInt(dst, int64(len(digits)), 10)
	dst = append(dst, ':')
	return append(dst, digits...)
}
