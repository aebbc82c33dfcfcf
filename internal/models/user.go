package models

import (
	"github.com/uptrace/bun"
)

// User is a registered user (table "user").
type User struct {
	bun.BaseModel `bun:"table:user,alias:u"`

	ID           int64   `bun:"id,pk,autoincrement"`
	Username     string  `bun:"username,type:varchar(64),notnull" migrate:"index,unique"`
	Email        string  `bun:"email,type:varchar(120),notnull" migrate:"index,unique"`
	PasswordHash *string `bun:"password_hash,type:varchar(256)"`

	Posts []*Post `bun:"rel:has-many,join:id=user_id"`
}

// String prints the user as the tutorial's __repr__ does: <User susan>.
func (u User) String() string {
	return "<User " + u.Username + ">"
}
