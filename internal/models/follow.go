package models

import "github.com/uptrace/bun"

// Follow is one row of the followers association table: Follower follows Followed.
type Follow struct {
	bun.BaseModel `bun:"table:followers,alias:f"`

	FollowerID int64 `bun:"follower_id,pk"`
	// The primary key starts with follower_id; looking up a user's followers needs an
	// index that starts with followed_id (the tutorial's schema lacks it).
	FollowedID int64 `bun:"followed_id,pk" migrate:"index"`

	Follower *User `bun:"rel:belongs-to,join:follower_id=id"`
	Followed *User `bun:"rel:belongs-to,join:followed_id=id"`
}
