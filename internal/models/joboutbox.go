package models

import (
	"time"

	"github.com/uptrace/bun"
)

// JobOutbox is a background job waiting to be handed to Redis (the asynq queue). Redis
// cannot take part in a SQL transaction, so a job is written here in the transaction
// that records it and a relay moves it to Redis after the commit: the job exists if and
// only if its transaction committed (see package jobs).
type JobOutbox struct {
	bun.BaseModel `bun:"table:job_outbox,alias:jo"`

	ID          int64     `bun:"id,pk,autoincrement"`
	Kind        string    `bun:"kind,type:varchar(64),notnull"`
	Args        []byte    `bun:"args,notnull"` // JSON; a blob type holds megabytes on every dialect
	MaxAttempts int       `bun:"max_attempts,notnull"`
	CreatedAt   time.Time `bun:"created_at,notnull"`
}
