package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	gomail "github.com/wneessen/go-mail"
)

// Message is one e-mail: a plain-text body, an optional HTML alternative and
// attachments. It marshals to JSON, so a queued e-mail job carries it whole.
type Message struct {
	To          []string     `json:"to"`
	Subject     string       `json:"subject"`
	Text        string       `json:"text"`
	HTML        string       `json:"html,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
	// ID, when set, is the Message-ID header (without angle brackets), the same for
	// every attempt at sending, so that a receiver can recognise a repeat delivery.
	ID string `json:"id,omitempty"`
}

// Attachment is a file attached to a Message.
type Attachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Data        []byte `json:"data"`
}

// SendMessage sends m from the first of ADMINS through the configured server.
func (s *Sender) SendMessage(ctx context.Context, m Message) error {
	if !s.Configured() {
		return ErrNotConfigured
	}
	if len(s.cfg.Admins) == 0 {
		return errors.New("mail: ADMINS is empty, so there is no sender address")
	}
	g := gomail.NewMsg()
	if err := g.From(s.cfg.Admins[0]); err != nil {
		return fmt.Errorf("mail: from %q: %w", s.cfg.Admins[0], err)
	}
	if err := g.To(m.To...); err != nil {
		return fmt.Errorf("mail: to %v: %w", m.To, err)
	}
	if m.ID != "" {
		g.SetMessageIDWithValue(m.ID)
	}
	g.Subject(m.Subject)
	g.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		g.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	for _, a := range m.Attachments {
		if err := g.AttachReader(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(a.ContentType))); err != nil {
			return fmt.Errorf("mail: attach %s: %w", a.Name, err)
		}
	}
	err := s.deliver(ctx, g)
	if s.observe != nil {
		s.observe(err)
	}
	return err
}

// deliver sends g through the configured server.
func (s *Sender) deliver(ctx context.Context, g *gomail.Msg) error {
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
	if err := c.DialAndSendWithContext(ctx, g); err != nil {
		return fmt.Errorf("mail: send to %s:%d: %w", s.cfg.MailServer, s.cfg.MailPort, err)
	}
	return nil
}
