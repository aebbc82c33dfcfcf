package web

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
	"time"

	"github.com/microblog/microblog/internal/mail"
)

// Error e-mails are throttled so that a failure repeated by every request (or by an
// attacker) cannot flood the administrators: the first occurrence of an error is mailed
// at once; repeats within errorMailWindow are only counted, and one summary with their
// number is mailed when the window ends.
const (
	errorMailWindow = 5 * time.Minute
	// errorMailKinds bounds the distinct errors tracked at once; beyond it, new kinds
	// share one entry, so varied errors cannot grow memory or the number of e-mails.
	errorMailKinds = 50
	// errorMailQueueWait bounds the wait for the queue before an error e-mail is sent
	// directly: an unreachable database may hang rather than fail.
	errorMailQueueWait = 5 * time.Second
)

// errorMails remembers, per kind of error, when it was last mailed and how often it
// happened since.
type errorMails struct {
	mailer *mail.Sender
	to     []string
	log    *slog.Logger
	window time.Duration
	// enqueue queues an e-mail for the workers, who retry it until it is delivered; nil,
	// or when it fails (the database is down, often the very error being reported),
	// the e-mail is sent directly.
	enqueue func(context.Context, mail.Message) error

	mu    sync.Mutex
	kinds map[string]*errorKind
}

type errorKind struct {
	repeats int       // occurrences since the last e-mail
	since   time.Time // when the last e-mail went
	last    string    // the latest occurrence's report
}

func newErrorMails(mailer *mail.Sender, to []string, log *slog.Logger) *errorMails {
	return &errorMails{mailer: mailer, to: to, log: log, window: errorMailWindow, kinds: map[string]*errorKind{}}
}

// numbers are what varies between occurrences of one error (ids, counts, durations).
var numbers = regexp.MustCompile(`[0-9]+`)

// report mails an occurrence of an error now, or counts it for the summary. kind names
// the error (route and message); report is the text of this occurrence.
func (m *errorMails) report(kind, report string) {
	kind = numbers.ReplaceAllString(kind, "N")
	if len(kind) > 300 {
		kind = kind[:300]
	}
	now := time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	k, ok := m.kinds[kind]
	if !ok && len(m.kinds) >= errorMailKinds {
		kind = "(other errors)"
		k, ok = m.kinds[kind]
	}
	if !ok {
		// Every kind has a timer while it is known: at the end of the window it mails
		// the repeats, or forgets a kind that did not come back.
		k = &errorKind{since: now}
		time.AfterFunc(m.window, func() { m.flush(kind) })
		m.kinds[kind] = k
		go m.send("Microblog Failure", report)
		return
	}
	k.repeats++
	k.last = report
}

// flush mails the summary of an error's repeats, or forgets the error when it did not
// happen again.
func (m *errorMails) flush(kind string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := m.kinds[kind]
	if k == nil {
		return
	}
	if k.repeats == 0 {
		delete(m.kinds, kind)
		return
	}
	body := fmt.Sprintf("This error happened %d more time(s) since %s. The latest:\n\n%s",
		k.repeats, k.since.UTC().Format(time.RFC3339), k.last)
	subject := fmt.Sprintf("Microblog Failure (repeated %d times)", k.repeats)
	k.repeats, k.since, k.last = 0, time.Now(), ""
	// Forget the error if nothing more comes within a window.
	time.AfterFunc(m.window, func() { m.flush(kind) })
	go m.send(subject, body)
}

func (m *errorMails) send(subject, body string) {
	msg := mail.Message{To: m.to, Subject: subject, Text: body}
	if m.enqueue != nil {
		ctx, cancel := context.WithTimeout(context.Background(), errorMailQueueWait)
		err := m.enqueue(ctx, msg)
		cancel()
		if err == nil {
			return
		}
		m.log.Warn("error e-mail not queued; sending it directly", "err", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := m.mailer.SendMessage(ctx, msg); err != nil {
		m.log.Warn("error e-mail not sent", "err", err)
	}
}
