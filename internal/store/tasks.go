package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
)

// ErrTaskInProgress is returned by LaunchTask when the user already has an incomplete
// task of that name.
var ErrTaskInProgress = errors.New("a task of that name is in progress")

// ErrNoTask is returned when no task has the id asked for.
var ErrNoTask = errors.New("no such task")

// NotificationTaskProgress names the notification that carries a task's progress:
// {"task_id": "<id>", "progress": <0..100>}.
const NotificationTaskProgress = "task_progress"

// TaskProgressData is the payload of a task_progress notification.
type TaskProgressData struct {
	TaskID   string `json:"task_id"`
	Progress int    `json:"progress"`
}

// LaunchTask records a new task called name for user userID, as part of the session's
// transaction, unless one of that name is still incomplete (ErrTaskInProgress). The
// caller adds the job that does the work in the same transaction and commits.
//
// Two requests at once (a double click, two tabs) record one task between them on every
// dialect: the user's row is locked first (an UPDATE that changes nothing, the only row
// lock SQLite, PostgreSQL and MySQL all take the same way — SQLite takes its database
// write lock), so the second request waits for the first to commit, and the insert
// itself is conditional on no incomplete task existing, checked by the INSERT … SELECT
// statement, which sees the first request's committed row (PostgreSQL reads committed
// data per statement, MySQL's INSERT … SELECT reads current rows, SQLite writers run one
// at a time).
func LaunchTask(ctx context.Context, s *database.Session, userID int64, name, description string) (*models.Task, error) {
	// The lock's row count says nothing (MySQL counts changed rows, and none change); a
	// user that is gone makes the INSERT below write nothing.
	if _, err := s.NewRaw("UPDATE ? SET last_seen = last_seen WHERE id = ?", bun.Ident("user"), userID).Exec(ctx); err != nil {
		return nil, fmt.Errorf("store: launch task %s: lock user %d: %w", name, userID, err)
	}
	t := &models.Task{ID: NewTaskID(), Name: name, Description: &description, UserID: userID}
	res, err := s.NewRaw(`INSERT INTO task (id, name, description, user_id, complete)
SELECT ?, ?, ?, u.id, ? FROM ? AS u
WHERE u.id = ? AND NOT EXISTS (SELECT 1 FROM task AS t WHERE t.user_id = u.id AND t.name = ? AND t.complete = ?)`,
		t.ID, t.Name, description, false, bun.Ident("user"), userID, name, false).Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: launch task %s for user %d: %w", name, userID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, fmt.Errorf("store: launch task %s for user %d: %w", name, userID, err)
	}
	if n == 0 {
		return nil, fmt.Errorf("store: launch task %s for user %d: %w", name, userID, ErrTaskInProgress)
	}
	return t, nil
}

// NewTaskID returns a random (version 4) UUID in its 36-character text form, the id of
// a new task, as RQ's job ids were.
func NewTaskID() string { return uuid.NewString() }

// TaskInProgress reports whether user userID has an incomplete task called name (the
// tutorial's get_task_in_progress).
func TaskInProgress(ctx context.Context, s *database.Session, userID int64, name string) (bool, error) {
	ok, err := s.NewSelect().Model((*models.Task)(nil)).
		Where("t.user_id = ? AND t.complete = ? AND t.name = ?", userID, false, name).Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("store: task %s in progress for user %d: %w", name, userID, err)
	}
	return ok, nil
}

// TaskByID returns the task with the given id, or ErrNoTask.
func TaskByID(ctx context.Context, s *database.Session, id string) (*models.Task, error) {
	t := new(models.Task)
	err := s.NewSelect().Model(t).Where("t.id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: task %q: %w", id, ErrNoTask)
	}
	if err != nil {
		return nil, fmt.Errorf("store: task %q: %w", id, err)
	}
	return t, nil
}

// CompleteTask marks user userID's task complete as part of the session's transaction,
// if it is not complete already, and reports whether this call did it: of several
// attempts at one job (a retry, a job rescued from a dead worker) exactly one sees true.
func CompleteTask(ctx context.Context, s *database.Session, id string, userID int64) (bool, error) {
	res, err := s.NewUpdate().Model((*models.Task)(nil)).Set("complete = ?", true).
		Where("id = ? AND user_id = ? AND complete = ?", id, userID, false).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("store: complete task %q: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: complete task %q: %w", id, err)
	}
	return n > 0, nil
}

// TaskProgress is an incomplete task and its last reported progress in percent.
type TaskProgress struct {
	Task     *models.Task
	Progress int
}

// TasksInProgress lists user userID's incomplete tasks (the tutorial's
// get_tasks_in_progress) in a stable order, each with the progress of the user's latest
// task_progress notification about it (0 when there is none): one query, and a second
// only when there are tasks.
func TasksInProgress(ctx context.Context, s *database.Session, userID int64) ([]TaskProgress, error) {
	var tasks []*models.Task
	err := s.NewSelectBound(userID).Model(&tasks).Where("t.user_id = ? AND NOT t.complete", database.Param).
		Order("t.id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: tasks in progress for user %d: %w", userID, err)
	}
	if len(tasks) == 0 {
		return nil, nil
	}
	var notes []*models.Notification
	err = s.NewSelect().Model(&notes).Where("n.user_id = ? AND n.name = ?", userID, NotificationTaskProgress).
		Order("n.timestamp DESC", "n.id DESC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: task progress for user %d: %w", userID, err)
	}
	progress := map[string]int{}
	for _, n := range notes {
		var d TaskProgressData
		if n.Data(&d) != nil {
			continue // a payload we did not write; the task shows 0
		}
		if _, seen := progress[d.TaskID]; !seen {
			progress[d.TaskID] = d.Progress
		}
	}
	out := make([]TaskProgress, len(tasks))
	for i, t := range tasks {
		out[i] = TaskProgress{Task: t, Progress: progress[t.ID]}
	}
	return out, nil
}
