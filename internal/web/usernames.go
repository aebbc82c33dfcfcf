package web

import (
	"context"
	"fmt"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/i18n"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
	"github.com/microblog/microblog/internal/username"
)

// checkNewUsername applies the username rule (package username) to a name being
// registered (me nil) or taken by me in a rename: f gets the rule's error, or "Please use
// a different username." when the name or a look-alike of it is another user's; f.Value
// becomes the form the name is stored in ("ｓｕｓａｎ" → "susan"). Errors are the database's.
func checkNewUsername(ctx context.Context, s *database.Session, f *field, me *models.User) error {
	name, err := username.Check(f.Value)
	if err != nil {
		f.failWith(err)
		return nil
	}
	f.Value = name
	taken, err := store.UsernameTaken(ctx, s, name, me)
	if err != nil {
		return fmt.Errorf("web: check username: %w", err)
	}
	if taken {
		f.Error = i18n.M("Please use a different username.")
	}
	return nil
}
