// Package tasks holds microblog's background jobs — the tutorial's app/tasks.py: sending
// an e-mail and exporting a user's posts — and the helpers that enqueue them. The jobs
// run on whichever queue package jobs chose; each handler is safe to run more than once
// for the same job (delivery is at least once).
package tasks

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/i18n"
	"github.com/microblog/microblog/internal/jobs"
	"github.com/microblog/microblog/internal/mail"
)

// Deps are what the handlers use.
type Deps struct {
	DB    *database.DB
	Cfg   *config.Config
	Log   *slog.Logger
	Mail  *mail.Sender
	Queue jobs.Queue
	// ExportBatchSize is how many posts an export reads per query (0:
	// DefaultExportBatchSize).
	ExportBatchSize int
	// ExportPause is for tests only, and 0 otherwise: a wait after each batch of an
	// export, so that a test can stop a worker in the middle of one.
	ExportPause time.Duration

	// The e-mail templates and catalogs, parsed at the first e-mail.
	mailsOnce sync.Once
	mails     *mail.Templates
	catalogs  *i18n.Catalogs
	mailsErr  error
}

// mailTemplates parses the jobs' e-mail templates in every language, once.
func (d *Deps) mailTemplates() (*mail.Templates, *i18n.Catalogs, error) {
	d.mailsOnce.Do(func() {
		if d.catalogs, d.mailsErr = i18n.Load(); d.mailsErr == nil {
			d.mails, d.mailsErr = mail.ParseTemplates(mailFS, "templates/*", d.catalogs)
		}
	})
	return d.mails, d.catalogs, d.mailsErr
}

// Handlers returns the handler of every job kind.
func Handlers(d *Deps) jobs.Handlers {
	return jobs.Handlers{
		jobs.KindSendEmail:   d.sendEmail,
		jobs.KindExportPosts: d.exportPosts,
	}
}

// SendEmail enqueues m as part of tx: it is sent (and retried until delivered) if and
// only if tx commits.
func SendEmail(ctx context.Context, q jobs.Queue, tx *sql.Tx, m mail.Message) error {
	if err := q.Enqueue(ctx, tx, jobs.Job{Kind: jobs.KindSendEmail, Args: m}); err != nil {
		return fmt.Errorf("tasks: queue e-mail %q: %w", m.Subject, err)
	}
	return nil
}

// sendEmail delivers one queued e-mail. Without a mail server there is nothing to retry:
// the e-mail is dropped with a log line, as the tutorial's app does.
func (d *Deps) sendEmail(ctx context.Context, run *jobs.Run) error {
	var m mail.Message
	if err := run.Decode(&m); err != nil {
		return jobs.Permanent(err)
	}
	if m.ID == "" {
		m.ID = fmt.Sprintf("%s-%s@microblog", run.Kind, run.ID)
	}
	if !d.Mail.Configured() {
		if d.Cfg != nil && d.Cfg.Env == config.Development {
			// A developer without a mail server still gets the reset link.
			d.Log.Warn("e-mail not sent: MAIL_SERVER is not set; its text in development only", "subject", m.Subject, "to", m.To, "job", run.ID, "text", m.Text)
			return nil
		}
		d.Log.Warn("e-mail not sent: MAIL_SERVER is not set", "subject", m.Subject, "to", m.To, "job", run.ID)
		return nil
	}
	if err := d.Mail.SendMessage(ctx, m); err != nil {
		d.Log.Warn("e-mail not sent; will retry", "subject", m.Subject, "attempt", run.Attempt, "of", run.MaxAttempts, "err", err, "job", run.ID)
		return err
	}
	d.Log.Info("e-mail sent", "subject", m.Subject, "to", m.To, "job", run.ID, "attempt", run.Attempt)
	return nil
}
