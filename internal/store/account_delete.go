package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
)

// accountTables lists, children first, every table whose rows belong to an account
// through a column holding its id, and those columns: DeleteAccount deletes in this
// order. None of the tutorial's foreign keys to user.id has an ON DELETE action (its
// schema declares none), so a row that refers to the user must go before the user row
// on every dialect. A table added later that refers to user.id gets its line here,
// before "user"; TestDeleteAccountLeavesNoRowOfTheUser fails until it does.
var accountTables = []struct {
	table   string
	columns []string
}{
	{"api_token", []string{"user_id"}},
	{"notification", []string{"user_id"}},
	{"task", []string{"user_id"}},
	{"message", []string{"sender_id", "recipient_id"}}, // sent and received
	{"timeline", []string{"user_id"}},                  // the account's own materialized timeline
	{"timeline_state", []string{"user_id"}},
	{"followers", []string{"follower_id", "followed_id"}},
	{"post", []string{"user_id"}},
	{"user", []string{"id"}},
}

// AccountRows are the rows of an account that no column names by its id; the caller,
// which knows their format, finds them.
type AccountRows struct {
	// SessionTokens are the tokens of the account's web sessions (the user id is inside
	// each session's encoded data).
	SessionTokens []string
	// RateLimitKeys are the keys of the rate-limit counts kept for the account.
	RateLimitKeys []string
	// Email is the account's address: queued e-mails to it are deleted with it.
	Email string
}

// DeleteAccount deletes user userID and everything that belongs to the account, as part
// of the session's transaction (the caller commits; all or nothing): its notifications,
// tasks, the messages it sent and those it received, its follows both ways, its posts,
// the user row, then the rows named in extra (web sessions, rate-limit counts) and the
// job_outbox rows of jobs for the account (arguments naming its id as "user_id", or
// e-mails to its address). It returns how many rows went, by table; ErrNoUser when the
// user is gone already (a second request for the same deletion).
func DeleteAccount(ctx context.Context, s *database.Session, userID int64, extra AccountRows) (map[string]int64, error) {
	fail := func(err error) (map[string]int64, error) {
		return nil, fmt.Errorf("store: delete account %d: %w", userID, err)
	}
	// The user row is locked first (lockUser), so that concurrent deletions of one account
	// take turns, and a post or follow being added for it either commits before (and is
	// deleted here) or fails its foreign key check after.
	if _, err := lockUser(ctx, s, userID); errors.Is(err, sql.ErrNoRows) {
		return fail(ErrNoUser)
	} else if err != nil {
		return fail(err)
	}
	deleted := map[string]int64{}
	for _, t := range accountTables {
		// One statement per column, each on that column's index: an OR of two columns
		// may scan (and on InnoDB lock) the whole table.
		for _, c := range t.columns {
			n, err := rowsAffected(s.NewDelete().TableExpr("?", bun.Ident(t.table)).
				Where("? = ?", bun.Ident(c), userID).Exec(ctx))
			if err != nil {
				return fail(fmt.Errorf("%s.%s: %w", t.table, c, err))
			}
			deleted[t.table] += n
		}
	}
	if len(extra.SessionTokens) > 0 {
		n, err := rowsAffected(s.NewDelete().Model((*models.WebSession)(nil)).
			Where("token IN (?)", bun.List(extra.SessionTokens)).Exec(ctx))
		if err != nil {
			return fail(fmt.Errorf("sessions: %w", err))
		}
		deleted["sessions"] = n
	}
	if len(extra.RateLimitKeys) > 0 {
		n, err := rowsAffected(s.NewDelete().Model((*models.RateLimit)(nil)).
			Where("? IN (?)", bun.Ident("key"), bun.List(extra.RateLimitKeys)).Exec(ctx))
		if err != nil {
			return fail(fmt.Errorf("rate_limit: %w", err))
		}
		deleted["rate_limit"] = n
	}
	ids, err := outboxRowsOf(ctx, s, userID, extra.Email)
	if err != nil {
		return fail(err)
	}
	if len(ids) > 0 {
		n, err := rowsAffected(s.NewDelete().Model((*models.JobOutbox)(nil)).
			Where("id IN (?)", bun.List(ids)).Exec(ctx))
		if err != nil {
			return fail(fmt.Errorf("job_outbox: %w", err))
		}
		deleted["job_outbox"] = n
	}
	return deleted, nil
}

// outboxRowsOf lists the job_outbox rows of jobs for an account. The outbox holds only
// jobs not yet handed to the queue (a relay empties it within moments), so reading each
// row's arguments costs little.
func outboxRowsOf(ctx context.Context, s *database.Session, userID int64, email string) ([]int64, error) {
	var rows []models.JobOutbox
	if err := s.NewSelect().Model(&rows).Column("id", "args").Scan(ctx); err != nil {
		return nil, fmt.Errorf("job_outbox: %w", err)
	}
	var ids []int64
	for _, r := range rows {
		var args struct {
			UserID *int64   `json:"user_id"`
			To     []string `json:"to"`
		}
		if json.Unmarshal(r.Args, &args) != nil {
			continue // not a job of ours; not the account's either
		}
		mine := args.UserID != nil && *args.UserID == userID
		for _, to := range args.To {
			mine = mine || (email != "" && strings.EqualFold(to, email))
		}
		if mine {
			ids = append(ids, r.ID)
		}
	}
	return ids, nil
}

func rowsAffected(res interface{ RowsAffected() (int64, error) }, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
