package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
)

// AddNotification replaces userID's notification called name with one carrying data, as
// the tutorial's User.add_notification does (at most one row per user and name), as part
// of the session's transaction: it becomes visible when the session commits.
func AddNotification(ctx context.Context, s *database.Session, userID int64, name string, data any) (*models.Notification, error) {
	payload, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("store: notification %s: %w", name, err)
	}
	if _, err := s.NewDelete().Model((*models.Notification)(nil)).Where("user_id = ? AND name = ?", userID, name).Exec(ctx); err != nil {
		return nil, fmt.Errorf("store: notification %s for user %d: %w", name, userID, err)
	}
	n := &models.Notification{UserID: userID, Name: name, PayloadJSON: string(payload)}
	if _, err := s.NewInsert().Model(n).Exec(ctx); err != nil {
		return nil, fmt.Errorf("store: notification %s for user %d: %w", name, userID, err)
	}
	return n, nil
}
