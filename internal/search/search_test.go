package search_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/search"
	"github.com/microblog/microblog/internal/store"
	"github.com/microblog/microblog/internal/testdb"
	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrations"
)

// corpus writes posts (body, language) oldest first, one second apart, and returns
// their ids in the same order.
func corpus(t *testing.T, db *database.DB, posts ...[2]string) []int64 {
	t.Helper()
	ctx := context.Background()
	s := db.NewSession()
	defer s.Close()
	n, err := s.NewSelect().Model((*models.User)(nil)).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("writer%d", n)
	u := &models.User{Username: name, Email: name + "@example.com"}
	s.Add(u)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var ps []*models.Post
	for i, p := range posts {
		lang := p[1]
		ps = append(ps, &models.Post{Body: p[0], Language: &lang, Author: u, Timestamp: start.Add(time.Duration(i) * time.Second)})
		s.Add(ps[i])
	}
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids
}

// find runs a search in a session of its own (as a request does) and returns the
// bodies found.
func find(t *testing.T, db *database.DB, query string, limit, offset int) []string {
	t.Helper()
	s := db.NewSession()
	defer s.Close()
	posts, err := search.Posts(context.Background(), s, query, limit, offset)
	if err != nil {
		t.Fatalf("search %q: %v", query, err)
	}
	var out []string
	for _, p := range posts {
		if p.Author == nil || !strings.HasPrefix(p.Author.Username, "writer") {
			t.Fatalf("search %q: post %d came without its author", query, p.ID)
		}
		out = append(out, p.Body)
	}
	return out
}

// filler are posts that match none of the tests' queries: InnoDB's relevance weighs a
// word by how rare it is, and a word found in every row weighs nothing.
var filler = [][2]string{
	{"Lunch was soup and bread today", "en"}, {"Reading a long novel this week", "en"},
	{"Weather is grey and windy outside", "en"}, {"Meeting moved to Thursday morning", "en"},
	{"New keyboard arrived yesterday", "en"}, {"Watching the football final tonight", "en"},
}

func forEachDialect(t *testing.T, f func(t *testing.T, db *database.DB)) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) { f(t, testdb.Migrated(t, d)) })
	}
}

func TestResultsComeMostRelevantFirstThenNewest(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		corpus(t, db, append(slices.Clone(filler),
			[2]string{"parrots parrots parrots everywhere parrots", "en"}, // oldest, most about parrots
			[2]string{"one parrots picture from the zoo trip", "en"},
			[2]string{"another parrots photo from the zoo trip", "en"}, // newest of the equals
		)...)
		got := find(t, db, "parrots", 10, 0)
		want := []string{"parrots parrots parrots everywhere parrots", "another parrots photo from the zoo trip", "one parrots picture from the zoo trip"}
		if !slices.Equal(got, want) {
			t.Errorf("parrots:\n got %q\nwant %q", got, want)
		}
		// Every word must be present.
		if got := find(t, db, "parrots zoo photo", 10, 0); !slices.Equal(got, []string{"another parrots photo from the zoo trip"}) {
			t.Errorf("parrots zoo photo: got %q", got)
		}
		if got := find(t, db, "parrots nowhere", 10, 0); len(got) != 0 {
			t.Errorf("parrots nowhere: got %q, want nothing", got)
		}
	})
}

func TestStemmingFollowsThePostsLanguage(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		corpus(t, db, append(slices.Clone(filler),
			[2]string{"I run along the river every morning", "en"},
			[2]string{"Los perros corren en el parque", "es"},
		)...)
		running := find(t, db, "running", 10, 0)
		perro := find(t, db, "perro", 10, 0)
		switch db.Dialect {
		case database.MySQL: // InnoDB FULLTEXT has no stemmer: words match as written
			if len(running) != 0 || len(perro) != 0 {
				t.Errorf("MySQL has no stemming, yet running found %q and perro %q", running, perro)
			}
			if got := find(t, db, "run", 10, 0); len(got) != 1 {
				t.Errorf("run: got %q", got)
			}
		case database.SQLite: // Porter (English) stemming for every post
			if len(running) != 1 {
				t.Errorf("running: got %q, want the post with run", running)
			}
		case database.Postgres: // each post stemmed in its own language
			if len(running) != 1 {
				t.Errorf("running: got %q, want the post with run", running)
			}
			if len(perro) != 1 || !strings.Contains(perro[0], "perros") {
				t.Errorf("perro: got %q, want the Spanish post with perros", perro)
			}
			if got := find(t, db, "corriendo", 10, 0); len(got) != 1 {
				t.Errorf("corriendo: got %q, want the Spanish post with corren", got)
			}
		}
		if got := find(t, db, "RIVER", 10, 0); len(got) != 1 {
			t.Errorf("RIVER: got %q, want case not to matter", got)
		}
	})
}

// The index follows the table whoever writes it: plain SQL, as another feature (post
// deletion, an operator's fix) would.
func TestPlainSQLUpdatesAndDeletesShowAtOnce(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ids := corpus(t, db, append(slices.Clone(filler),
			[2]string{"gardening with tomatoes this spring", "en"},
			[2]string{"tomatoes are ripe in the garden", "en"},
		)...)
		ctx := context.Background()
		first, second := ids[len(ids)-2], ids[len(ids)-1]
		if got := find(t, db, "tomatoes", 10, 0); len(got) != 2 {
			t.Fatalf("tomatoes before: got %q", got)
		}
		if _, err := db.Bun.NewRaw("UPDATE post SET body = ? WHERE id = ?", "gardening with cucumbers this spring", first).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if got := find(t, db, "tomatoes", 10, 0); !slices.Equal(got, []string{"tomatoes are ripe in the garden"}) {
			t.Errorf("tomatoes after the update: got %q", got)
		}
		if got := find(t, db, "cucumbers", 10, 0); !slices.Equal(got, []string{"gardening with cucumbers this spring"}) {
			t.Errorf("cucumbers after the update: got %q", got)
		}
		if _, err := db.Bun.NewRaw("DELETE FROM post WHERE id = ?", second).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if got := find(t, db, "tomatoes", 10, 0); len(got) != 0 {
			t.Errorf("tomatoes after the delete: got %q", got)
		}
		// A post written through the models is found at once too.
		corpus(t, db, [2]string{"fresh tomatoes again", "en"})
		if got := find(t, db, "tomatoes", 10, 0); !slices.Equal(got, []string{"fresh tomatoes again"}) {
			t.Errorf("tomatoes after a new post: got %q", got)
		}
	})
}

// Whatever is typed is searched as words: no error, and the words still find.
func TestHostileQueriesAreWords(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		corpus(t, db, append(slices.Clone(filler), [2]string{"the hedgehog sleeps under leaves", "en"})...)
		finds := []string{`"hedgehog`, `hedgehog"`, `"hedgehog"`, `hedgehog*`, `*hedgehog`, `-hedgehog`, `+hedgehog`,
			`hedgehog:`, `hedgehog:leaves`, `^hedgehog`, `(hedgehog)`, `hedgehog\`, `'hedgehog'`, `hedgehog;--`,
			"hedgehog\x00", "\x00hedgehog", "hedgehog\xff\xfe", "leaves\xffhedgehog", `hedgehog~`, `@hedgehog`, `hedgehog%`,
			"HEDGEHOG", strings.Repeat("hedgehog ", 1200)}
		for _, q := range finds {
			if got := find(t, db, q, 10, 0); len(got) != 1 {
				t.Errorf("%.40q: got %q, want the hedgehog post", q, got)
			}
		}
		nothing := []string{"", " ", "\x00", "\xff\xfe", `"`, `*`, `-`, `:`, `NEAR`, `NEAR(hedgehog leaves)zzzz`, `AND OR NOT`,
			`hedgehog NOT_A_WORD_xyz`, strings.Repeat("x", 10<<10), strings.Repeat("lorem ipsum dolor ", 600),
			strings.Repeat(`"*-:() `, 1500), "ｈｅｄｇｅｈｏｇ zzzqqq", "hed\xffgehog", `body:hedgehog`}
		for _, q := range nothing {
			if got := find(t, db, q, 10, 0); len(got) != 0 {
				t.Errorf("%.40q: got %q, want nothing", q, got)
			}
		}
	})
}

func TestWords(t *testing.T) {
	for q, want := range map[string][]string{
		`"Hello" world*`:         {"hello", "world"},
		"NEAR(a b) AND c-d:e":    {"near", "a", "b", "and", "c", "d", "e"},
		"x\x00y\xffz":            {"x", "y", "z"},
		"dog dog DOG":            {"dog"},
		"café naïve":             {"café", "naïve"},
		"":                       nil,
		strings.Repeat("é", 100): {strings.Repeat("é", search.MaxWordBytes/2)},
	} {
		if got := search.Words(q); !slices.Equal(got, want) {
			t.Errorf("Words(%q) = %q, want %q", q, got, want)
		}
	}
	var many []string
	for i := range 100 {
		many = append(many, fmt.Sprintf("w%d", i))
	}
	if got := search.Words(strings.Join(many, " ")); len(got) != search.MaxWords || got[0] != "w0" {
		t.Errorf("100 words: kept %d, want the first %d", len(got), search.MaxWords)
	}
}

func TestPagesSplitTheRankedList(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		var posts [][2]string
		posts = append(posts, filler...)
		for i := range 7 {
			posts = append(posts, [2]string{fmt.Sprintf("kayak trip number %d", i), "en"})
		}
		corpus(t, db, posts...)
		all := find(t, db, "kayak", 100, 0)
		if len(all) != 7 {
			t.Fatalf("kayak: %d posts, want 7", len(all))
		}
		var paged []string
		for off := 0; off < 9; off += 3 {
			paged = append(paged, find(t, db, "kayak", 3, off)...)
		}
		if !slices.Equal(paged, all) {
			t.Errorf("pages of 3:\n%q\nwant the whole list in order:\n%q", paged, all)
		}
		if all[0] != "kayak trip number 6" {
			t.Errorf("equally relevant posts: first is %q, want the newest", all[0])
		}
	})
}

func TestReindexRebuildsADamagedIndex(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		var posts [][2]string
		for i := range 25 {
			posts = append(posts, [2]string{fmt.Sprintf("lighthouse keeper log %d", i), "en"})
		}
		corpus(t, db, append(posts, filler...)...)
		ctx := context.Background()
		// Damage the index behind the database's back.
		var damage string
		switch db.Dialect {
		case database.SQLite:
			damage = `INSERT INTO post_fts (post_fts) VALUES ('delete-all')`
		case database.Postgres:
			damage = `UPDATE pg_index SET indisvalid = indisvalid WHERE false` // nothing to break: checked below
		case database.MySQL:
			damage = "ALTER TABLE `post` DROP INDEX `ft_post_body`"
		}
		if _, err := db.SQL.ExecContext(ctx, damage); err != nil {
			t.Fatal(err)
		}
		var calls [][2]int64
		if err := search.Reindex(ctx, db, func(done, total int64) { calls = append(calls, [2]int64{done, total}) }); err != nil {
			t.Fatal(err)
		}
		if len(calls) < 2 || calls[0] != [2]int64{0, 31} || calls[len(calls)-1] != [2]int64{31, 31} {
			t.Errorf("progress calls %v, want 0 of 31 first and 31 of 31 last", calls)
		}
		if got := find(t, db, "lighthouse", 100, 0); len(got) != 25 {
			t.Errorf("lighthouse after reindex: %d posts, want 25", len(got))
		}
		if drift := driftOf(t, db); len(drift) != 0 {
			t.Errorf("after reindex the schema drifted: %v", drift)
		}
	})
}

// The objects of the search revision are declared unmanaged: `db check` finds no drift
// at head, on any dialect, and autogenerate proposes nothing for them.
func TestSearchIndexIsNotDrift(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		if drift := driftOf(t, db); len(drift) != 0 {
			t.Errorf("drift at head: %v", drift)
		}
	})
}

func driftOf(t *testing.T, db *database.DB) []string {
	t.Helper()
	repo, err := migrate.LoadRepo(migrations.FS, migrations.Dir)
	if err != nil {
		t.Fatal(err)
	}
	drift, err := (&migrate.Runner{DB: db.SQL, Dialect: db.Dialect, Repo: repo}).Drift(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return drift
}

// Taking the revision back and applying it again indexes the posts already there.
func TestRevisionAppliedAgainIndexesExistingPosts(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		corpus(t, db, append(slices.Clone(filler), [2]string{"walrus colony on the beach", "en"})...)
		repo, err := migrate.LoadRepo(migrations.FS, migrations.Dir)
		if err != nil {
			t.Fatal(err)
		}
		r := &migrate.Runner{DB: db.SQL, Dialect: db.Dialect, Repo: repo}
		ctx := context.Background()
		if err := r.Downgrade(ctx, "-1"); err != nil {
			t.Fatal(err)
		}
		if drift, err := r.Drift(ctx); err != nil || len(drift) != 0 {
			t.Errorf("after downgrade: drift %v, %v", drift, err)
		}
		if err := r.Upgrade(ctx, "heads"); err != nil {
			t.Fatal(err)
		}
		if got := find(t, db, "walrus", 10, 0); len(got) != 1 {
			t.Errorf("walrus after downgrade and upgrade: got %q", got)
		}
	})
}

// Relevance orders each window of the search.Window newest matches; paging walks every
// match once, windows newest first, a page straddling two windows included.
func TestWindowsRankTheNewestMatchesFirst(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		// The oldest match is the most relevant: it leads the last window only.
		ids := corpus(t, db, append(slices.Clone(filler), [2]string{"otter otter otter otter otter", "en"})...)
		strongest := ids[len(ids)-1]
		var userID int64
		if err := db.SQL.QueryRowContext(ctx, "SELECT MAX(user_id) FROM post").Scan(&userID); err != nil {
			t.Fatal(err)
		}
		const more = 2*search.Window + 99
		for done := 0; done < more; {
			var values []string
			for ; done < more && len(values) < 500; done++ {
				values = append(values, fmt.Sprintf("('otter sighting %d', '2026-02-01 00:00:00', %d, 'en')", done, userID))
			}
			if _, err := db.SQL.ExecContext(ctx, "INSERT INTO post (body, timestamp, user_id, language) VALUES "+strings.Join(values, ", ")); err != nil {
				t.Fatal(err)
			}
		}
		s := db.NewSession()
		defer s.Close()
		var all []int64
		for offset := 0; ; offset += 150 {
			page, err := search.PostIDs(ctx, s, "otter", 150, offset)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, page...)
			if len(page) < 150 {
				break
			}
		}
		if len(all) != more+1 {
			t.Fatalf("paging found %d matches, want %d", len(all), more+1)
		}
		seen := map[int64]bool{}
		for _, id := range all {
			if seen[id] {
				t.Fatalf("post %d found twice", id)
			}
			seen[id] = true
		}
		if all[2*search.Window] != strongest {
			t.Errorf("the most relevant (and oldest) match is at %d, want %d (first of the last window)", slices.Index(all, strongest), 2*search.Window)
		}
		first := slices.Clone(all[:search.Window])
		slices.Sort(first)
		if min := first[0]; slices.ContainsFunc(all[search.Window:], func(id int64) bool { return id > min }) {
			t.Error("the first window is not the newest matches")
		}
		straddle, err := search.PostIDs(ctx, s, "otter", 26, search.Window-10)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(straddle, all[search.Window-10:search.Window+16]) {
			t.Errorf("a page across two windows differs from the same stretch of the whole list")
		}
	})
}

// The app's own deletions (store.DeletePost, store.DeleteAccount) are reflected at once:
// the index follows the rows, whoever deletes them.
func TestDeletedPostsAndAccountsLeaveTheResults(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		ids := corpus(t, db, append(slices.Clone(filler), [2]string{"a badger in the garden", "en"}, [2]string{"another badger at dusk", "en"})...)
		other := corpus(t, db, [2]string{"badger tracks in the snow", "en"})
		var author, otherAuthor int64
		if err := db.Bun.QueryRowContext(ctx, "SELECT user_id FROM post WHERE id = ?", ids[0]).Scan(&author); err != nil {
			t.Fatal(err)
		}
		if err := db.Bun.QueryRowContext(ctx, "SELECT user_id FROM post WHERE id = ?", other[0]).Scan(&otherAuthor); err != nil {
			t.Fatal(err)
		}
		s := db.NewSession()
		defer s.Close()
		if err := store.DeletePost(ctx, s, author, ids[len(ids)-1]); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if got := find(t, db, "badger", 10, 0); !slices.Equal(got, []string{"badger tracks in the snow", "a badger in the garden"}) {
			t.Errorf("badger after deleting a post: %q", got)
		}
		if _, err := store.DeleteAccount(ctx, s, otherAuthor, store.AccountRows{}); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if got := find(t, db, "badger", 10, 0); !slices.Equal(got, []string{"a badger in the garden"}) {
			t.Errorf("badger after deleting an account: %q", got)
		}
	})
}
