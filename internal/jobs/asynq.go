package jobs

import (
	"context"
	"errors"

	"github.com/microblog/microblog/internal/database"
)

// openAsynq is being written (see the asynq queue work in progress).
func openAsynq(context.Context, *database.DB, Options) (Queue, error) {
	return nil, errors.New("jobs: the Redis queue is not built yet")
}
