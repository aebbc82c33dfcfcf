package models

import (
	"time"

	"github.com/uptrace/bun"
)

// TimelineState marks user UserID's home timeline as materialized (table
// "timeline_state"): while the row exists, table timeline holds every post of the
// user's feed (their own posts and those of the users they follow) from the newest down
// to the oldest entry it holds (docs/performance.md, section 1). Deleting the row drops
// the user's timeline entries with it (ON DELETE CASCADE), which is how a follow or an
// unfollow invalidates it; the next read builds it again.
//
// UserID is a BIGINT without a foreign key to user: the migration engine takes a lone
// INTEGER primary key on SQLite for the rowid (auto-increment), and MySQL/MariaDB refuse a
// foreign key between BIGINT and INT columns. store.DeleteAccount deletes the row with
// the account (TestDeleteAccountDeletesItsTimelineAndItsEntries).
type TimelineState struct {
	bun.BaseModel `bun:"table:timeline_state,alias:ts"`

	UserID int64 `bun:"user_id,pk,type:bigint"`
	// BuiltAt is when the timeline was built.
	BuiltAt time.Time `bun:"built_at,notnull"`
}

// TimelineEntry is one post of a user's materialized home timeline (table "timeline"):
// the post's id and its timestamp, copied as stored so that the primary key (user_id,
// timestamp, post_id) orders the entries exactly as the feed's ORDER BY timestamp DESC,
// id DESC does. Entries go with their post (ON DELETE CASCADE, through the index on
// post_id) and with the user's TimelineState.
type TimelineEntry struct {
	bun.BaseModel `bun:"table:timeline,alias:tl"`

	UserID    int64     `bun:"user_id,pk,type:bigint"`
	Timestamp time.Time `bun:"timestamp,pk"`
	PostID    int64     `bun:"post_id,pk" migrate:"index"`

	State *TimelineState `bun:"rel:belongs-to,join:user_id=user_id,on_delete:CASCADE"`
	Post  *Post          `bun:"rel:belongs-to,join:post_id=id,on_delete:CASCADE"`
}
