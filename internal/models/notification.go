package models

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Notification is an event for one user's browser to pick up, such as the unread message
// count or a task's progress (table "notification", chapter 21). Timestamp is seconds
// since the Unix epoch, as the tutorial's time.time(); PayloadJSON holds the event's data
// as JSON text.
type Notification struct {
	bun.BaseModel `bun:"table:notification,alias:n"`

	ID          int64   `bun:"id,pk,autoincrement"`
	Name        string  `bun:"name,type:varchar(128),notnull" migrate:"index"`
	UserID      int64   `bun:"user_id,notnull" migrate:"index"`
	Timestamp   float64 `bun:"timestamp,notnull" migrate:"index"`
	PayloadJSON string  `bun:"payload_json,type:text,notnull"`

	User *User `bun:"rel:belongs-to,join:user_id=id"`
}

// String prints the notification as <Notification name>.
func (n Notification) String() string {
	return "<Notification " + n.Name + ">"
}

// Data decodes the payload into v, as the tutorial's get_data() does.
func (n *Notification) Data(v any) error {
	if err := json.Unmarshal([]byte(n.PayloadJSON), v); err != nil {
		return fmt.Errorf("notification %d: payload: %w", n.ID, err)
	}
	return nil
}

var _ bun.BeforeAppendModelHook = (*Notification)(nil)

// BeforeAppendModel gives a new notification the current time when it has none.
func (n *Notification) BeforeAppendModel(_ context.Context, q bun.Query) error {
	if _, ok := q.(*bun.InsertQuery); ok && n.Timestamp == 0 {
		n.Timestamp = float64(time.Now().UnixMicro()) / 1e6
	}
	return nil
}
