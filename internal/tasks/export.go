package tasks

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/i18n"
	"github.com/microblog/microblog/internal/jobs"
	"github.com/microblog/microblog/internal/mail"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
)

// ExportDescription is the description of an export task, shown while it runs; like
// ExportSubject, a message id of the catalogs, translated when shown.
const ExportDescription = "Exporting posts..."

// ExportSubject is the subject of the e-mail that carries an export.
const ExportSubject = "[Microblog] Your blog posts"

// ExportMaxAttempts bounds the attempts at one export: a few retries a few minutes
// apart (1 s, 16 s, 81 s, 256 s) ride out a database restart, and the user, who sees no
// export link while the task is incomplete, is not kept waiting for days.
const ExportMaxAttempts = 5

// DefaultExportBatchSize is how many posts an export reads per query.
const DefaultExportBatchSize = 1000

// Progress is pushed to the browser when it moved by progressStep points or after
// progressEvery, whichever comes first, so that a big export writes a dozen
// notifications, not one per batch.
const (
	progressStep  = 10
	progressEvery = 250 * time.Millisecond
)

// ExportArgs are an export_posts job's arguments.
type ExportArgs struct {
	TaskID string `json:"task_id"`
	UserID int64  `json:"user_id"`
	// Lang is the language the export was asked for in (a catalog code such as es), for
	// the e-mail of a user who never chose one.
	Lang string `json:"lang,omitempty"`
}

//go:embed templates/export_posts.txt templates/export_posts.html
var mailFS embed.FS

// exportMail is the export e-mail in the user's language: the one they chose, else the
// one they asked in (the page's language when they asked for the export), else English.
func (d *Deps) exportMail(user *models.User, asked string, posts []byte) (mail.Message, error) {
	t, cat, err := d.mailTemplates()
	if err != nil {
		return mail.Message{}, err
	}
	lang := i18n.Default
	if l, ok := i18n.Lookup(asked); ok {
		lang = l
	}
	if user.Language != nil {
		if l, ok := i18n.Lookup(*user.Language); ok {
			lang = l
		}
	}
	msg, err := t.Message(lang, "export_posts", cat.Localizer(lang).T(ExportSubject), []string{user.Email}, user)
	if err != nil {
		return mail.Message{}, fmt.Errorf("tasks: export: %w", err)
	}
	msg.Attachments = []mail.Attachment{{Name: "posts.json", ContentType: "application/json", Data: posts}}
	return msg, nil
}

// LaunchExport starts exporting user userID's posts, as part of the session's
// transaction: it records the task ("Exporting posts..."), a task_progress notification
// at 0 and the export_posts job, so that all three exist if and only if the caller
// commits. It returns store.ErrTaskInProgress (wrapped) when an export of the user's
// is still incomplete; two calls at once record one task between them.
func LaunchExport(ctx context.Context, q jobs.Queue, s *database.Session, userID int64, lang string) (*models.Task, error) {
	t, err := store.LaunchTask(ctx, s, userID, jobs.KindExportPosts, i18n.M(ExportDescription))
	if err != nil {
		return nil, fmt.Errorf("tasks: export posts: %w", err)
	}
	if _, err := store.AddNotification(ctx, s, userID, store.NotificationTaskProgress, store.TaskProgressData{TaskID: t.ID}); err != nil {
		return nil, fmt.Errorf("tasks: export posts: %w", err)
	}
	tx, err := s.SQLTx(ctx)
	if err != nil {
		return nil, fmt.Errorf("tasks: export posts: %w", err)
	}
	job := jobs.Job{Kind: jobs.KindExportPosts, Args: ExportArgs{TaskID: t.ID, UserID: userID, Lang: lang}, MaxAttempts: ExportMaxAttempts}
	if err := q.Enqueue(ctx, tx, job); err != nil {
		return nil, fmt.Errorf("tasks: export posts: %w", err)
	}
	return t, nil
}

// exportPosts is the export_posts job: it writes the user's posts, oldest first, as
// posts.json ({"posts": [{"body", "timestamp"}, …]}, indented by four spaces, as the
// tutorial's json.dumps(…, indent=4)) and e-mails it to them.
//
// At least once, but one e-mail: the last step marks the task complete only if it is
// still incomplete, and queues the e-mail in that same transaction, so of several
// attempts (a retry, an attempt rescued from a dead worker while another still runs)
// exactly one sends it. When the last attempt fails, the task is marked complete all the
// same, so that the export link comes back, and the failure is logged.
func (d *Deps) exportPosts(ctx context.Context, run *jobs.Run) error {
	var args ExportArgs
	if err := run.Decode(&args); err != nil {
		d.Log.Error("export: bad job arguments; dropped", "job", run.ID, "err", err)
		return jobs.Permanent(err)
	}
	err := d.export(ctx, run, args)
	if err != nil && (jobs.IsPermanent(err) || run.Attempt >= run.MaxAttempts) {
		d.abandonExport(ctx, run, args, err)
	}
	return err
}

func (d *Deps) export(ctx context.Context, run *jobs.Run, args ExportArgs) error {
	s := d.DB.NewSession()
	defer s.Close()
	task, err := store.TaskByID(ctx, s, args.TaskID)
	if errors.Is(err, store.ErrNoTask) {
		return jobs.Permanent(fmt.Errorf("tasks: export: %w", err))
	}
	if err != nil {
		return fmt.Errorf("tasks: export: %w", err)
	}
	if task.Complete {
		d.Log.Info("export already done by an earlier attempt", "task", task.ID, "job", run.ID, "attempt", run.Attempt)
		return nil
	}
	if task.UserID != args.UserID || task.Name != jobs.KindExportPosts {
		return jobs.Permanent(fmt.Errorf("tasks: export: task %s is %s of user %d, not an export of user %d", task.ID, task.Name, task.UserID, args.UserID))
	}
	var user models.User
	if err := s.Get(ctx, &user, args.UserID); errors.Is(err, database.ErrNotFound) {
		return jobs.Permanent(fmt.Errorf("tasks: export: user %d: %w", args.UserID, err))
	} else if err != nil {
		return fmt.Errorf("tasks: export: user %d: %w", args.UserID, err)
	}
	start := time.Now()
	data, count, err := d.writePosts(ctx, s, task, user.ID)
	if err != nil {
		return err
	}
	sent, err := d.finishExport(ctx, task, &user, args.Lang, data)
	if err != nil {
		return err
	}
	if !sent {
		d.Log.Info("export finished by another attempt; no second e-mail", "task", task.ID, "job", run.ID, "attempt", run.Attempt)
		return nil
	}
	d.Log.Info("export done; e-mail queued", "task", task.ID, "user", user.ID, "posts", count, "bytes", len(data),
		"duration_ms", time.Since(start).Milliseconds(), "job", run.ID, "attempt", run.Attempt)
	return nil
}

// writePosts reads the user's posts in batches, oldest first, and returns posts.json and
// the number of posts in it, pushing progress as it goes.
func (d *Deps) writePosts(ctx context.Context, s *database.Session, task *models.Task, userID int64) ([]byte, int, error) {
	total, err := store.CountUserPosts(ctx, s, userID)
	if err != nil {
		return nil, 0, fmt.Errorf("tasks: export: %w", err)
	}
	size := d.ExportBatchSize
	if size <= 0 {
		size = DefaultExportBatchSize
	}
	progress := progressReporter{d: d, userID: userID, taskID: task.ID, total: total, at: time.Now()}
	w := newPostsWriter(total)
	var after *models.Post
	for {
		batch, err := store.UserPostsAfter(ctx, s, userID, after, size)
		if err != nil {
			return nil, 0, fmt.Errorf("tasks: export: %w", err)
		}
		for _, p := range batch {
			w.add(p)
		}
		if len(batch) < size {
			break
		}
		after = batch[len(batch)-1]
		if err := progress.report(ctx, w.count); err != nil {
			return nil, 0, err
		}
		if d.ExportPause > 0 {
			select {
			case <-time.After(d.ExportPause):
			case <-ctx.Done():
				return nil, 0, fmt.Errorf("tasks: export: %w", ctx.Err())
			}
		}
	}
	return w.close(), w.count, nil
}

// finishExport marks the task complete, pushes progress 100 and queues the e-mail, in
// one transaction; it reports false, and does nothing, when the task was complete
// already.
func (d *Deps) finishExport(ctx context.Context, task *models.Task, user *models.User, lang string, data []byte) (bool, error) {
	msg, err := d.exportMail(user, lang, data)
	if err != nil {
		return false, err
	}
	s := d.DB.NewSession()
	defer s.Close()
	done, err := store.CompleteTask(ctx, s, task.ID, user.ID)
	if err != nil || !done {
		s.Rollback(ctx)
		if err != nil {
			return false, fmt.Errorf("tasks: export: %w", err)
		}
		return false, nil
	}
	if _, err := store.AddNotification(ctx, s, user.ID, store.NotificationTaskProgress, store.TaskProgressData{TaskID: task.ID, Progress: 100}); err != nil {
		s.Rollback(ctx)
		return false, fmt.Errorf("tasks: export: %w", err)
	}
	tx, err := s.SQLTx(ctx)
	if err == nil {
		err = SendEmail(ctx, d.Queue, tx, msg)
	}
	if err == nil {
		err = s.Commit(ctx)
	}
	if err != nil {
		s.Rollback(ctx)
		return false, fmt.Errorf("tasks: export: finish task %s: %w", task.ID, err)
	}
	return true, nil
}

// abandonExport ends an export whose last attempt failed: the task is marked complete
// (so that the profile offers the export again) with progress 100, and the failure is
// logged for the administrators. It runs even when ctx is cancelled. A task id that
// belongs to another user than the arguments say is left alone.
func (d *Deps) abandonExport(ctx context.Context, run *jobs.Run, args ExportArgs, cause error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	d.Log.Error("export failed; giving up", "task", args.TaskID, "user", args.UserID, "job", run.ID,
		"attempt", run.Attempt, "of", run.MaxAttempts, "err", cause)
	s := d.DB.NewSession()
	defer s.Close()
	done, err := store.CompleteTask(ctx, s, args.TaskID, args.UserID)
	if err == nil && done {
		_, err = store.AddNotification(ctx, s, args.UserID, store.NotificationTaskProgress, store.TaskProgressData{TaskID: args.TaskID, Progress: 100})
	}
	if err == nil {
		err = s.Commit(ctx)
	}
	if err != nil {
		s.Rollback(ctx)
		d.Log.Error("export: could not mark the failed task complete", "task", args.TaskID, "err", err)
	}
}

// progressReporter pushes an export's progress as task_progress notifications.
type progressReporter struct {
	d      *Deps
	userID int64
	taskID string
	total  int
	last   int       // the last percentage pushed (the launch pushed 0)
	at     time.Time // when it was pushed
}

// report pushes done/total as a percentage below 100 (100 comes with the e-mail), when
// it moved enough or long enough ago.
func (p *progressReporter) report(ctx context.Context, done int) error {
	pct := 0
	if p.total > 0 {
		pct = min(99, done*100/p.total)
	}
	if pct <= p.last || (pct < p.last+progressStep && time.Since(p.at) < progressEvery) {
		return nil
	}
	s := p.d.DB.NewSession()
	defer s.Close()
	_, err := store.AddNotification(ctx, s, p.userID, store.NotificationTaskProgress, store.TaskProgressData{TaskID: p.taskID, Progress: pct})
	if err == nil {
		err = s.Commit(ctx)
	}
	if err != nil {
		s.Rollback(ctx)
		return fmt.Errorf("tasks: export: progress: %w", err)
	}
	p.last, p.at = pct, time.Now()
	return nil
}

// postsWriter writes posts.json as the tutorial's json.dumps({"posts": […]}, indent=4)
// does, one post at a time, without building the whole list first. Unlike Python's
// default, text outside ASCII is written as UTF-8 rather than \u escapes (the same
// JSON value, readable in an editor).
type postsWriter struct {
	buf   bytes.Buffer
	enc   *json.Encoder
	count int
}

func newPostsWriter(total int) *postsWriter {
	w := &postsWriter{}
	w.buf.Grow(64 + total*160)
	w.enc = json.NewEncoder(&w.buf)
	w.enc.SetEscapeHTML(false) // json.dumps leaves <, > and & alone
	w.buf.WriteString("{\n    \"posts\": [")
	return w
}

func (w *postsWriter) add(p *models.Post) {
	if w.count > 0 {
		w.buf.WriteByte(',')
	}
	w.buf.WriteString("\n        {\n            \"body\": ")
	w.enc.Encode(p.Body) // a string always encodes; Encode ends it with a newline
	w.buf.Truncate(w.buf.Len() - 1)
	w.buf.WriteString(",\n            \"timestamp\": \"")
	w.buf.WriteString(isoformat(p.Timestamp))
	w.buf.WriteString("Z\"\n        }")
	w.count++
}

func (w *postsWriter) close() []byte {
	if w.count > 0 {
		w.buf.WriteString("\n    ")
	}
	w.buf.WriteString("]\n}")
	return w.buf.Bytes()
}

// isoformat formats t in UTC as Python's datetime.isoformat() does for the naive UTC
// times the tutorial stores: seconds, and microseconds only when there are some.
func isoformat(t time.Time) string {
	t = t.UTC()
	s := t.Format("2006-01-02T15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		s += fmt.Sprintf(".%06d", us)
	}
	return s
}
