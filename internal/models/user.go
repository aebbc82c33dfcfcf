package models

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/microblog/microblog/internal/password"
	"github.com/microblog/microblog/internal/username"
)

// User is a registered user (table "user").
type User struct {
	bun.BaseModel `bun:"table:user,alias:u"`

	ID           int64      `bun:"id,pk,autoincrement"`
	Username     string     `bun:"username,type:varchar(64),notnull" migrate:"index,unique"`
	Email        string     `bun:"email,type:varchar(120),notnull" migrate:"index,unique"`
	PasswordHash *string    `bun:"password_hash,type:varchar(256)"`
	AboutMe      *string    `bun:"about_me,type:varchar(140)"`
	LastSeen     *time.Time `bun:"last_seen"`
	// LastMessageReadTime is when the user last opened their messages (chapter 21):
	// messages received after it are unread.
	LastMessageReadTime *time.Time `bun:"last_message_read_time"`
	// Token authenticates API requests until TokenExpiration (chapter 23).
	Token           *string    `bun:"token,type:varchar(32)" migrate:"index,unique"`
	TokenExpiration *time.Time `bun:"token_expiration"`
	// UsernameKey is username.Key(Username), the name's confusable skeleton hashed to hex:
	// names are unique and looked up by it, identically on every dialect. A name stored
	// before it existed may hold a FoldKey or IDKey instead (see store.FillUsernameKeys).
	UsernameKey *string `bun:"username_key,type:varchar(64)" migrate:"index,unique"`
	// Language is the catalog code of the language the user chose ("es", "pt_BR"); nil
	// until they choose, when the browser's Accept-Language decides (chapter 13).
	Language *string `bun:"language,type:varchar(5)"`
	// DisabledAt is when an operator disabled the account (`microblog users disable`);
	// nil for an active one. A disabled user cannot sign in, their sessions end at their
	// next request, and the API refuses them (Disabled).
	DisabledAt *time.Time `bun:"disabled_at"`

	Posts []*Post `bun:"rel:has-many,join:id=user_id"`
}

var _ bun.BeforeAppendModelHook = (*User)(nil)

// Disabled reports whether an operator disabled the account: it may not sign in or use
// the API, and its sessions are ended.
func (u *User) Disabled() bool { return u.DisabledAt != nil }

// BeforeAppendModel gives a new user a last-seen time of now (UTC), as the tutorial's
// default=lambda: datetime.now(timezone.utc) does.
func (u *User) BeforeAppendModel(_ context.Context, q bun.Query) error {
	if _, ok := q.(*bun.InsertQuery); ok && u.LastSeen == nil {
		now := time.Now().UTC()
		u.LastSeen = &now
	}
	if _, ok := q.(*bun.InsertQuery); ok && u.UsernameKey == nil {
		// Every new row gets its key, whichever code inserts it; a rename sets it itself.
		key := username.Key(u.Username)
		u.UsernameKey = &key
	}
	return nil
}

// SetPassword stores an argon2id hash of plain.
func (u *User) SetPassword(plain string) error {
	h, err := password.Hash(plain)
	if err != nil {
		return fmt.Errorf("user %s: %w", u.Username, err)
	}
	u.PasswordHash = &h
	return nil
}

// CheckPassword reports whether plain is the user's password. A Werkzeug hash from a
// Flask microblog database is accepted and replaced by an argon2id one (the caller
// commits the change). A user without a password never matches.
func (u *User) CheckPassword(plain string) bool {
	if u.PasswordHash == nil {
		return false
	}
	ok, rehash, err := password.Verify(*u.PasswordHash, plain)
	if err != nil || !ok {
		return false
	}
	if rehash {
		if h, err := password.Hash(plain); err == nil {
			u.PasswordHash = &h
		}
	}
	return true
}

// Avatar is the user's Gravatar URL at size pixels, as the tutorial builds it.
func (u *User) Avatar(size int) string {
	return fmt.Sprintf("https://www.gravatar.com/avatar/%s?d=identicon&s=%d", u.EmailHash(), size)
}

// EmailHash is the key Gravatar gives the user's avatar, MD5 of the lower-cased address;
// the app's own avatars use it too, so the page never carries the address.
func (u *User) EmailHash() string {
	sum := md5.Sum([]byte(strings.ToLower(u.Email)))
	return hex.EncodeToString(sum[:])
}

// String prints the user as the tutorial's __repr__ does: <User susan>.
func (u User) String() string {
	return "<User " + u.Username + ">"
}
