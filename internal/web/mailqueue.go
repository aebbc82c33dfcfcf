package web

import (
	"context"
	"fmt"

	"github.com/microblog/microblog/internal/mail"
	"github.com/microblog/microblog/internal/tasks"
)

// enqueueMail queues m for the workers in a transaction of its own, for e-mails that
// belong to no request's transaction (error reports).
func (a *App) enqueueMail(ctx context.Context, m mail.Message) error {
	if a.queue == nil {
		return fmt.Errorf("web: queue e-mail %q: no job queue", m.Subject)
	}
	s := a.db.NewSession()
	defer s.Close()
	tx, err := s.SQLTx(ctx)
	if err != nil {
		return fmt.Errorf("web: queue e-mail %q: %w", m.Subject, err)
	}
	if err := tasks.SendEmail(ctx, a.queue, tx, m); err != nil {
		return err
	}
	if err := s.Commit(ctx); err != nil {
		return fmt.Errorf("web: queue e-mail %q: %w", m.Subject, err)
	}
	return nil
}
