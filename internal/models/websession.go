package models

import (
	"time"

	"github.com/uptrace/bun"
)

// WebSession is a browser session's server-side data (table "sessions"): the web process
// keeps no state of its own, so several processes can serve one site.
type WebSession struct {
	bun.BaseModel `bun:"table:sessions,alias:ws"`

	Token  string    `bun:"token,pk,type:varchar(64)"`
	Data   []byte    `bun:"data,notnull"`
	Expiry time.Time `bun:"expiry,notnull" migrate:"index"`
}
