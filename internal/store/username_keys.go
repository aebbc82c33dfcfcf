package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/username"
)

// fillBatch bounds the rows one transaction of FillUsernameKeys keys.
const fillBatch = 500

// FillUsernameKeys gives every user without a username_key one: rows stored before
// revision eb734d6789e7 (or by another program, such as the Flask microblog of an adopted
// database). SQL cannot compute a confusable skeleton, so this runs in Go, after the
// migrations, at every start of `microblog run`; it returns how many rows it keyed.
//
// Names stored before the rule may collide ("susan" and Cyrillic "Ѕusan", or on SQLite
// "Émile" and "émile"). The first of each group, by id, gets its username.Key; the others
// get their FoldKey, or their IDKey when that is taken too, so every old name keeps
// working (UserByUsername also looks for FoldKeys and exact names) and no new look-alike
// of any of them can be registered (the group's Key is taken).
func FillUsernameKeys(ctx context.Context, db *database.DB) (int, error) {
	filled := 0
	for {
		var users []models.User
		err := db.Bun.NewSelect().Model(&users).Column("id", "username").
			Where("username_key IS NULL").Order("id").Limit(fillBatch).Scan(ctx)
		if err != nil {
			return filled, fmt.Errorf("store: fill username keys: %w", err)
		}
		if len(users) == 0 {
			return filled, nil
		}
		err = db.Bun.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return fillKeys(ctx, tx, users)
		})
		if err != nil {
			return filled, fmt.Errorf("store: fill username keys: %w", err)
		}
		filled += len(users)
	}
}

// fillKeys stores for each user the first of its keys that is free, reading which keys
// are taken with one query for the whole batch and choosing in Go, so that a batch costs
// one query and one UPDATE per row.
func fillKeys(ctx context.Context, tx bun.Tx, users []models.User) error {
	candidates := make([][3]string, len(users))
	var all []string
	for i, u := range users {
		candidates[i] = [3]string{username.Key(u.Username), username.FoldKey(u.Username), username.IDKey(u.ID)}
		all = append(all, candidates[i][:]...)
	}
	var takenKeys []string
	err := tx.NewSelect().Model((*models.User)(nil)).Column("username_key").
		Where("username_key IN (?)", bun.In(all)).Scan(ctx, &takenKeys)
	if err != nil {
		return err
	}
	taken := make(map[string]bool, len(takenKeys))
	for _, k := range takenKeys {
		taken[k] = true
	}
	for i, u := range users {
		key := ""
		for _, k := range candidates[i] {
			if !taken[k] {
				key = k
				break
			}
		}
		if key == "" { // IDKey is unique by id: cannot happen
			return fmt.Errorf("user %d: every key of %q is taken", u.ID, u.Username)
		}
		taken[key] = true
		_, err := tx.NewUpdate().Model((*models.User)(nil)).Set("username_key = ?", key).
			Where("id = ?", u.ID).Where("username_key IS NULL").Exec(ctx)
		if err != nil {
			return fmt.Errorf("user %d: %w", u.ID, err)
		}
	}
	return nil
}
