package web

import (
	"context"
	"net/http"
	"runtime"
	"strconv"
	"time"

	"github.com/microblog/microblog/internal/api"
)

// admission lets a bounded number of reads (GET and HEAD requests of pages and of the
// API) run at once; the others wait for a turn in arrival order, and one that waits
// longer than the queue timeout is answered 503 with Retry-After.
//
// Why: a page read is CPU work (SQL, templates, gzip) and holds a database connection
// for its length. With 50 of them running at once on 2 cores, none finishes sooner than
// with 8, but each holds a connection — SQLite's pool then opens and closes connections
// all the time, each with a cold page cache, and every rendering's memory is live at
// once — and the time of every answer stretches to that of the slowest
// (docs/performance.md, "Admission"). Writes (POST) are not queued here: SQLite's writer
// gate and the other databases' locks order them already, and a queued form post would
// only wait longer for the same lock. Static files, avatars, health probes and the
// notification stream (which lasts as long as its page is open) are outside it.
type admission struct {
	slots chan struct{}
	wait  time.Duration
}

// newAdmission admits n reads at once (0: four per CPU the process may use) and lets a
// read wait up to wait for its turn.
func newAdmission(n int, wait time.Duration) *admission {
	if n <= 0 {
		n = defaultActiveReads()
	}
	return &admission{slots: make(chan struct{}, n), wait: wait}
}

// defaultActiveReads is four reads per CPU: enough to keep every core busy while some
// reads wait for the database or the network, few enough to keep each one's latency
// close to its own work.
func defaultActiveReads() int { return max(4*runtime.GOMAXPROCS(0), 4) }

// size is how many reads run at once.
func (ad *admission) size() int { return cap(ad.slots) }

// enter waits for a turn; it returns false when the queue timeout passed or the
// request ended first (the client left).
func (ad *admission) enter(ctx context.Context) bool {
	select {
	case ad.slots <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(ad.wait)
	defer t.Stop()
	select {
	case ad.slots <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

func (ad *admission) leave() { <-ad.slots }

// admit runs next's reads through the admission queue; busy answers a read that waited
// too long.
func (a *App) admit(next http.Handler, busy func(http.ResponseWriter, *http.Request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		if !a.reads.enter(r.Context()) {
			if r.Context().Err() != nil {
				return // the client left while waiting; no one reads an answer
			}
			a.log.Warn("read refused: waited too long for its turn", "method", r.Method, "path", r.URL.Path,
				"active_reads", a.reads.size(), "waited", a.reads.wait)
			w.Header().Set("Retry-After", strconv.Itoa(busyRetryAfter))
			busy(w, r)
			return
		}
		defer a.reads.leave()
		next.ServeHTTP(w, r)
	})
}

// pageBusy is the answer to a page read refused by admission: a short page of its own,
// not the site's layout, whose rendering would cost what the queue is protecting.
func pageBusy(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusServiceUnavailable)
	w.Write([]byte("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Microblog is busy</title></head>" +
		"<body><h1>Microblog is busy</h1><p>Too many pages are being served right now. Please try again in a few seconds.</p></body></html>\n"))
}

// apiBusy is the API's answer to a read refused by admission, in its error format.
func apiBusy(w http.ResponseWriter, _ *http.Request) { api.Busy(w) }
