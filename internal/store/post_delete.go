package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
)

// ErrNoPost is returned when no post matches: it does not exist, or it is not the
// asker's (the two are one answer, so that nobody learns which ids are someone else's).
var ErrNoPost = errors.New("no such post")

// DeletePost deletes post postID if user authorID wrote it, as part of the session's
// transaction (the caller commits). A post that does not exist, was deleted meanwhile
// (a double click, two tabs) or was written by someone else gives ErrNoPost, and nothing
// is deleted. Nothing else refers to a post; the search index follows the row.
func DeletePost(ctx context.Context, s *database.Session, authorID, postID int64) error {
	res, err := s.NewDelete().Model((*models.Post)(nil)).
		Where("id = ? AND user_id = ?", postID, authorID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: delete post %d of user %d: %w", postID, authorID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: delete post %d of user %d: %w", postID, authorID, err)
	}
	if n == 0 {
		return fmt.Errorf("store: delete post %d of user %d: %w", postID, authorID, ErrNoPost)
	}
	return nil
}
