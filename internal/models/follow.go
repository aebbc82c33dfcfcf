package models

import "github.com/uptrace/bun"

// Follow is one row of the followers association table: Follower follows Followed.
type Follow struct {
	bun.BaseModel `bun:"table:followers,alias:f"`

	FollowerID int64 `bun:"follower_id,pk"`
	FollowedID int64 `bun:"followed_id,pk"`

	Follower *User `bun:"rel:belongs-to,join:follower_id=id"`
	Followed *User `bun:"rel:belongs-to,join:followed_id=id"`
}
