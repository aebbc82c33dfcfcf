package models

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Message is a private message from one user to another (table "message", chapter 21).
type Message struct {
	bun.BaseModel `bun:"table:message,alias:m" migrate:"index:ix_message_recipient_id_timestamp(recipient_id,timestamp)"`

	ID          int64     `bun:"id,pk,autoincrement"`
	SenderID    int64     `bun:"sender_id,notnull" migrate:"index"`
	RecipientID int64     `bun:"recipient_id,notnull" migrate:"index"`
	Body        string    `bun:"body,type:varchar(140),notnull"`
	Timestamp   time.Time `bun:"timestamp,notnull" migrate:"index"`

	Author    *User `bun:"rel:belongs-to,join:sender_id=id"`
	Recipient *User `bun:"rel:belongs-to,join:recipient_id=id"`
}

// String prints the message as the tutorial's __repr__ does: <Message hello>.
func (m Message) String() string {
	return "<Message " + m.Body + ">"
}

var _ bun.BeforeAppendModelHook = (*Message)(nil)

// BeforeAppendModel gives a new message the current UTC time when it has none.
func (m *Message) BeforeAppendModel(_ context.Context, q bun.Query) error {
	if _, ok := q.(*bun.InsertQuery); ok && m.Timestamp.IsZero() {
		m.Timestamp = time.Now().UTC()
	}
	return nil
}
