package web

import "sync"

// generations is a bounded cache in two generations, for values that are never
// invalidated because their key is every input they were made from (rendered posts,
// rendered pages): a changed input gives another key, and the stale entry is merely never
// asked for again.
//
// Memory is bounded by maxBytes (as counted by size, keys and values): when the current
// generation holds half the budget it becomes the old one and the previous old one is
// dropped, and an entry found in the old generation moves to the current one. Recently
// read entries stay; the rest go, without a list to maintain on every read.
type generations[K comparable, V any] struct {
	maxBytes int
	size     func(K, V) int

	mu       sync.Mutex
	cur, old map[K]V
	curBytes int
}

func newGenerations[K comparable, V any](maxBytes int, size func(K, V) int) *generations[K, V] {
	return &generations[K, V]{maxBytes: maxBytes, size: size, cur: map[K]V{}, old: map[K]V{}}
}

// get returns the value stored under key, moving it to the current generation.
func (g *generations[K, V]) get(key K) (V, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if v, ok := g.cur[key]; ok {
		return v, true
	}
	v, ok := g.old[key]
	if ok {
		delete(g.old, key)
		g.add(key, v)
	}
	return v, ok
}

// put stores v under key unless the current generation has it already.
func (g *generations[K, V]) put(key K, v V) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.cur[key]; !ok {
		g.add(key, v)
	}
}

// replace stores v under key in place of whatever either generation holds under it.
func (g *generations[K, V]) replace(key K, v V) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if old, ok := g.cur[key]; ok {
		g.curBytes -= g.size(key, old)
		delete(g.cur, key)
	}
	delete(g.old, key)
	g.add(key, v)
}

// add stores an entry in the current generation, turning generations over when it is
// full. The caller holds mu.
func (g *generations[K, V]) add(key K, v V) {
	size := g.size(key, v)
	if size > g.maxBytes/2 {
		return // larger than a generation: never kept
	}
	if g.curBytes+size > g.maxBytes/2 {
		g.old, g.cur, g.curBytes = g.cur, make(map[K]V, len(g.cur)), 0
	}
	g.cur[key] = v
	g.curBytes += size
}
