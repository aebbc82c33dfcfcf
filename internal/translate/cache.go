package translate

import (
	"container/list"
	"context"
	"crypto/sha256"
	"sync"
)

// Cache is a Translator that remembers the translations of another, least recently
// used first out, within a number of entries and of bytes. Only successes are kept.
//
// It lives in memory, not in the database: translations can always be asked again, a
// process restart only costs calls, and a table would add a migration and a write per
// translation for a cache that is hit mostly within minutes of a post being shown.
type Cache struct {
	next                 Translator
	maxEntries, maxBytes int

	mu    sync.Mutex
	order *list.List // of *cacheEntry, most recently used first
	byKey map[[sha256.Size]byte]*list.Element
	bytes int
}

type cacheEntry struct {
	key  [sha256.Size]byte
	text string
}

// NewCache wraps next with a cache of at most maxEntries translations and maxBytes of
// translated text.
func NewCache(next Translator, maxEntries, maxBytes int) *Cache {
	return &Cache{next: next, maxEntries: maxEntries, maxBytes: maxBytes, order: list.New(), byKey: map[[sha256.Size]byte]*list.Element{}}
}

// cacheKey hashes the request: the cache holds no post text, only translations.
func cacheKey(text, from, to string) [sha256.Size]byte {
	h := sha256.New()
	h.Write([]byte(from))
	h.Write([]byte{0})
	h.Write([]byte(to))
	h.Write([]byte{0})
	h.Write([]byte(text))
	var k [sha256.Size]byte
	h.Sum(k[:0])
	return k
}

// Translate answers from the cache, or asks the wrapped Translator and keeps its answer.
func (c *Cache) Translate(ctx context.Context, text, from, to string) (string, error) {
	from, _ = normalized(from)
	to, _ = normalized(to)
	key := cacheKey(text, from, to)
	if s, ok := c.get(key); ok {
		return s, nil
	}
	s, err := c.next.Translate(ctx, text, from, to)
	if err != nil {
		return "", err
	}
	c.put(key, s)
	return s, nil
}

// normalized is Normalize keeping codes it refuses as they are (the wrapped Translator
// refuses them).
func normalized(code string) (string, bool) {
	if n, ok := Normalize(code); ok {
		return n, true
	}
	return code, false
}

func (c *Cache) get(key [sha256.Size]byte) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[key]
	if !ok {
		return "", false
	}
	c.order.MoveToFront(e)
	return e.Value.(*cacheEntry).text, true
}

func (c *Cache) put(key [sha256.Size]byte, text string) {
	if len(text) > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[key]; ok {
		c.bytes -= len(e.Value.(*cacheEntry).text)
		e.Value.(*cacheEntry).text = text
		c.bytes += len(text)
		c.order.MoveToFront(e)
	} else {
		c.byKey[key] = c.order.PushFront(&cacheEntry{key, text})
		c.bytes += len(text)
	}
	for c.order.Len() > c.maxEntries || c.bytes > c.maxBytes {
		last := c.order.Back()
		ent := last.Value.(*cacheEntry)
		c.order.Remove(last)
		delete(c.byKey, ent.key)
		c.bytes -= len(ent.text)
	}
}

// Len reports how many translations and bytes of translated text the cache holds.
func (c *Cache) Len() (entries, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len(), c.bytes
}
