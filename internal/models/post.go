package models

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Post is a short message written by a user (table "post").
type Post struct {
	bun.BaseModel `bun:"table:post,alias:p" migrate:"index:ix_post_user_id_timestamp_id(user_id,timestamp,id)"`

	ID        int64     `bun:"id,pk,autoincrement"`
	Body      string    `bun:"body,type:varchar(140),notnull"`
	Timestamp time.Time `bun:"timestamp,notnull" migrate:"index"`
	UserID    int64     `bun:"user_id,notnull" migrate:"index"`
	// Language is the language detected when the post was written (chapter 14): an
	// ISO 639-1 code, "" when detection failed, NULL for posts older than detection.
	Language *string `bun:"language,type:varchar(5)"`

	Author *User `bun:"rel:belongs-to,join:user_id=id"`
}

// String prints the post as the tutorial's __repr__ does: <Post my first post!>.
func (p Post) String() string {
	return "<Post " + p.Body + ">"
}

var _ bun.BeforeAppendModelHook = (*Post)(nil)

// BeforeAppendModel gives a new post the current UTC time when it has none, as the
// tutorial's default=lambda: datetime.now(timezone.utc) does.
func (p *Post) BeforeAppendModel(_ context.Context, q bun.Query) error {
	if _, ok := q.(*bun.InsertQuery); ok && p.Timestamp.IsZero() {
		p.Timestamp = time.Now().UTC()
	}
	return nil
}
