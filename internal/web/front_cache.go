package web

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/microblog/microblog/internal/cork"
	"github.com/microblog/microblog/internal/metrics"
)

// frontCache answers a signed-in reader's repeated read of a remembered page (home,
// Explore: see pageCache) before anything else runs — no session, user, timeline, unread
// count or template — as long as nothing at all has been committed to the database since
// the page was made. The page cache alone spares the rendering; this spares the reads.
//
// Whether nothing changed is database.DB.ChangeVersion's answer: on SQLite the WAL index
// header (and `PRAGMA data_version` when it moved), which moves after any commit by any
// connection or process, plain SQL included; on PostgreSQL the server's transaction
// snapshot; on MySQL/MariaDB the commits microblog's connections count (a write made
// there by anything else is not counted, so an entry is trusted for uncountedTrust at most).
//
// An entry is found under the request's inputs that reach the page — method, scheme,
// host, path and query, cookies (the session token, the language cookie), the accepted
// languages and encodings — and the database's version read before the request that
// made it read anything; it is served only while that version is still the database's.
// Time changes what a request does too, so an entry is also served only until the first
// moment its full request would have written or answered otherwise: the user's last_seen
// update (touch, once a minute), the session's idle-expiry refresh (refreshDue), and the
// session's end. A request that wrote anything, set a cookie, or showed a page the page
// cache does not keep leaves no entry.
type frontCache = generations[frontKey, *frontEntry]

type frontKey struct {
	request [sha256.Size]byte
	version uint64
}

// frontEntry is a page as its request answered it.
type frontEntry struct {
	until   time.Time // served before this moment only
	status  int
	header  http.Header
	gz      []byte
	pattern string // the route, for the metrics
}

// uncountedTrust is how long an entry is served at most where the change version does
// not see every writer (MySQL/MariaDB: database.DB.ChangeVersionSeesEveryWriter): that far
// behind can a page be after a write that microblog's connections did not count (the
// mariadb shell, another program). Under load a reader's page is made again this often.
const uncountedTrust = 2 * time.Second

// frontCacheBytes bounds the entries. Their bodies are the page cache's own slices, held
// twice only while both keep them.
const frontCacheBytes = 4 << 20

func newFrontCache(maxBytes int) *frontCache {
	return newGenerations(maxBytes, func(_ frontKey, e *frontEntry) int { return len(e.gz) + 512 })
}

// frontFill collects, along a request the front cache could not answer, what an entry
// needs: the page (from render), the session's and the user's limits in time. An entry is
// made only when all three came.
type frontFill struct {
	until   time.Time
	user    bool // the signed-in user was loaded, and needs no write yet
	session bool // the session was loaded, and needs no write yet
	entry   *frontEntry
}

type frontFillKey struct{}

func frontFillOf(ctx context.Context) *frontFill {
	f, _ := ctx.Value(frontFillKey{}).(*frontFill)
	return f
}

// limit brings the moment the entry must stop being served forward to t if earlier.
func (f *frontFill) limit(t time.Time) {
	if f.until.IsZero() || t.Before(f.until) {
		f.until = t
	}
}

// front is the middleware; next is everything the page requests go through.
func (a *App) front(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		request, ok := a.frontRequestKey(r)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		// Without a version (an in-memory SQLite database, a MySQL database whose
		// commits are not counted, or an error, which the full request will meet and
		// report) the page is read.
		version, ok, err := a.db.ChangeVersion(r.Context())
		if err != nil || !ok {
			next.ServeHTTP(w, r)
			return
		}
		key := frontKey{request, version}
		if e, ok := a.frontCache.get(key); ok && a.store.now().Before(e.until) && a.serveFront(w, r, e) {
			return
		}
		fill := &frontFill{}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), frontFillKey{}, fill)))
		if fill.entry == nil || !fill.user || !fill.session {
			return
		}
		h := w.Header()
		if _, cookie := h["Set-Cookie"]; cookie {
			return
		}
		if !a.db.ChangeVersionSeesEveryWriter() {
			fill.limit(a.store.now().Add(uncountedTrust))
		}
		fill.entry.until, fill.entry.header = fill.until, h.Clone()
		// In place of an entry past its time (the version unchanged): put would keep
		// that one, and the page would be read on every request from then on.
		a.frontCache.replace(key, fill.entry)
	})
}

// frontRequestKey is the key of a request's inputs, or ok false for a request the front
// cache never answers: anything but GET, a range, and a visitor without a signed-in
// session (the remembered pages all need one). A client without gzip is answered too,
// from the same compressed page, opened (the key holds Accept-Encoding, so its entries
// are its own).
func (a *App) frontRequestKey(r *http.Request) (key [sha256.Size]byte, ok bool) {
	if r.Method != http.MethodGet || r.Header.Get("Range") != "" {
		return key, false
	}
	if c, err := r.Cookie(a.sessions.Cookie.Name); err != nil || c.Value == "" || strings.HasPrefix(c.Value, anonymousCookiePrefix) {
		return key, false
	}
	// On a buffer on the stack while the request's fields fit in it.
	var buf [1024]byte
	b := appendKeyField(buf[:0], "front/1")
	b = appendKeyField(b, r.URL.Scheme)
	b = appendKeyField(b, strconv.FormatBool(r.TLS != nil))
	b = appendKeyField(b, r.Host)
	b = appendKeyField(b, r.URL.Path)
	b = appendKeyField(b, r.URL.RawQuery)
	for _, name := range [...]string{"Cookie", "Accept-Language", "Accept-Encoding"} {
		vs := r.Header.Values(name)
		b = appendKeyInt(b, int64(len(vs)))
		for _, v := range vs {
			b = appendKeyField(b, v)
		}
	}
	return sha256.Sum256(b), true
}

// serveFront answers from an entry, logged and counted as the full request would be,
// and reports whether it did: for a client without gzip the page is opened first, and
// one that would not open (nothing written) is left to the full request.
func (a *App) serveFront(w http.ResponseWriter, r *http.Request, e *frontEntry) bool {
	start := time.Now()
	body := e.gz
	if !wantsGzip(r) {
		plain, err := a.gzip.gunzip(e.gz)
		if err != nil {
			a.log.Error("front cache: a kept page would not open", "err", err, "route", e.pattern)
			return false
		}
		body = plain
	}
	metrics.Route(r, e.pattern)
	h := w.Header()
	for k, v := range e.header {
		h[k] = v // Clone's slices are capped: a later Add copies rather than share
	}
	// Logged before Send: where no cork.Handler is outermost (a server other than
	// internal/server's), Send hands the page to the client as it returns, and a reader
	// of the log must find the line once the client has the page.
	a.logRequest(r, e.status, start, newRequestID(), slog.String("cache", "front"))
	cork.Send(w, r, e.status, body)
	return true
}

// frontPage offers the page a request answered (status, compressed body) to the front
// cache; render calls it for pages the page cache keeps.
func frontPage(r *http.Request, status int, gz []byte) {
	if f := frontFillOf(r.Context()); f != nil {
		f.entry = &frontEntry{status: status, gz: gz, pattern: r.Pattern}
	}
}

// frontUser tells the front cache that the signed-in user was loaded and when the next
// visit must record last_seen (touch), which an answer from the cache would skip.
func frontUser(r *http.Request, lastSeen *time.Time) {
	f := frontFillOf(r.Context())
	if f == nil || lastSeen == nil {
		return
	}
	f.user = true
	f.limit(lastSeen.Add(lastSeenEvery))
}

// frontSession tells the front cache that the session needed no write and until when it
// will not: its end, and for a session without "Remember Me" the refresh of its idle
// expiry (refreshDue).
func frontSession(r *http.Request, row *sessionRow, remembered bool, deadline time.Time, idle time.Duration) {
	f := frontFillOf(r.Context())
	if f == nil || row == nil || !row.found {
		return
	}
	f.session = true
	f.limit(deadline)
	f.limit(row.expiry)
	if !remembered {
		f.limit(refreshFrom(row, idle))
	}
}
