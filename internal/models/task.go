package models

import "github.com/uptrace/bun"

// Task is a background job launched by a user, such as exporting their posts (table
// "task", chapter 22). ID is the job's identifier (a UUID string).
type Task struct {
	bun.BaseModel `bun:"table:task,alias:t" migrate:"index:ix_task_user_id_complete(user_id,complete)"`

	ID          string  `bun:"id,pk,type:varchar(36)"`
	Name        string  `bun:"name,type:varchar(128),notnull" migrate:"index"`
	Description *string `bun:"description,type:varchar(128)"`
	UserID      int64   `bun:"user_id,notnull"`
	Complete    bool    `bun:"complete,notnull"`

	User *User `bun:"rel:belongs-to,join:user_id=id"`
}

// String prints the task as <Task name>.
func (t Task) String() string {
	return "<Task " + t.Name + ">"
}
