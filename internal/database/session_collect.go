package database

import (
	"runtime"
	"time"
)

// collectFirst is the scan time after which a session first asks for a collection,
// before it knows what one costs.
const collectFirst = time.Millisecond

// collector decides when a long-lived session asks the garbage collector to clear the
// objects the program dropped.
//
// Why: every flush checks each tracked object for changes, because Go cannot see field
// assignments, and an object the program dropped leaves the (weak) identity map only when
// the collector runs. A program that allocates little between commits (a script adding
// one row per commit, the tutorial's db.session) runs the collector rarely, and each
// commit then checks hundreds of dead objects, ever more the less the program
// allocates. So the session counts the time its flushes spend checking since the last
// collection, and once that exceeds what a collection it asked for last took, it asks
// for one (runtime.GC, after a commit, with no transaction open): the rent-or-buy rule,
// which spends at most about as much on collections as on the checks they save. When a
// collection frees few tracked objects (the program keeps them), the next one waits
// twice as long, so a session over live objects soon stops asking.
type collector struct {
	spent   time.Duration // checking tracked objects since the last collection
	cost    time.Duration // what the last requested collection took, 0 before any
	backoff int           // multiplies cost while collections free little
	// What the session spent in all, for BenchmarkSessionRatio: checking tracked objects,
	// and in the collections it asked for (collections, their number).
	scans, collecting time.Duration
	collections       int
}

// scanned records a check of tracked objects that took d; dropped says it found objects
// the collector had cleared, so a collection ran since the last check.
func (c *collector) scanned(d time.Duration, dropped bool) {
	if dropped {
		c.spent = 0
	}
	c.spent += d
	c.scans += d
}

// due reports whether the checks since the last collection cost more than one.
func (c *collector) due() bool {
	limit := collectFirst
	if c.cost > 0 {
		limit = c.cost * time.Duration(max(c.backoff, 1))
	}
	return c.spent > limit
}

// maybeCollect runs a collection when due and forgets the tracked objects it cleared.
// It is called with no transaction open.
func (s *Session) maybeCollect() {
	c := &s.collector
	if !c.due() {
		return
	}
	start := time.Now()
	runtime.GC()
	c.cost = time.Since(start)
	c.collecting += c.cost
	c.collections++
	c.spent = 0
	before := s.tracked.len()
	if freed := s.tracked.prune(); freed*2 < before {
		c.backoff = min(max(c.backoff, 1)*2, 1<<20)
	} else {
		c.backoff = 1
	}
}
