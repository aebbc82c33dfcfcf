package web

// Measures of a cache, for tests.

// bytes is what the cache holds now, as counted by size.
func (g *generations[K, V]) bytes() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, gen := range []map[K]V{g.cur, g.old} {
		for k, v := range gen {
			n += g.size(k, v)
		}
	}
	return n
}

// len is how many entries the cache holds.
func (g *generations[K, V]) len() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.cur) + len(g.old)
}
