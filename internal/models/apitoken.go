package models

import (
	"time"

	"github.com/uptrace/bun"
)

// APIToken is a bearer token of the REST API (table "api_token"). The tutorial keeps one
// token per user in plaintext (user.token); here a user may hold several, and only the
// SHA-256 of each is stored, so a copy of the database grants no access. A token is
// bound to the password it was issued under (PasswordFP, the same fingerprint signed-in
// web sessions carry): any change of the password ends it.
type APIToken struct {
	bun.BaseModel `bun:"table:api_token,alias:at"`

	ID int64 `bun:"id,pk,autoincrement"`
	// TokenHash is the lower-case hex SHA-256 of the token's 32 hex characters.
	TokenHash string `bun:"token_hash,type:varchar(64),notnull" migrate:"index,unique"`
	UserID    int64  `bun:"user_id,notnull" migrate:"index"`
	// PasswordFP fingerprints the owner's password hash when the token was issued.
	PasswordFP string    `bun:"password_fp,type:varchar(64),notnull"`
	CreatedAt  time.Time `bun:"created_at,notnull"`
	ExpiresAt  time.Time `bun:"expires_at,notnull" migrate:"index"`

	User *User `bun:"rel:belongs-to,join:user_id=id"`
}
