package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/uptrace/bun"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
)

// AddNotification replaces userID's notification called name with one carrying data, as
// the tutorial's User.add_notification does (at most one row per user and name), as part
// of the session's transaction: it becomes visible when the session commits.
//
// The new row is inserted before the old one is deleted, so that its id is always higher
// than the one it replaces: SQLite (whose notification table has no AUTOINCREMENT) hands
// out the highest id plus one, and would give a replacement the very id of the row just
// deleted. Notification streams use the id as the event id and resume after it.
func AddNotification(ctx context.Context, s *database.Session, userID int64, name string, data any) (*models.Notification, error) {
	payload, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("store: notification %s: %w", name, err)
	}
	n := &models.Notification{UserID: userID, Name: name, PayloadJSON: string(payload)}
	if _, err := s.NewInsert().Model(n).Exec(ctx); err != nil {
		return nil, fmt.Errorf("store: notification %s for user %d: %w", name, userID, err)
	}
	if _, err := s.NewDelete().Model((*models.Notification)(nil)).Where("user_id = ? AND name = ? AND id <> ?", userID, name, n.ID).Exec(ctx); err != nil {
		return nil, fmt.Errorf("store: notification %s for user %d: %w", name, userID, err)
	}
	return n, nil
}

// NotificationsSince lists userID's notifications with a timestamp after since, oldest
// first (ties by id), as the tutorial's /notifications?since= does.
func NotificationsSince(ctx context.Context, s *database.Session, userID int64, since float64) ([]*models.Notification, error) {
	var out []*models.Notification
	err := s.NewSelect().Model(&out).Where("n.user_id = ? AND n.timestamp > ?", userID, since).
		Order("n.timestamp", "n.id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: notifications of user %d since %v: %w", userID, since, err)
	}
	return out, nil
}

// maxUsersPerQuery bounds the IN list of one NotificationsAfter statement, well under
// every dialect's limit on bound values.
const maxUsersPerQuery = 500

// NotificationsAfter lists the notifications of the given users whose id is above
// afterID, by id, outside any session: it is the query of the notification streams,
// which must not hold a transaction open. The users are asked for maxUsersPerQuery at a
// time.
func NotificationsAfter(ctx context.Context, db *database.DB, userIDs []int64, afterID int64) ([]*models.Notification, error) {
	var out []*models.Notification
	for ids := range slices.Chunk(userIDs, maxUsersPerQuery) {
		var part []*models.Notification
		err := db.Bun.NewSelect().Model(&part).Where("n.id > ?", afterID).Where("n.user_id IN (?)", bun.List(ids)).
			Order("n.id").Scan(ctx)
		if err != nil {
			return nil, fmt.Errorf("store: notifications after %d: %w", afterID, err)
		}
		out = append(out, part...)
	}
	if len(userIDs) > maxUsersPerQuery {
		slices.SortFunc(out, func(a, b *models.Notification) int { return cmp.Compare(a.ID, b.ID) })
	}
	return out, nil
}

// LastNotificationID is the highest notification id yet (0 when there is none).
func LastNotificationID(ctx context.Context, db *database.DB) (int64, error) {
	var id sql.NullInt64
	if err := db.Bun.NewSelect().Model((*models.Notification)(nil)).ColumnExpr("MAX(n.id)").Scan(ctx, &id); err != nil {
		return 0, fmt.Errorf("store: last notification id: %w", err)
	}
	return id.Int64, nil
}
