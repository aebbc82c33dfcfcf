// Package mail sends the application's e-mail through the SMTP server the configuration
// names (MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS, MAIL_USERNAME, MAIL_PASSWORD); the first of
// ADMINS is the sender, as in the tutorial.
package mail

import (
	"context"
	"errors"
	"fmt"

	gomail "github.com/wneessen/go-mail"

	"github.com/microblog/microblog/internal/config"
)

// ErrNotConfigured is returned when MAIL_SERVER is not set.
var ErrNotConfigured = errors.New("mail: MAIL_SERVER is not set")

// Sender sends mail with one configuration.
type Sender struct {
	cfg *config.Config
}

// New returns a sender for cfg.
func New(cfg *config.Config) *Sender { return &Sender{cfg: cfg} }

// Configured reports whether a mail server is set.
func (s *Sender) Configured() bool { return s.cfg.MailServer != "" }

// Send sends a plain-text message.
func (s *Sender) Send(ctx context.Context, to []string, subject, body string) error {
	if !s.Configured() {
		return ErrNotConfigured
	}
	if len(s.cfg.Admins) == 0 {
		return errors.New("mail: ADMINS is empty, so there is no sender address")
	}
	m := gomail.NewMsg()
	if err := m.From(s.cfg.Admins[0]); err != nil {
		return fmt.Errorf("mail: from %q: %w", s.cfg.Admins[0], err)
	}
	if err := m.To(to...); err != nil {
		return fmt.Errorf("mail: to %v: %w", to, err)
	}
	m.Subject(subject)
	m.SetBodyString(gomail.TypeTextPlain, body)
	policy := gomail.NoTLS
	if s.cfg.MailUseTLS {
		policy = gomail.TLSMandatory
	}
	opts := []gomail.Option{gomail.WithPort(s.cfg.MailPort), gomail.WithTLSPolicy(policy)}
	if s.cfg.MailUsername != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain), gomail.WithUsername(s.cfg.MailUsername), gomail.WithPassword(s.cfg.MailPassword))
	}
	c, err := gomail.NewClient(s.cfg.MailServer, opts...)
	if err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		return fmt.Errorf("mail: send to %s:%d: %w", s.cfg.MailServer, s.cfg.MailPort, err)
	}
	return nil
}
