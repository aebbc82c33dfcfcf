package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/microblog/microblog/internal/i18n"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
)

// Sending private messages is limited per sender: a person writing messages by hand
// sends a few a minute at most; a script sending the same text to every user is stopped
// after messagesPerSender in messageWindow.
const (
	messagesPerSender = 30
	messageWindow     = 10 * time.Minute
)

// messagesPage is the data of the messages template: received (/messages) or sent
// (/messages/sent) messages, one page of them.
type messagesPage struct {
	Heading  string
	Sent     bool
	Messages []*models.Message
	Pager
}

func (a *App) newMessageForm(r *http.Request, recipient string) formPage {
	return formPage{
		Heading: a.T(r, "Send Message to %s", recipient),
		Fields:  []*field{{Name: "message", Label: i18n.M("Message"), Type: "textarea", Max: 140, Required: true, Autofocus: true}},
		Submit:  i18n.M("Submit"),
	}
}

// recipient finds the user named in the path, or writes the 404 page.
func (a *App) recipient(w http.ResponseWriter, r *http.Request) (*models.User, bool) {
	u, err := store.UserByUsername(r.Context(), dbSession(r), r.PathValue("recipient"))
	if errors.Is(err, store.ErrNoUser) {
		a.notFound(w, r)
		return nil, false
	}
	if err != nil {
		a.serverError(w, r, err)
		return nil, false
	}
	return u, true
}

// refuseSelf sends a user who would write to themselves back to their profile with a
// flash: the tutorial only hides the link, we refuse the request too.
func (a *App) refuseSelf(w http.ResponseWriter, r *http.Request, u *models.User) bool {
	if u.ID != currentUser(r).ID {
		return false
	}
	a.flash(r, a.T(r, "You cannot send a message to yourself."))
	http.Redirect(w, r, userPath("/user/", u.Username), http.StatusFound)
	return true
}

func (a *App) sendMessageForm(w http.ResponseWriter, r *http.Request) {
	u, ok := a.recipient(w, r)
	if !ok || a.refuseSelf(w, r, u) {
		return
	}
	a.render(w, r, http.StatusOK, "form", i18n.M("Send Message"), a.newMessageForm(r, u.Username))
}

// sendMessage stores the message and the recipient's new unread count in one
// transaction (store.SendMessage), then wakes this process's notification streams.
func (a *App) sendMessage(w http.ResponseWriter, r *http.Request) {
	u, ok := a.recipient(w, r)
	if !ok || a.refuseSelf(w, r, u) {
		return
	}
	page := a.newMessageForm(r, u.Username)
	f := page.Fields[0]
	f.Value = value(r, "message")
	if !required(f) || !plainText(f, true) {
		a.render(w, r, http.StatusOK, "form", i18n.M("Send Message"), page)
		return
	}
	if utf8.RuneCountInString(f.Value) > 140 {
		f.Error = i18n.M("Field must be between 1 and 140 characters long.")
		a.render(w, r, http.StatusOK, "form", i18n.M("Send Message"), page)
		return
	}
	me := currentUser(r)
	// Counted before the transaction opens: the count has a transaction of its own, and
	// on SQLite a request must not wait for a second write while holding the first.
	if !a.allow(w, r, page, i18n.M("Send Message"), "message-send:"+strconv.FormatInt(me.ID, 10), a.messageLimit, messageWindow) {
		return
	}
	ctx, s := r.Context(), dbSession(r)
	_, _, err := store.SendMessage(ctx, s, me, u, f.Value)
	if err == nil {
		err = s.Commit(ctx)
	}
	if err != nil {
		a.serverError(w, r, fmt.Errorf("web: send message: %w", err))
		return
	}
	a.hub.wake()
	a.flash(r, a.T(r, "Your message has been sent."))
	http.Redirect(w, r, userPath("/user/", u.Username), http.StatusFound)
}

// messages shows the messages received, newest first, and marks as read those up to
// the newest one shown.
//
// It changes state on a GET, as the tutorial's does, but only in a way a GET may: the
// change is idempotent (the read time only moves forward, to the newest message the
// response itself shows, and nothing is written when it would not move), it is what
// viewing the page means, and the worst another site can do by sending the browser here
// is clear the unread badge of messages that the browser is then shown. A message that
// arrives while the page is built stays unread. Browser prefetches (Sec-Purpose or
// Purpose: prefetch) mark nothing, as nobody saw them.
func (a *App) messages(w http.ResponseWriter, r *http.Request) {
	ctx, s, me := r.Context(), dbSession(r), currentUser(r)
	p, err := a.messagePage(r, "/messages", func(limit, offset int) ([]*models.Message, error) {
		return store.ReceivedMessages(ctx, s, me, limit, offset)
	})
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if len(p.Messages) > 0 && !prefetch(r) {
		_, changed, err := store.MarkMessagesRead(ctx, s, me, p.Messages[0].Timestamp)
		if err == nil {
			err = s.Commit(ctx)
		}
		if err != nil {
			a.serverError(w, r, fmt.Errorf("web: mark messages read: %w", err))
			return
		}
		if changed {
			a.hub.wake()
		}
	}
	p.Heading = i18n.M("Messages")
	a.render(w, r, http.StatusOK, "messages", i18n.M("Messages"), p)
}

// sentMessages shows the messages the user sent, newest first.
func (a *App) sentMessages(w http.ResponseWriter, r *http.Request) {
	ctx, s, me := r.Context(), dbSession(r), currentUser(r)
	p, err := a.messagePage(r, "/messages/sent", func(limit, offset int) ([]*models.Message, error) {
		return store.SentMessages(ctx, s, me, limit, offset)
	})
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	p.Heading, p.Sent = i18n.M("Sent Messages"), true
	a.render(w, r, http.StatusOK, "messages", i18n.M("Sent Messages"), p)
}

// messagePage fetches the request's page of messages.
func (a *App) messagePage(r *http.Request, base string, fetch func(limit, offset int) ([]*models.Message, error)) (messagesPage, error) {
	msgs, pg, err := fetchPage(r, a.cfg.PostsPerPage, base, fetch)
	return messagesPage{Messages: msgs, Pager: pg}, err
}

// prefetch reports whether the browser asked for the page ahead of a visit.
func prefetch(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Sec-Purpose"), "prefetch") || r.Header.Get("Purpose") == "prefetch"
}
