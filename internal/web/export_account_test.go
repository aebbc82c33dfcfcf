package web

import "context"

// SessionTokensOf lists the stored sessions signed in as user id (for its benchmark).
func (a *App) SessionTokensOf(ctx context.Context, id int64) ([]string, error) {
	return a.sessionTokensOf(ctx, id)
}
