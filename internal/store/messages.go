package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
)

// UnreadNotification is the name of the notification carrying a user's unread message
// count (data: the count, a number).
const UnreadNotification = "unread_message_count"

// SendMessage stores a message from sender to recipient and replaces the recipient's
// unread_message_count notification with the new count, in the session's transaction
// (the caller commits). The recipient's user row is locked first, so concurrent senders
// to one user take turns and the last notification written always carries the true
// count: without the lock, two senders would each count without the other's message.
func SendMessage(ctx context.Context, s *database.Session, sender, recipient *models.User, body string) (*models.Message, *models.Notification, error) {
	readTime, err := lockUser(ctx, s, recipient.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("store: send message: %w", err)
	}
	m := &models.Message{SenderID: sender.ID, RecipientID: recipient.ID, Body: body, Author: sender, Recipient: recipient}
	if _, err := s.NewInsert().Model(m).Exec(ctx); err != nil {
		return nil, nil, fmt.Errorf("store: send message: %w", err)
	}
	n, err := pushUnreadCount(ctx, s, recipient.ID, readTime)
	if err != nil {
		return nil, nil, fmt.Errorf("store: send message: %w", err)
	}
	return m, n, nil
}

// MarkMessagesRead moves u's last_message_read_time forward to upTo (the newest message
// the user was shown) and pushes the unread count left, in the session's transaction
// (the caller commits; u must be tracked by s). It never moves the time back — the
// check is made under the user's row lock, against the stored time — and writes nothing
// when it would not move, so repeating it is harmless; it reports whether it wrote.
// Messages that arrive meanwhile are newer than upTo and stay unread.
func MarkMessagesRead(ctx context.Context, s *database.Session, u *models.User, upTo time.Time) (*models.Notification, bool, error) {
	upTo = upTo.UTC()
	if u.LastMessageReadTime != nil && !upTo.After(*u.LastMessageReadTime) {
		return nil, false, nil
	}
	stored, err := lockUser(ctx, s, u.ID)
	if err != nil {
		return nil, false, fmt.Errorf("store: mark messages read: %w", err)
	}
	if stored != nil && !upTo.After(*stored) {
		return nil, false, nil // another request of this user marked as much already
	}
	u.LastMessageReadTime = &upTo // written by the next flush, in this transaction
	n, err := pushUnreadCount(ctx, s, u.ID, &upTo)
	if err != nil {
		return nil, false, fmt.Errorf("store: mark messages read: %w", err)
	}
	return n, true, nil
}

// pushUnreadCount replaces the user's unread_message_count notification with the count
// of messages received after readTime (nil: ever).
func pushUnreadCount(ctx context.Context, s *database.Session, userID int64, readTime *time.Time) (*models.Notification, error) {
	count, err := unreadCount(ctx, s, userID, readTime)
	if err != nil {
		return nil, err
	}
	return AddNotification(ctx, s, userID, UnreadNotification, count)
}

// lockUser opens the session's transaction, takes the write lock of a user's row until
// it ends, and returns the user's last_message_read_time as it is now. SQLite needs no
// row lock: its transactions begin with BEGIN IMMEDIATE, which already lets one writer in
// at a time.
func lockUser(ctx context.Context, s *database.Session, id int64) (*time.Time, error) {
	if _, err := s.SQLTx(ctx); err != nil {
		return nil, err
	}
	var read struct {
		Time *time.Time `bun:"last_message_read_time"`
	}
	q := s.NewSelect().Model((*models.User)(nil)).Column("last_message_read_time").Where("u.id = ?", id)
	if q.Dialect().Name() != dialect.SQLite {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx, &read); err != nil {
		return nil, fmt.Errorf("lock user %d: %w", id, err)
	}
	return read.Time, nil
}

// UnreadMessageCount is the number of messages u received after u last read them: one
// COUNT on the index ix_message_recipient_id_timestamp.
func UnreadMessageCount(ctx context.Context, s *database.Session, u *models.User) (int, error) {
	return unreadCount(ctx, s, u.ID, u.LastMessageReadTime)
}

func unreadCount(ctx context.Context, s *database.Session, userID int64, readTime *time.Time) (int, error) {
	args := []any{userID}
	if readTime != nil {
		args = append(args, readTime.UTC())
	}
	q := s.NewSelectBound(args...).Model((*models.Message)(nil)).Where("m.recipient_id = ?", database.Param)
	if readTime != nil {
		q = q.Where("m.timestamp > ?", database.Param)
	}
	n, err := q.Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: unread message count of user %d: %w", userID, err)
	}
	return int(n), nil
}

// ReceivedMessages lists one page of the messages u received, newest first (ties by id),
// with their senders loaded in the same query. limit <= 0 means no limit.
func ReceivedMessages(ctx context.Context, s *database.Session, u *models.User, limit, offset int) ([]*models.Message, error) {
	return messages(ctx, s, "messages received by "+u.Username, "Author", limit, offset, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("m.recipient_id = ?", u.ID)
	})
}

// SentMessages lists one page of the messages u sent, newest first (ties by id), with
// their recipients loaded in the same query.
func SentMessages(ctx context.Context, s *database.Session, u *models.User, limit, offset int) ([]*models.Message, error) {
	return messages(ctx, s, "messages sent by "+u.Username, "Recipient", limit, offset, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("m.sender_id = ?", u.ID)
	})
}

func messages(ctx context.Context, s *database.Session, what, relation string, limit, offset int, filter func(*bun.SelectQuery) *bun.SelectQuery) ([]*models.Message, error) {
	var out []*models.Message
	q := filter(s.NewSelect().Model(&out).Relation(relation)).Order("m.timestamp DESC", "m.id DESC")
	if limit > 0 {
		q = q.Limit(int64(limit)).Offset(int64(offset))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}
