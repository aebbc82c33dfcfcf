package web

import (
	"bytes"
	"context"
	"fmt"

	"github.com/microblog/microblog/internal/models"
)

// sessionScanBatch is how many stored sessions sessionTokensOf reads at a time.
const sessionScanBatch = 500

// sessionTokensOf lists the tokens of the stored sessions signed in as user u, expired
// ones included. The sessions table has no user column (the user id is inside each
// session's encoded data), so every row is read, a batch at a time in token order: the
// cost of a rare act (deleting an account), paid so that signing in and every request
// stay as they are. Decoding is what costs (gob); a row bound to another password than
// u's — another user's, or one of u's signed out already by a password change, which
// cannot sign anyone in — holds a password fingerprint that is not u's and is skipped
// undecoded. A session that cannot be decoded is no one's.
//
// A session signed in after the scan is not listed; it signs itself out at its next
// request, when its user is not found (requestContext), and a user registered later
// under a reused id does not inherit it: its password fingerprint differs.
func (a *App) sessionTokensOf(ctx context.Context, u *models.User) ([]string, error) {
	userID := u.ID
	boundKey, fp := []byte(sessionPasswordKey), []byte(a.binding.fingerprint(u))
	var tokens []string
	after := ""
	for {
		var rows []models.WebSession
		err := a.db.Bun.NewSelect().Model(&rows).Column("token", "data").
			Where("token > ?", after).Order("token").Limit(sessionScanBatch).Scan(ctx)
		if err != nil {
			return nil, fmt.Errorf("web: sessions of user %d: %w", userID, err)
		}
		for _, row := range rows {
			if bytes.Contains(row.Data, boundKey) && !bytes.Contains(row.Data, fp) {
				continue
			}
			_, values, err := a.sessions.Codec.Decode(row.Data)
			if err != nil {
				continue
			}
			if id, ok := values["user_id"].(int64); ok && id == userID {
				tokens = append(tokens, row.Token)
			}
		}
		if len(rows) < sessionScanBatch {
			return tokens, nil
		}
		after = rows[len(rows)-1].Token
	}
}
