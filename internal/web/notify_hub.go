package web

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
)

// Timings of the notification streams (docs/notifications.md).
const (
	// hubPollInterval is how often the hub reads the notification table for the users
	// with an open stream: one query for all of them, whoever wrote the rows (this
	// process, a `microblog worker`, another `microblog run` behind the load balancer).
	hubPollInterval = time.Second
	// hubGrace is how long ids already seen are read again: a transaction may commit
	// a lower id after a higher one was seen (PostgreSQL and MySQL hand out ids before
	// commit), and is still delivered if it commits within hubGrace.
	hubGrace = 10 * time.Second
	// hubQueryTimeout bounds one poll.
	hubQueryTimeout = 5 * time.Second
	// subscriberBuffer is how many notifications may wait for a slow stream; one that
	// falls further behind is ended, and its browser reconnects with Last-Event-ID.
	subscriberBuffer = 64
)

// hub delivers new notifications to the open notification streams of this process. It
// polls the notification table while at least one stream is open (a goroutine started by
// the first subscriber, ending with the last), at hubPollInterval or at once when woken
// by a write made in this process. close ends every stream, for the server's shutdown.
type hub struct {
	db       *database.DB
	log      *slog.Logger
	interval time.Duration
	grace    time.Duration

	mu      sync.Mutex
	byUser  map[int64]map[*subscriber]struct{}
	closed  bool
	running bool
	// low is the highest id seen by a poll at least grace ago: polls ask for ids above
	// it, and ids up to it are never delivered again.
	low int64
	// marks are the highest ids seen by recent polls, oldest first, for low.
	marks   []hubMark
	failing bool // the last poll failed (logged once per failing streak)

	wakeC  chan struct{}
	ctx    context.Context // cancelled by close
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

type hubMark struct {
	at time.Time
	id int64
}

// subscriber is one open stream: the hub sends it its user's notifications on ch, each
// once, and closes gone when it drops the stream. A stream resumed after an event id, or
// started at a time, gets nothing from before that.
type subscriber struct {
	userID  int64
	afterID int64
	since   float64
	ch      chan *models.Notification
	gone    chan struct{}

	mu      sync.Mutex
	sent    map[int64]struct{}
	dropped bool
}

func newHub(db *database.DB, log *slog.Logger) *hub {
	ctx, cancel := context.WithCancel(context.Background())
	return &hub{db: db, log: log, interval: hubPollInterval, grace: hubGrace,
		byUser: map[int64]map[*subscriber]struct{}{}, wakeC: make(chan struct{}, 1), ctx: ctx, cancel: cancel}
}

// subscribe opens a stream for userID that wants the notifications with an id above
// afterID and a timestamp after since, or returns nil when the hub is closed.
func (h *hub) subscribe(userID, afterID int64, since float64) *subscriber {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil
	}
	sub := &subscriber{userID: userID, afterID: afterID, since: since, ch: make(chan *models.Notification, subscriberBuffer), gone: make(chan struct{}), sent: map[int64]struct{}{}}
	if h.byUser[userID] == nil {
		h.byUser[userID] = map[*subscriber]struct{}{}
	}
	h.byUser[userID][sub] = struct{}{}
	if !h.running {
		h.running = true
		h.wg.Go(h.poll)
	}
	return sub
}

// unsubscribe removes a stream that ended.
func (h *hub) unsubscribe(sub *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.drop(sub)
}

// dropUser ends every stream of userID in this process at once (its account was
// deleted); streams in other processes end at their next heartbeat's session check.
func (h *hub) dropUser(userID int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for sub := range h.byUser[userID] {
		h.drop(sub)
	}
}

// drop removes sub and closes its gone channel; h.mu is held.
func (h *hub) drop(sub *subscriber) {
	if subs := h.byUser[sub.userID]; subs != nil {
		delete(subs, sub)
		if len(subs) == 0 {
			delete(h.byUser, sub.userID)
		}
	}
	sub.mu.Lock()
	defer sub.mu.Unlock()
	if !sub.dropped {
		sub.dropped = true
		close(sub.gone)
	}
}

// wake makes the hub poll now: a notification was just committed in this process.
func (h *hub) wake() {
	select {
	case h.wakeC <- struct{}{}:
	default:
	}
}

// close ends every stream and the poller, and refuses new streams. It is the server's
// shutdown hook: open streams would otherwise hold the graceful shutdown until it times
// out.
func (h *hub) close() {
	h.mu.Lock()
	h.closed = true
	for _, subs := range h.byUser {
		for sub := range subs {
			h.drop(sub)
		}
	}
	h.mu.Unlock()
	h.cancel()
	h.wg.Wait()
}

// poll reads new notifications until no stream is open or the hub closes.
func (h *hub) poll() {
	t := time.NewTicker(h.interval)
	defer t.Stop()
	for {
		h.pollOnce()
		h.mu.Lock()
		if len(h.byUser) == 0 || h.closed {
			h.running = false
			h.mu.Unlock()
			return
		}
		h.mu.Unlock()
		select {
		case <-h.ctx.Done():
			h.mu.Lock()
			h.running = false
			h.mu.Unlock()
			return
		case <-t.C:
		case <-h.wakeC:
		}
	}
}

// pollOnce runs one query for every user with an open stream and hands each row to
// that user's streams that have not had it.
func (h *hub) pollOnce() {
	h.mu.Lock()
	users := slices.Collect(maps.Keys(h.byUser))
	low := h.low
	h.mu.Unlock()
	if len(users) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(h.ctx, hubQueryTimeout)
	defer cancel()
	rows, err := store.NotificationsAfter(ctx, h.db, users, low)
	if err != nil {
		if h.ctx.Err() == nil && !h.failing {
			h.log.Warn("notification streams: poll failed; retrying", "err", err)
		}
		h.failing = h.ctx.Err() == nil
		return
	}
	if h.failing {
		h.log.Info("notification streams: polling again")
		h.failing = false
	}
	now := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	high := low
	if n := len(h.marks); n > 0 {
		high = max(high, h.marks[n-1].id)
	}
	for _, n := range rows {
		high = max(high, n.ID)
		for sub := range h.byUser[n.UserID] {
			if !sub.offer(n) {
				h.log.Warn("notification stream too slow; ended", "user_id", sub.userID)
				h.drop(sub)
			}
		}
	}
	h.marks = append(h.marks, hubMark{now, high})
	i := 0
	for i < len(h.marks)-1 && now.Sub(h.marks[i+1].at) >= h.grace {
		i++
	}
	if now.Sub(h.marks[i].at) >= h.grace {
		h.low = max(h.low, h.marks[i].id)
	}
	h.marks = h.marks[i:]
	for _, subs := range h.byUser {
		for sub := range subs {
			sub.forget(h.low)
		}
	}
}

// claim reports whether n is new to this stream, and records it as sent.
func (s *subscriber) claim(n *models.Notification) bool {
	if n.ID <= s.afterID || n.Timestamp <= s.since {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sent[n.ID]; ok {
		return false
	}
	s.sent[n.ID] = struct{}{}
	return true
}

// offer queues n for the stream unless it had it; false when the stream's buffer is full.
func (s *subscriber) offer(n *models.Notification) bool {
	if !s.claim(n) {
		return true
	}
	select {
	case s.ch <- n:
		return true
	default:
		return false
	}
}

// forget drops the record of ids up to low, which the hub never reads again.
func (s *subscriber) forget(low int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	maps.DeleteFunc(s.sent, func(id int64, _ struct{}) bool { return id <= low })
}
