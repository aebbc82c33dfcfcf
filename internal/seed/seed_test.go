package seed_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/langdetect"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/seed"
	"github.com/microblog/microblog/internal/testdb"
)

func small() seed.Options {
	return seed.Options{Users: 40, PostsPerUser: 7, Follows: 5, MessagesPerUser: 3, Seed: 42,
		Until: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), Days: 90}
}

// dump is every seeded row, read back through the app's models, as JSON: the password
// hash (salted) left out.
func dump(t *testing.T, db *database.DB) string {
	t.Helper()
	ctx := context.Background()
	var users []models.User
	var posts []models.Post
	var follows []models.Follow
	var msgs []models.Message
	var notes []models.Notification
	for _, q := range []struct {
		dest  any
		order string
	}{{&users, "id"}, {&posts, "id"}, {&follows, "follower_id, followed_id"}, {&msgs, "id"}, {&notes, "id"}} {
		if err := db.Bun.NewSelect().Model(q.dest).Order(strings.Split(q.order, ", ")...).Scan(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for i := range users {
		if users[i].PasswordHash == nil {
			t.Fatalf("user %s has no password hash", users[i].Username)
		}
		users[i].PasswordHash = nil
	}
	b, err := json.Marshal([]any{users, posts, follows, msgs, notes})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func count(t *testing.T, db *database.DB, query string) int {
	t.Helper()
	var n int
	if err := db.SQL.QueryRowContext(context.Background(), query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// TestSeedIsDeterministicCompleteAndConsistent seeds two databases of each dialect with
// the same options: the rows are the same on both and on every dialect, counts match the
// options, every reference points at a row, and the app can go on writing.
func TestSeedIsDeterministicCompleteAndConsistent(t *testing.T) {
	ctx := context.Background()
	var first string
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			a, b := testdb.Migrated(t, dialect), testdb.Migrated(t, dialect)
			indexesBefore := indexes(t, a)
			o := small()
			sa, err := seed.Run(ctx, a, o)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := seed.Run(ctx, b, o); err != nil {
				t.Fatal(err)
			}
			want := seed.Summary{Users: 40, Posts: 280, Follows: 200, Messages: 120, Notifications: sa.Notifications, FirstUser: sa.FirstUser}
			if sa != want || sa.Notifications == 0 || sa.Notifications > 40 {
				t.Errorf("summary %+v, want %+v with 1 to 40 notifications", sa, want)
			}
			da, db := dump(t, a), dump(t, b)
			if da != db {
				t.Fatalf("same options, different rows:\n%s\n%s", da, db)
			}
			if first == "" {
				first = da
			} else if da != first {
				t.Errorf("%s rows differ from %s's:\n%s\n%s", dialect, testdb.Dialects[0], da, first)
			}
			o.Seed = 43
			c := testdb.Migrated(t, dialect)
			if _, err := seed.Run(ctx, c, o); err != nil {
				t.Fatal(err)
			}
			if dump(t, c) == da {
				t.Error("another seed gave the same rows")
			}

			for q, n := range map[string]int{
				`SELECT COUNT(*) FROM post`:      280,
				`SELECT COUNT(*) FROM followers`: 200,
				`SELECT COUNT(*) FROM message`:   120,
				// every reference resolves (foreign keys are on, but say it in data terms)
				`SELECT COUNT(*) FROM post WHERE user_id NOT IN (SELECT id FROM ` + q(dialect, "user") + `)`:                                        0,
				`SELECT COUNT(*) FROM followers WHERE follower_id = followed_id`:                                                                    0,
				`SELECT COUNT(*) FROM followers WHERE followed_id NOT IN (SELECT id FROM ` + q(dialect, "user") + `)`:                               0,
				`SELECT COUNT(*) FROM message WHERE sender_id = recipient_id OR sender_id NOT IN (SELECT id FROM ` + q(dialect, "user") + `)`:       0,
				`SELECT COUNT(*) FROM notification WHERE user_id NOT IN (SELECT id FROM ` + q(dialect, "user") + `)`:                                0,
				`SELECT COUNT(*) FROM (SELECT follower_id FROM followers GROUP BY follower_id HAVING COUNT(*) <> 5) AS x`:                           0,
				`SELECT COUNT(*) FROM (SELECT recipient_id FROM message GROUP BY recipient_id HAVING COUNT(*) <> 3) AS x`:                           0,
				`SELECT COUNT(DISTINCT language) FROM post`:                                                                                         3,
				`SELECT COUNT(*) FROM post WHERE language NOT IN ('en', 'es', 'pt')`:                                                                0,
				`SELECT COUNT(*) FROM ` + q(dialect, "user") + ` WHERE username_key IS NULL OR last_seen IS NULL OR email NOT LIKE '%@example.com'`: 0,
				`SELECT COUNT(DISTINCT password_hash) FROM ` + q(dialect, "user"):                                                                   1,
			} {
				if got := count(t, a, q); got != n {
					t.Errorf("%s = %d, want %d", q, got, n)
				}
			}
			if got := indexes(t, a); got != indexesBefore { // the load defers them (bulk.DeferIndexesAndForeignKeys)
				t.Errorf("indexes after the seed:\n%s\nbefore:\n%s", got, indexesBefore)
			}
			if dialect == database.Postgres { // the load suspends them (bulk.DeferIndexesAndForeignKeys)
				if n := count(t, a, `SELECT COUNT(*) FROM pg_constraint WHERE contype = 'f' AND conrelid IN ('post'::regclass, 'followers'::regclass, 'message'::regclass, 'notification'::regclass)`); n != 6 {
					t.Errorf("%d foreign keys on the seeded tables after the seed, want 6", n)
				}
			}
			if dialect == database.SQLite {
				if n := count(t, a, `SELECT COUNT(*) FROM pragma_foreign_key_check`); n != 0 {
					t.Errorf("foreign_key_check finds %d broken references", n)
				}
				// The search index, built after the load, holds every post (the
				// integrity-check with rank 1 compares it with post's rows), and its
				// settings are as the migration left them.
				if _, err := a.SQL.ExecContext(ctx, `INSERT INTO post_fts (post_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
					t.Errorf("post_fts integrity-check: %v", err)
				}
				if n := count(t, a, `SELECT COUNT(*) FROM post_fts_docsize`); n != 280 {
					t.Errorf("post_fts holds %d posts, want 280", n)
				}
				if n := count(t, a, `SELECT COUNT(*) FROM post_fts WHERE post_fts MATCH 'the'`); n == 0 {
					t.Error("post_fts finds no post with 'the'")
				}
				if n := count(t, a, `SELECT COUNT(*) FROM post_fts_config WHERE k <> 'version'`); n != 0 {
					t.Errorf("post_fts has %d settings after the seed, want none", n)
				}
				// The load's rollback journal (bulk.rollbackJournal) gave way to WAL again
				// (a connection the pool opens afresh would switch to WAL by itself).
				if n := count(t, a, `SELECT COUNT(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'`); n != 1 {
					t.Error("the database is not in WAL mode after the seed")
				}
			}

			var posts []models.Post
			if err := a.Bun.NewSelect().Model(&posts).Scan(ctx); err != nil {
				t.Fatal(err)
			}
			for _, p := range posts {
				if n := utf8.RuneCountInString(p.Body); n == 0 || n > 140 || p.Timestamp.After(o.Until) || p.Timestamp.Before(o.Until.AddDate(0, 0, -o.Days)) {
					t.Errorf("post %d: %q (%d characters) at %s", p.ID, p.Body, n, p.Timestamp)
				}
			}

			u := new(models.User)
			if err := a.Bun.NewSelect().Model(u).Where("id = 1").Scan(ctx); err != nil {
				t.Fatal(err)
			}
			if u.Username != sa.FirstUser || !u.CheckPassword(seed.DemoPassword) || u.CheckPassword("wrong") {
				t.Errorf("user 1 %q (summary says %q) does not take the demo password", u.Username, sa.FirstUser)
			}

			// The app writes on after the seed: generated ids follow the seeded ones.
			s := a.NewSession()
			defer s.Close()
			nu := &models.User{Username: "newcomer", Email: "newcomer@example.org"}
			s.Add(nu)
			np := &models.Post{Body: "hello", Author: nu}
			s.Add(np)
			m := &models.Message{SenderID: 1, RecipientID: 2, Body: "hi"}
			s.Add(m)
			if err := s.Commit(ctx); err != nil {
				t.Fatalf("the app cannot write after the seed: %v", err)
			}
			if nu.ID != 41 || np.ID != 281 || m.ID != 121 {
				t.Errorf("new ids user %d post %d message %d, want 41 281 121", nu.ID, np.ID, m.ID)
			}
			if dialect == database.SQLite { // the search index's trigger is back
				if n := count(t, a, `SELECT COUNT(*) FROM post_fts WHERE post_fts MATCH 'hello' AND rowid = 281`); n != 1 {
					t.Errorf("the app's new post is not in post_fts")
				}
			}
		})
	}
}

func q(dialect, name string) string {
	if dialect == database.MySQL {
		return "`" + name + "`"
	}
	return `"` + name + `"`
}

func TestSeedRefusesANonEmptyDatabase(t *testing.T) {
	ctx := context.Background()
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			db := testdb.Migrated(t, dialect)
			s := db.NewSession()
			defer s.Close()
			s.Add(&models.User{Username: "real", Email: "real@example.org"})
			if err := s.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			_, err := seed.Run(ctx, db, small())
			if !errors.Is(err, seed.ErrNotEmpty) || !strings.Contains(err.Error(), "table user has rows") {
				t.Fatalf("seeding a database with a user: %v", err)
			}
			if n := count(t, db, `SELECT COUNT(*) FROM `+q(dialect, "user")); n != 1 {
				t.Errorf("%d users after the refusal, want 1", n)
			}
		})
	}
}

func TestSeedOptionsNameTheWrongOne(t *testing.T) {
	for flag, o := range map[string]func(*seed.Options){
		"--users 0":              func(o *seed.Options) { o.Users = 0 },
		"--posts-per-user -1":    func(o *seed.Options) { o.PostsPerUser = -1 },
		"--follows 40":           func(o *seed.Options) { o.Follows = 40 },
		"--messages-per-user -2": func(o *seed.Options) { o.MessagesPerUser = -2 },
		"--days 0":               func(o *seed.Options) { o.Days = 0 },
		"--users 1000001":        func(o *seed.Options) { o.Users = seed.MaxUsers + 1 },
		"--users 1000000":        func(o *seed.Options) { o.Users, o.PostsPerUser = seed.MaxUsers, 201 },
	} {
		opts := small()
		o(&opts)
		if err := opts.Validate(); err == nil || !strings.HasPrefix(err.Error(), flag+":") {
			t.Errorf("%s: %v", flag, err)
		}
	}
	if err := small().Validate(); err != nil {
		t.Errorf("valid options: %v", err)
	}
}

// TestSeededLanguagesAreWhatDetectionSays checks post.language against the detector the
// app uses when a post is written, so that seeded posts look like the app's own.
func TestSeededLanguagesAreWhatDetectionSays(t *testing.T) {
	ctx := context.Background()
	db := testdb.Migrated(t, database.SQLite)
	if _, err := seed.Run(ctx, db, seed.Options{Users: 30, PostsPerUser: 10, Seed: 3, Until: time.Now(), Days: 10}); err != nil {
		t.Fatal(err)
	}
	var posts []models.Post
	if err := db.Bun.NewSelect().Model(&posts).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	d := langdetect.New()
	agree := 0
	for _, p := range posts {
		if got := d.Detect(p.Body); p.Language != nil && got == *p.Language {
			agree++
		} else {
			t.Logf("post %q: stored %v, detected %q", p.Body, *p.Language, got)
		}
	}
	if agree < len(posts)*95/100 {
		t.Errorf("detection agrees with post.language on %d of %d posts, want 95%%", agree, len(posts))
	}
}

// TestSeedWritesTablesLargerThanAChunk: rows are generated and written in chunks of
// 20,000; a table of several chunks is complete, ids without gaps.
func TestSeedWritesTablesLargerThanAChunk(t *testing.T) {
	db := testdb.Migrated(t, database.SQLite)
	sum, err := seed.Run(context.Background(), db, seed.Options{Users: 250, PostsPerUser: 90, Follows: 200, MessagesPerUser: 100, Seed: 1,
		Until: time.Now(), Days: 3})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Posts != 22500 || sum.Follows != 50000 || sum.Messages != 25000 {
		t.Errorf("summary %+v", sum)
	}
	for q, n := range map[string]int{
		"SELECT COUNT(*) FROM post":                              22500,
		"SELECT MAX(id) FROM post":                               22500,
		"SELECT COUNT(*) FROM followers":                         50000,
		"SELECT COUNT(*) FROM message":                           25000,
		"SELECT MAX(id) FROM message":                            25000,
		"SELECT COUNT(DISTINCT recipient_id) FROM message":       250,
		"SELECT COUNT(*) FROM followers WHERE follower_id = 250": 200,
	} {
		if got := count(t, db, q); got != n {
			t.Errorf("%s = %d, want %d", q, got, n)
		}
	}
}

// indexes lists the definitions of a PostgreSQL or SQLite database's indexes (and, on
// SQLite, triggers); "" on MariaDB.
func indexes(t *testing.T, db *database.DB) string {
	t.Helper()
	query := map[string]string{
		database.Postgres: "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname",
		database.SQLite:   "SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_schema WHERE type IN ('index', 'trigger') ORDER BY name",
	}[db.Dialect]
	if query == "" {
		return ""
	}
	rows, err := db.SQL.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var defs []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			t.Fatal(err)
		}
		defs = append(defs, d)
	}
	if len(defs) < 10 {
		t.Fatalf("only %d indexes: %q", len(defs), defs)
	}
	return strings.Join(defs, "\n")
}
