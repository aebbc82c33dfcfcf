package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/i18n"
)

const (
	// retryAfter is what a 503 asks clients to wait: about how long a restarting
	// database server or a dropped network link takes to come back.
	retryAfter = 5 * time.Second
	// probeEvery is how often the database is tried during an outage, to notice its
	// return without waiting for traffic.
	probeEvery = 250 * time.Millisecond
	// probeTimeout bounds one try, so that a database that does not answer at all
	// (packets dropped) is tried again rather than waited for.
	probeTimeout = 5 * time.Second
)

// outage follows the database's outages, so that each one is logged twice (when it
// begins, with its cause, and when it ends, with its duration and how many requests were
// answered 503) instead of once per failed request. It is shared by concurrent requests.
type outage struct {
	log *slog.Logger
	db  *database.DB

	mu          sync.Mutex
	since       time.Time // when the current outage began; zero while the database answers
	refused     int       // requests answered 503 since then
	lastRefusal time.Time // when the latest refused request began
	ended       time.Time // when the last outage was found over
	probing     bool      // a goroutine is watching for the database's return
}

func newOutage(log *slog.Logger, db *database.DB) *outage { return &outage{log: log, db: db} }

// refuse records a request answered 503 because of err and reports whether it is the
// first of an outage, which it logs with the cause. Requests are placed in time by when
// they began: one that began before the database returned (or before the last outage
// was logged as over) and failed only afterwards, held up on a dead connection, neither
// keeps the outage open nor begins a new one.
func (o *outage) refuse(r *http.Request, err error) bool {
	started := requestStart(r)
	o.mu.Lock()
	o.refused++
	if o.since.IsZero() && started.Before(o.ended) {
		// A straggler of the outage just ended: counted, not logged again.
		o.mu.Unlock()
		o.log.Debug("request of the last outage failed after it ended", "err", err, "request_id", requestID(r))
		return false
	}
	if started.After(o.lastRefusal) {
		o.lastRefusal = started
	}
	began := o.since.IsZero()
	if began {
		o.since, o.refused = started, 1
	}
	if !o.probing {
		o.probing = true
		go o.watch()
	}
	o.mu.Unlock()
	if began {
		o.log.Error("database unavailable: answering 503 until it returns", "err", err,
			"method", r.Method, "path", r.URL.Path, "request_id", requestID(r))
	}
	return began
}

// covers reports whether err is part of an outage already logged, so that work done
// beside the request (saving its session, refunding a sign-in attempt) does not log
// the outage again for every request.
func (o *outage) covers(err error) bool {
	if !database.IsUnavailable(err) {
		return false
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return !o.since.IsZero()
}

// watch tries the database until it answers, then ends the outage. A request that
// failed while the successful try was under way (its connection attempt began before
// the database returned) keeps the outage open for one more try, so that the end is
// logged once and not followed at once by a new beginning.
func (o *outage) watch() {
	for {
		time.Sleep(probeEvery)
		tried := time.Now()
		err := o.probe()
		o.mu.Lock()
		if err != nil && !database.IsUnavailable(err) {
			// The try itself cannot run (the pool was closed at shutdown): stop; the
			// next refused request starts a new watch.
			o.probing = false
			o.mu.Unlock()
			return
		}
		if err == nil && o.lastRefusal.Before(tried) {
			down, refused := time.Since(o.since), o.refused
			o.since, o.refused, o.probing, o.ended = time.Time{}, 0, false, tried
			o.mu.Unlock()
			o.log.Info("database available again", "down_for", down.Round(time.Millisecond), "requests_refused", refused)
			return
		}
		o.mu.Unlock()
	}
}

// probe begins and rolls back a transaction: on a server this needs a working
// connection, and on SQLite (whose transactions take the write lock at BEGIN) it waits
// for a lock held by another process to be released.
func (o *outage) probe() error {
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	tx, err := o.db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("outage probe: %w", err)
	}
	if err := tx.Rollback(); err != nil {
		return fmt.Errorf("outage probe: %w", err)
	}
	return nil
}

// unavailable answers a request that failed because the database cannot be reached:
// 503 with Retry-After and a page saying so. Only the first request of an outage is
// logged, and mailed to the administrators.
func (a *App) unavailable(w http.ResponseWriter, r *http.Request, err error) {
	if a.outage.refuse(r, err) {
		a.mailError(fmt.Errorf("database unavailable (the first failed request of an outage; later ones are not mailed): %w", err), r)
	}
	page := errorPage{Heading: i18n.M("Microblog is briefly unavailable"), Lines: []string{i18n.M("Please try again in a moment.")}}
	if r.Method == http.MethodPost {
		// A write whose COMMIT was sent as the connection failed may have been stored:
		// the app cannot know, so it does not say that it failed.
		page.Lines = append(page.Lines, i18n.M("If you were sending something, it may not have been saved: check before sending it again."))
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(retryAfter.Seconds())))
	a.render(w, r, http.StatusServiceUnavailable, "error", i18n.M("Briefly unavailable"), page)
}
