package database

import "weak"

// trackSet is a session's identity map: the persistent objects it tracks, each under a
// weak pointer, so that the session never keeps an object alive, with its values as last
// read or written.
//
// Every flush walks all of it (Go cannot see field assignments, so each object is
// compared with its snapshot), and in a long-lived session that writes one row per
// commit most entries are objects the program has already dropped, checked until a
// collection clears them. The entries therefore lie in a slice, which a walk reads in
// order, and a map only finds an object's place: over 1,000 tracked users, walking a map
// and resolving its weak pointers took 14.7 ns an entry against 6.1 ns for the slice, and
// a flush's whole check of an unchanged user 19.3 ns (BenchmarkTrackSetWalk).
type trackSet struct {
	at   map[weak.Pointer[byte]]int // the entry's index in list
	list []trackEntry
}

type trackEntry struct {
	key weak.Pointer[byte]
	tr  *tracked
}

func newTrackSet() trackSet {
	return trackSet{at: make(map[weak.Pointer[byte]]int)}
}

func (t *trackSet) len() int { return len(t.list) }

func (t *trackSet) get(k weak.Pointer[byte]) (*tracked, bool) {
	i, ok := t.at[k]
	if !ok {
		return nil, false
	}
	return t.list[i].tr, true
}

// put tracks k with tr, replacing what it held.
func (t *trackSet) put(k weak.Pointer[byte], tr *tracked) {
	if i, ok := t.at[k]; ok {
		t.list[i].tr = tr
		return
	}
	t.at[k] = len(t.list)
	t.list = append(t.list, trackEntry{key: k, tr: tr})
}

// remove forgets k, if tracked.
func (t *trackSet) remove(k weak.Pointer[byte]) {
	if i, ok := t.at[k]; ok {
		t.removeAt(i)
	}
}

// removeAt forgets the entry at index i by moving the last entry into its place.
func (t *trackSet) removeAt(i int) {
	delete(t.at, t.list[i].key)
	last := len(t.list) - 1
	if i != last {
		t.list[i] = t.list[last]
		t.at[t.list[i].key] = i
	}
	t.list[last] = trackEntry{}
	t.list = t.list[:last]
}

// prune forgets the entries whose objects the collector has cleared and reports how
// many it forgot.
func (t *trackSet) prune() int {
	n := 0
	for i := 0; i < len(t.list); {
		if t.list[i].key.Value() == nil {
			t.removeAt(i)
			n++
			continue
		}
		i++
	}
	return n
}
