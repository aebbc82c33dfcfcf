// Package seed fills an empty microblog database with demo data: users with profiles,
// posts in English, Spanish and Portuguese (with post.language set, for search and
// translation to work on), follows, private messages and their unread-count
// notifications. The same Options give the same rows on every run and every dialect
// (except the password hash, which is salted), so that benchmarks can be repeated.
//
// Every seeded user signs in with DemoPassword. It is demo data: never seed a database
// that real people use.
package seed

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/microblog/microblog/internal/bulk"
	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/password"
	"github.com/microblog/microblog/internal/username"
)

// DemoPassword is the password of every seeded user. It is hashed once (argon2id) and
// the hash shared by all of them: hashing it per user would take hours for 10,000 users.
const DemoPassword = "microblog-demo"

// Limits on the options, so that a typo cannot ask for a billion rows.
const (
	MaxUsers        = 1_000_000 // user rows are held in memory while written
	MaxPostsPerUser = 10_000
	MaxMessages     = 1_000
	MaxRows         = 200_000_000 // posts, follows or messages in all
)

// unreadNotification is the notification the app keeps per user with the number of
// unread messages (store.UnreadNotification).
const unreadNotification = "unread_message_count"

// Options say how much to seed.
type Options struct {
	Users           int
	PostsPerUser    int
	Follows         int // users each user follows (fewer than Users)
	MessagesPerUser int // messages each user receives
	// Seed selects the data: the same Seed and options give the same rows.
	Seed uint64
	// Until is the newest possible timestamp; posts spread over the Days before it.
	Until time.Time
	Days  int
	// Progress, when not nil, is called as rows are written.
	Progress func(table string, done, total int)
}

// Summary counts what Run wrote.
type Summary struct {
	Users, Posts, Follows, Messages, Notifications int
	// FirstUser is the username of user 1, to sign in with.
	FirstUser string
}

// Validate checks the options and names the first wrong one.
func (o Options) Validate() error {
	switch {
	case o.Users < 1 || o.Users > MaxUsers:
		return fmt.Errorf("--users %d: want 1 to %d", o.Users, MaxUsers)
	case o.PostsPerUser < 0 || o.PostsPerUser > MaxPostsPerUser:
		return fmt.Errorf("--posts-per-user %d: want 0 to %d", o.PostsPerUser, MaxPostsPerUser)
	case o.Follows < 0 || o.Follows >= o.Users && o.Follows > 0:
		return fmt.Errorf("--follows %d: want 0 to %d (users cannot follow themselves, and there are %d users)", o.Follows, o.Users-1, o.Users)
	case o.MessagesPerUser < 0 || o.MessagesPerUser > MaxMessages:
		return fmt.Errorf("--messages-per-user %d: want 0 to %d", o.MessagesPerUser, MaxMessages)
	case o.MessagesPerUser > 0 && o.Users < 2:
		return fmt.Errorf("--messages-per-user %d: messages need at least 2 users", o.MessagesPerUser)
	case o.Users*o.PostsPerUser > MaxRows || o.Users*o.Follows > MaxRows || o.Users*o.MessagesPerUser > MaxRows:
		return fmt.Errorf("--users %d: with %d posts, %d follows and %d messages each, more than %d rows of one table", o.Users, o.PostsPerUser, o.Follows, o.MessagesPerUser, MaxRows)
	case o.Days < 1 || o.Days > 36500:
		return fmt.Errorf("--days %d: want 1 to 36500", o.Days)
	case o.Until.IsZero():
		return errors.New("--until: missing")
	}
	return nil
}

// ErrNotEmpty is returned by Run for a database that already has users, posts, follows,
// messages or notifications.
var ErrNotEmpty = errors.New("seed: the database is not empty")

// seededTables are the tables Run fills, in foreign-key order.
var seededTables = []string{"user", "post", "followers", "message", "notification"}

// Run checks that the database (already at the head revision) holds no rows of the
// seeded tables, then writes the data in one transaction.
func Run(ctx context.Context, db *database.DB, o Options) (Summary, error) {
	if err := o.Validate(); err != nil {
		return Summary{}, fmt.Errorf("seed: %w", err)
	}
	for _, t := range seededTables {
		var n int
		q := fmt.Sprintf("SELECT COUNT(*) FROM (SELECT 1 AS x FROM %s LIMIT 1) AS t", bulk.Quote(db.Dialect, t))
		if err := db.SQL.QueryRowContext(ctx, q).Scan(&n); err != nil {
			return Summary{}, fmt.Errorf("seed: look into %s: %w", t, err)
		}
		if n > 0 {
			return Summary{}, fmt.Errorf("%w: table %s has rows (seed a new database, or empty this one with `microblog db downgrade base` and `microblog db upgrade`)", ErrNotEmpty, t)
		}
	}
	hash, err := password.Hash(DemoPassword)
	if err != nil {
		return Summary{}, fmt.Errorf("seed: %w", err)
	}
	g := newGenerator(o, hash)
	var sum Summary
	err = bulk.Run(ctx, db, func(ctx context.Context, tx *bulk.Tx) error {
		// The indexes of the big tables (and on PostgreSQL their foreign keys) and
		// SQLite's search index are built once, at the end, in the same transaction.
		var restores []func(context.Context) error
		for _, t := range seededTables[1:] {
			restore, err := tx.DeferIndexesAndForeignKeys(ctx, t)
			if err != nil {
				return err
			}
			restores = append(restores, restore)
		}
		restore, err := deferSearchIndex(ctx, tx)
		if err != nil {
			return err
		}
		restores = append(restores, restore)
		if sum, err = g.write(ctx, tx); err != nil {
			return err
		}
		for _, restore := range restores {
			if err := restore(ctx); err != nil {
				return err
			}
		}
		for _, t := range []string{"user", "post", "message", "notification"} {
			if err := tx.ResetSequence(ctx, t, "id"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Summary{}, fmt.Errorf("seed: %w", err)
	}
	return sum, nil
}

// chunk is how many rows are generated and written at a time.
const chunk = 20_000

// generator makes the rows, in a fixed order from one random source.
type generator struct {
	o     Options
	hash  string
	r     *rand.Rand
	langs []*phrases // each user's language, by id-1
}

func newGenerator(o Options, hash string) *generator {
	return &generator{o: o, hash: hash, r: rand.New(rand.NewPCG(o.Seed, 0x6d6963726f626c6f))}
}

func (g *generator) progress(table string, done, total int) {
	if g.o.Progress != nil {
		g.o.Progress(table, done, total)
	}
}

// ago is a time at most d before Until, to the microsecond.
func (g *generator) ago(d time.Duration) time.Time {
	return g.o.Until.Add(-time.Duration(g.r.Int64N(int64(d/time.Microsecond))+1) * time.Microsecond).UTC()
}

func (g *generator) write(ctx context.Context, tx *bulk.Tx) (Summary, error) {
	var s Summary
	users, readTimes, err := g.users()
	if err != nil {
		return s, err
	}
	cols := []string{"id", "username", "email", "password_hash", "about_me", "last_seen", "last_message_read_time", "username_key", "language"}
	if err := g.insert(ctx, tx, "user", cols, users); err != nil {
		return s, err
	}
	s.Users = len(users)
	s.FirstUser = users[0][1].(string)

	if s.Posts, err = g.posts(ctx, tx); err != nil {
		return s, err
	}

	if s.Follows, err = g.follows(ctx, tx); err != nil {
		return s, err
	}
	if s.Messages, s.Notifications, err = g.messages(ctx, tx, readTimes); err != nil {
		return s, err
	}
	return s, nil
}

var postColumns = []string{"id", "body", "timestamp", "user_id", "language"}

// posts makes and writes the posts: the rows of the next chunk are made by a goroutine of
// their own while the transaction writes the previous one. One goroutine makes them all,
// in order, so they are the same on every run; it is done with g.r when posts returns.
func (g *generator) posts(ctx context.Context, tx *bulk.Tx) (int, error) {
	total := g.o.Users * g.o.PostsPerUser
	chunks := make(chan [][]any, 1)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		defer close(chunks)
		rows := make([][]any, 0, min(chunk, total))
		id := int64(0)
		for u := 1; u <= g.o.Users; u++ {
			for range g.o.PostsPerUser {
				id++
				lang := g.langs[u-1]
				if g.r.IntN(100) < 15 {
					lang = allPhrases[g.r.IntN(len(allPhrases))]
				}
				rows = append(rows, []any{id, g.sentence(lang), g.ago(time.Duration(g.o.Days) * 24 * time.Hour), int64(u), lang.code})
				if len(rows) == chunk || int(id) == total {
					select {
					case chunks <- rows:
					case <-stop:
						return
					}
					rows = make([][]any, 0, min(chunk, total-int(id)))
				}
			}
		}
	}()
	defer func() {
		close(stop)
		<-done
	}()
	written := 0
	for rows := range chunks {
		if err := tx.Insert(ctx, "post", postColumns, rows); err != nil {
			return 0, err
		}
		written += len(rows)
		g.progress("post", written, total)
	}
	if total == 0 {
		g.progress("post", 0, 0)
	}
	return total, nil
}

var allPhrases = []*phrases{&english, &spanish, &portuguese}

// insert writes rows in chunks, reporting progress.
func (g *generator) insert(ctx context.Context, tx *bulk.Tx, table string, cols []string, rows [][]any) error {
	for i := 0; i < len(rows); i += chunk {
		if err := tx.Insert(ctx, table, cols, rows[i:min(i+chunk, len(rows))]); err != nil {
			return err
		}
		g.progress(table, min(i+chunk, len(rows)), len(rows))
	}
	if len(rows) == 0 {
		g.progress(table, 0, 0)
	}
	return nil
}

// users makes the user rows and each user's last_message_read_time.
func (g *generator) users() ([][]any, []time.Time, error) {
	rows := make([][]any, 0, g.o.Users)
	readTimes := make([]time.Time, 0, g.o.Users)
	g.langs = make([]*phrases, 0, g.o.Users)
	keys := make(map[string]bool, g.o.Users)
	emails := make(map[string]bool, g.o.Users)
	for i := 1; i <= g.o.Users; i++ {
		first := firstNames[g.r.IntN(len(firstNames))]
		last := lastNames[g.r.IntN(len(lastNames))]
		name := first + "." + last
		if g.r.IntN(3) == 0 {
			name = first + "_" + last[:3]
		}
		if keys[username.Key(name)] {
			name += strconv.Itoa(i)
		}
		checked, err := username.Check(name)
		if err != nil || keys[username.Key(checked)] {
			return nil, nil, fmt.Errorf("made username %q for user %d: %v", name, i, err)
		}
		key := username.Key(checked)
		keys[key] = true
		email := asciiFold(checked) + "@example.com"
		if emails[email] {
			email = asciiFold(checked) + "." + strconv.Itoa(i) + "@example.com"
		}
		emails[email] = true

		lang := allPhrases[[]int{0, 0, 1, 2}[g.r.IntN(4)]]
		g.langs = append(g.langs, lang)
		var about, ui any
		if g.r.IntN(4) != 0 {
			about = lang.abouts[g.r.IntN(len(lang.abouts))]
		}
		if lang != &english && g.r.IntN(2) == 0 {
			ui = map[string]string{"es": "es", "pt": "pt_BR"}[lang.code]
		}
		lastSeen := g.ago(30 * 24 * time.Hour)
		read := g.ago(15 * 24 * time.Hour)
		readTimes = append(readTimes, read)
		rows = append(rows, []any{int64(i), checked, email, g.hash, about, lastSeen, read, key, ui})
	}
	return rows, readTimes, nil
}

// sentence is a post of at most 140 characters in the language of p.
func (g *generator) sentence(p *phrases) string {
	s := p.subjects[g.r.IntN(len(p.subjects))] + " " + p.verbs[g.r.IntN(len(p.verbs))] + " " +
		p.objects[g.r.IntN(len(p.objects))]
	if end := p.endings[g.r.IntN(len(p.endings))]; utf8.RuneCountInString(s)+1+utf8.RuneCountInString(end) <= 140 {
		s += " " + end
	}
	return s
}

// follows makes each user follow Follows distinct others.
func (g *generator) follows(ctx context.Context, tx *bulk.Tx) (int, error) {
	n, f := g.o.Users, g.o.Follows
	total := n * f
	rows := make([][]any, 0, min(chunk, total))
	done := 0
	picked := make(map[int]bool, f)
	for u := 1; u <= n && f > 0; u++ {
		clear(picked)
		var followed []int
		if 2*f > n {
			for _, v := range g.r.Perm(n) {
				if v+1 != u && len(followed) < f {
					followed = append(followed, v+1)
				}
			}
		} else {
			for len(followed) < f {
				v := g.r.IntN(n) + 1
				if v != u && !picked[v] {
					picked[v] = true
					followed = append(followed, v)
				}
			}
		}
		slices.Sort(followed) // primary-key order: appends to the index instead of splitting pages
		for _, v := range followed {
			rows = append(rows, []any{int64(u), int64(v)})
		}
		if len(rows) >= chunk || u == n {
			if err := tx.Insert(ctx, "followers", []string{"follower_id", "followed_id"}, rows); err != nil {
				return 0, err
			}
			done += len(rows)
			rows = rows[:0]
			g.progress("followers", done, total)
		}
	}
	return total, nil
}

// messages gives each user MessagesPerUser messages from others, within the last 30
// days, and a notification with the number of those received after the user's
// last_message_read_time, as the app keeps it.
func (g *generator) messages(ctx context.Context, tx *bulk.Tx, readTimes []time.Time) (int, int, error) {
	n, m := g.o.Users, g.o.MessagesPerUser
	var msgs, notes [][]any
	id := int64(0)
	msgCols := []string{"id", "sender_id", "recipient_id", "body", "timestamp"}
	for u := 1; u <= n && m > 0; u++ {
		if len(msgs) >= chunk {
			if err := tx.Insert(ctx, "message", msgCols, msgs); err != nil {
				return 0, 0, err
			}
			msgs = msgs[:0]
			g.progress("message", int(id), n*m)
		}
		unread := 0
		var newest time.Time
		for range m {
			id++
			from := g.r.IntN(n-1) + 1
			if from >= u {
				from++
			}
			ts := g.ago(30 * 24 * time.Hour)
			msgs = append(msgs, []any{id, int64(from), int64(u), messageBodies[g.r.IntN(len(messageBodies))], ts})
			if ts.After(readTimes[u-1]) {
				unread++
				if ts.After(newest) {
					newest = ts
				}
			}
		}
		if unread > 0 {
			stamp := float64(newest.UnixMicro()) / 1e6
			notes = append(notes, []any{int64(len(notes) + 1), unreadNotification, int64(u), stamp, strconv.Itoa(unread)})
		}
	}
	if err := tx.Insert(ctx, "message", msgCols, msgs); err != nil {
		return 0, 0, err
	}
	g.progress("message", n*m, n*m)
	if err := g.insert(ctx, tx, "notification", []string{"id", "name", "user_id", "timestamp", "payload_json"}, notes); err != nil {
		return 0, 0, err
	}
	return n * m, len(notes), nil
}

// asciiFold drops accents ("joão.garcía" → "joao.garcia"), for e-mail addresses.
func asciiFold(s string) string {
	out, _, err := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), s)
	if err != nil {
		return s
	}
	return strings.ToLower(out)
}
