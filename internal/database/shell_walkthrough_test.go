package database_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
)

// TestTutorialShellWalkthrough replays chapter 4's `flask shell` session with the Go API.
func TestTutorialShellWalkthrough(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := db.NewSession()
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		expect := func(what string, got any, want string) {
			t.Helper()
			if g := fmt.Sprint(got); g != want {
				t.Errorf("%s = %s, want %s", what, g, want)
			}
		}

		// >>> u = User(username='john', email='john@example.com')
		// >>> db.session.add(u); db.session.commit()
		u := &models.User{Username: "john", Email: "john@example.com"}
		expect("u", u, "<User john>")
		must(s.Add(u))
		must(s.Commit(ctx))
		must(s.Add(&models.User{Username: "susan", Email: "susan@example.com"}))
		must(s.Commit(ctx))

		// >>> query = sa.select(User); users = db.session.scalars(query).all()
		var users []*models.User
		must(s.NewSelect().Model(&users).Order("id").Scan(ctx))
		expect("users", users, "[<User john> <User susan>]")
		var ids []string
		for _, u := range users {
			ids = append(ids, fmt.Sprint(u.ID, " ", u.Username))
		}
		expect("ids", ids, "[1 john 2 susan]")

		// >>> u = db.session.get(User, 1)
		// >>> p = Post(body='my first post!', author=u); db.session.add(p); db.session.commit()
		var john models.User
		must(s.Get(ctx, &john, 1))
		expect("get(User, 1)", &john, "<User john>")
		p := &models.Post{Body: "my first post!", Author: &john}
		expect("p", p, "<Post my first post!>")
		must(s.Add(p))
		must(s.Commit(ctx))

		// >>> u.posts.select() for john and for susan
		var posts []*models.Post
		must(s.NewSelect().Model(&posts).Where("user_id = ?", john.ID).Scan(ctx))
		expect("john's posts", posts, "[<Post my first post!>]")
		posts = nil
		must(s.NewSelect().Model(&posts).Where("user_id = ?", 2).Scan(ctx))
		expect("susan's posts", posts, "[]")

		// >>> for p in posts: print(p.id, p.author.username, p.body)
		posts = nil
		must(s.NewSelect().Model(&posts).Relation("Author").Scan(ctx))
		expect("post with author", fmt.Sprint(posts[0].ID, " ", posts[0].Author.Username, " ", posts[0].Body), "1 john my first post!")

		// Posts in reverse chronological order, users in reverse alphabetical order.
		must(s.Add(&models.Post{Body: "second post", Author: &john, Timestamp: posts[0].Timestamp.Add(time.Second)}))
		must(s.Commit(ctx))
		posts = nil
		must(s.NewSelect().Model(&posts).Order("timestamp DESC").Scan(ctx))
		expect("posts by timestamp desc", posts, "[<Post second post> <Post my first post!>]")
		users = nil
		must(s.NewSelect().Model(&users).Order("username DESC").Scan(ctx))
		expect("users by username desc", users, "[<User susan> <User john>]")

		// >>> sa.select(User).where(User.username.like('s%'))
		users = nil
		must(s.NewSelect().Model(&users).Where("username LIKE ?", "s%").Scan(ctx))
		expect("username LIKE 's%'", users, "[<User susan>]")

		// >>> delete every user and post, then commit
		users, posts = nil, nil
		must(s.NewSelect().Model(&users).Scan(ctx))
		must(s.NewSelect().Model(&posts).Scan(ctx))
		for _, u := range users {
			must(s.Delete(u))
		}
		for _, p := range posts {
			must(s.Delete(p))
		}
		must(s.Commit(ctx))
		expect("users left", count(t, db, (*models.User)(nil)), "0")
		expect("posts left", count(t, db, (*models.Post)(nil)), "0")
	})
}
