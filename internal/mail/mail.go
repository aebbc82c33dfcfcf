// Package mail sends the application's e-mail through the SMTP server the configuration
// names (MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS, MAIL_USERNAME, MAIL_PASSWORD); the first of
// ADMINS is the sender, as in the tutorial.
package mail

import (
	"context"
	"errors"

	"github.com/microblog/microblog/internal/config"
)

// ErrNotConfigured is returned when MAIL_SERVER is not set.
var ErrNotConfigured = errors.New("mail: MAIL_SERVER is not set")

// Sender sends mail with one configuration.
type Sender struct {
	cfg *config.Config
	// observe, when set, learns the outcome of every delivery attempt (metrics).
	observe func(err error)
}

// New returns a sender for cfg.
func New(cfg *config.Config) *Sender { return &Sender{cfg: cfg} }

// Observe has f called with the outcome of every attempt to hand a message to the mail
// server (nil: accepted). Call it before the sender is shared.
func (s *Sender) Observe(f func(err error)) { s.observe = f }

// Configured reports whether a mail server is set.
func (s *Sender) Configured() bool { return s.cfg.MailServer != "" }

// Send sends a plain-text message.
func (s *Sender) Send(ctx context.Context, to []string, subject, body string) error {
	return s.SendMessage(ctx, Message{To: to, Subject: subject, Text: body})
}
