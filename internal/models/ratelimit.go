package models

import (
	"time"

	"github.com/uptrace/bun"
)

// RateLimit counts attempts under one key (such as "login-ip:203.0.113.9") in a fixed
// time window. It lives in the database so that every web process sees the same counts.
type RateLimit struct {
	bun.BaseModel `bun:"table:rate_limit,alias:rl"`

	Key         string    `bun:"key,pk,type:varchar(160)"`
	Hits        int       `bun:"hits,notnull"`
	WindowStart time.Time `bun:"window_start,notnull"`
}
