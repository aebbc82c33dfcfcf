package dbcopy_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/dbcopy"
	"github.com/microblog/microblog/internal/jobs"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/seed"
	"github.com/microblog/microblog/internal/store"
	"github.com/microblog/microblog/internal/testdb"
	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrations"
)

func ptr[T any](v T) *T { return &v }

// micro is a time with microseconds, in UTC.
func micro(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05.000000", s)
	if err != nil {
		panic(err)
	}
	return t
}

// seeded is a migrated database of the dialect with seed data plus rows in every table
// that use every column type of the schema: Unicode (accents, emoji, other scripts),
// NULLs, times to the microsecond, booleans, floats and binary data.
func seeded(t *testing.T, dialect string, posts int) *database.DB {
	t.Helper()
	ctx := context.Background()
	db := testdb.Migrated(t, dialect)
	_, err := seed.Run(ctx, db, seed.Options{Users: 20, PostsPerUser: posts, Follows: 4, MessagesPerUser: 2, Seed: 5,
		Until: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Days: 60})
	if err != nil {
		t.Fatal(err)
	}
	blob := make([]byte, 256)
	for i := range blob {
		blob[i] = byte(i)
	}
	s := db.NewSession()
	defer s.Close()
	u := &models.User{Username: "zoë.ñandú", Email: "zoe@example.org", AboutMe: ptr("Ação, año, naïve café — 🎉🇧🇷 日本語 \"quotes\" 'single' \\ back"),
		LastSeen: ptr(micro("2026-10-30 12:34:56.123456")), LastMessageReadTime: nil,
		Token: ptr("0123456789abcdef0123456789abcdef"), TokenExpiration: ptr(micro("2026-12-31 23:59:59.999999")), Language: ptr("pt_BR")}
	s.Add(u)
	s.Add(&models.User{Username: "bare", Email: "bare@example.org"}) // NULLs everywhere they may be
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	rows := []any{
		&models.Post{Body: "Olá 👋🏽 ¿qué tal? — ünïcödé", Timestamp: micro("2026-10-31 23:59:59.000001"), UserID: u.ID, Language: nil},
		&models.Post{Body: "  spaces kept  ", Timestamp: micro("2000-01-01 00:00:00.000000"), UserID: u.ID, Language: ptr("")},
		&models.Follow{FollowerID: u.ID, FollowedID: 1},
		&models.Message{SenderID: u.ID, RecipientID: 1, Body: "🙂 até já", Timestamp: micro("2026-10-15 08:00:00.500000")},
		&models.Notification{Name: "unread_message_count", UserID: u.ID, Timestamp: 1761955200.123456, PayloadJSON: `{"n":3,"s":"ü"}`},
		&models.Task{ID: "0f8fad5b-d9cb-469f-a165-70867728950e", Name: "export_posts", Description: ptr("Exportando publicações…"), UserID: u.ID, Complete: false},
		&models.Task{ID: "7c9e6679-7425-40de-944b-e07fc1f90ae7", Name: "export_posts", Description: nil, UserID: 1, Complete: true},
		&models.WebSession{Token: "Tok-ABC_123", Data: blob, Expiry: micro("2026-11-02 10:00:00.654321")},
		&models.WebSession{Token: "tok-xyz_789", Data: []byte{}, Expiry: micro("2026-11-02 10:00:00.000000")},
		&models.RateLimit{Key: "login:ip:2001:db8::1", Hits: 7, WindowStart: micro("2026-11-01 00:00:00.000010")},
		&models.RateLimit{Key: "login:user:zoë", Hits: 0, WindowStart: micro("2026-11-01 00:00:00.100000")},
		&models.JobOutbox{Kind: "send_email", Args: []byte(`{"to":"zoë@example.org","body":"\u0000 not text"}`), MaxAttempts: 25, CreatedAt: micro("2026-11-01 01:02:03.040506")},
	}
	for _, r := range rows {
		s.Add(r)
	}
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	// Materialized timelines (a cache of the feeds, copied like any table): the
	// seeded users' and the one with the two odd timestamps.
	for _, id := range []int64{1, 2, u.ID} {
		if _, err := store.FollowingPosts(ctx, db.NewSession(), &models.User{ID: id}, 10, 0); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// dump reads every table of the app's models through bun, one JSON text per row,
// sorted: what the app would see, compared without the copy's own normalisation.
func dump(t *testing.T, db *database.DB) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, m := range models.All() {
		typ := reflect.TypeOf(m).Elem()
		slice := reflect.New(reflect.SliceOf(typ))
		if err := db.Bun.NewSelect().Model(slice.Interface()).Scan(context.Background()); err != nil {
			t.Fatalf("read %s: %v", typ.Name(), err)
		}
		var rows []string
		for i := range slice.Elem().Len() {
			b, err := json.Marshal(slice.Elem().Index(i).Interface())
			if err != nil {
				t.Fatal(err)
			}
			rows = append(rows, string(b))
		}
		slices.Sort(rows)
		out[typ.Name()] = rows
	}
	return out
}

func compare(t *testing.T, what string, want, got map[string][]string) {
	t.Helper()
	for table, w := range want {
		g := got[table]
		if len(g) != len(w) {
			t.Errorf("%s: %s has %d rows, want %d", what, table, len(g), len(w))
			continue
		}
		for i := range w {
			if g[i] != w[i] {
				t.Errorf("%s: %s row differs:\n got  %s\n want %s", what, table, g[i], w[i])
				break
			}
		}
	}
}

func copyOK(t *testing.T, src, dst *database.DB) *dbcopy.Result {
	t.Helper()
	res, err := dbcopy.Copy(context.Background(), src, dst, dbcopy.Options{BatchSize: 37})
	if err != nil {
		t.Fatalf("copy %s → %s: %v", src.Dialect, dst.Dialect, err)
	}
	return res
}

// TestRoundTripThroughEveryDialect copies SQLite → PostgreSQL → MariaDB → SQLite: every
// database on the way reads back, row by row through the app's models, exactly as the
// original.
func TestRoundTripThroughEveryDialect(t *testing.T) {
	orig := seeded(t, database.SQLite, 9)
	want := dump(t, orig)
	if n := len(want["Post"]); n != 20*9+2 {
		t.Fatalf("the source has %d posts", n)
	}
	if len(want["TimelineState"]) != 3 || len(want["TimelineEntry"]) < 20 {
		t.Fatalf("the source has %d materialized timelines, %d entries", len(want["TimelineState"]), len(want["TimelineEntry"]))
	}
	chain := []*database.DB{orig, testdb.Open(t, database.Postgres), testdb.Open(t, database.MySQL), testdb.Open(t, database.SQLite)}
	for i := 1; i < len(chain); i++ {
		res := copyOK(t, chain[i-1], chain[i])
		if res.Rows == 0 || len(res.Tables) != len(models.All()) {
			t.Errorf("copy %d: %+v", i, res)
		}
		compare(t, chain[i-1].Dialect+" → "+chain[i].Dialect, want, dump(t, chain[i]))
	}
	for _, db := range chain[1:] {
		appWrites(t, db)
	}
}

// appWrites adds a user, a post, a message and a notification the way the app does, on
// a copied database: generated ids follow the copied ones.
func appWrites(t *testing.T, db *database.DB) {
	t.Helper()
	ctx := context.Background()
	var maxUser, maxPost int64
	if err := db.SQL.QueryRowContext(ctx, `SELECT (SELECT MAX(id) FROM post), (SELECT MAX(id) FROM message)`).Scan(&maxPost, new(int64)); err != nil {
		t.Fatal(err)
	}
	if err := db.Bun.NewSelect().Model((*models.User)(nil)).ColumnExpr("MAX(id)").Scan(ctx, &maxUser); err != nil {
		t.Fatal(err)
	}
	s := db.NewSession()
	defer s.Close()
	u := &models.User{Username: "after.copy", Email: "after@example.org"}
	p := &models.Post{Body: "first post on the new database", Author: u}
	s.Add(u)
	s.Add(p)
	s.Add(&models.Message{SenderID: 1, RecipientID: 2, Body: "still works"})
	s.Add(&models.Notification{Name: "x", UserID: 1, PayloadJSON: "1"})
	s.Add(&models.JobOutbox{Kind: "k", Args: []byte("{}"), MaxAttempts: 1})
	if err := s.Commit(ctx); err != nil {
		t.Fatalf("%s: the app cannot write after the copy: %v", db.Dialect, err)
	}
	if u.ID != maxUser+1 || p.ID != maxPost+1 {
		t.Errorf("%s: new user %d post %d, want %d %d", db.Dialect, u.ID, p.ID, maxUser+1, maxPost+1)
	}
}

func count(t *testing.T, db *database.DB, table string) int {
	t.Helper()
	n, err := db.Bun.NewSelect().Table(table).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func TestRefusals(t *testing.T) {
	ctx := context.Background()
	src := seeded(t, database.SQLite, 3)
	repo, err := migrate.LoadRepo(migrations.FS, migrations.Dir)
	if err != nil {
		t.Fatal(err)
	}
	head, err := repo.Lookup(repo.Heads()[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			// A target with rows of its own.
			dst := testdb.Migrated(t, dialect)
			s := dst.NewSession()
			defer s.Close()
			s.Add(&models.User{Username: "someone", Email: "someone@example.org"})
			if err := s.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			_, err := dbcopy.Copy(ctx, src, dst, dbcopy.Options{})
			if !errors.Is(err, dbcopy.ErrTargetNotEmpty) || !strings.Contains(err.Error(), "table user has 1 rows") {
				t.Errorf("non-empty target: %v", err)
			}
			if n := count(t, dst, "post"); n != 0 {
				t.Errorf("the refused target has %d posts", n)
			}

			// A target at an older revision.
			old := testdb.Open(t, dialect)
			if err := (&migrate.Runner{DB: old.SQL, Dialect: old.Dialect, Repo: repo}).Upgrade(ctx, head.Down[0]); err != nil {
				t.Fatal(err)
			}
			_, err = dbcopy.Copy(ctx, src, old, dbcopy.Options{})
			if !errors.Is(err, dbcopy.ErrRevision) || !strings.Contains(err.Error(), "the target is at revision "+head.Down[0]) {
				t.Errorf("target at %s: %v", head.Down[0], err)
			}
			// … and a source at an older revision.
			_, err = dbcopy.Copy(ctx, old, testdb.Open(t, database.SQLite), dbcopy.Options{})
			if !errors.Is(err, dbcopy.ErrRevision) || !strings.Contains(err.Error(), "upgrade the source first") {
				t.Errorf("source at %s: %v", head.Down[0], err)
			}
		})
	}
	if _, err := dbcopy.Copy(ctx, src, src, dbcopy.Options{}); !errors.Is(err, dbcopy.ErrSameDatabase) {
		t.Errorf("copy onto itself: %v", err)
	}
}

// TestInterruptedCopyRuns again: a copy cancelled in the middle of the post table leaves
// the tables before it copied and post empty; run again, it keeps the former, copies the
// rest and verifies.
func TestInterruptedCopyRunsAgain(t *testing.T) {
	src := seeded(t, database.SQLite, 30)
	want := dump(t, src)
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			dst := testdb.Open(t, dialect)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			cut := 0
			_, err := dbcopy.Copy(ctx, src, dst, dbcopy.Options{BatchSize: 50, Progress: func(table string, done, total int) {
				if table == "post" && done >= 150 && cut == 0 {
					cut = done
					cancel()
				}
			}})
			if !errors.Is(err, context.Canceled) || cut == 0 {
				t.Fatalf("cancelled copy: %v (cut after %d posts)", err, cut)
			}
			if u, p := count(t, dst, "user"), count(t, dst, "post"); u != 22 || p != 0 {
				t.Fatalf("after the interruption: %d users, %d posts; want 22 and 0", u, p)
			}
			var lines strings.Builder
			res, err := dbcopy.Copy(context.Background(), src, dst, dbcopy.Options{BatchSize: 50, Log: &lines})
			if err != nil {
				t.Fatalf("second run: %v", err)
			}
			if !res.Tables[0].Kept || res.Tables[0].Name != "user" || res.Tables[1].Kept || !strings.Contains(lines.String(), "user: the target holds it already (22 rows), kept") {
				t.Errorf("second run: %+v\n%s", res.Tables, lines.String())
			}
			compare(t, "after the rerun", want, dump(t, dst))
			// A third run finds everything copied and changes nothing.
			res, err = dbcopy.Copy(context.Background(), src, dst, dbcopy.Options{})
			if err != nil || res.Rows != 0 {
				t.Errorf("third run: %v, %d rows written", err, res.Rows)
			}
			appWrites(t, dst)
		})
	}
}

func TestTablesAreInForeignKeyOrder(t *testing.T) {
	got, err := dbcopy.Tables()
	if err != nil {
		t.Fatal(err)
	}
	pos := map[string]int{}
	for i, n := range got {
		pos[n] = i
	}
	if len(got) != len(models.All()) {
		t.Fatalf("tables %v: want one per model (%d)", got, len(models.All()))
	}
	for _, child := range []string{"post", "followers", "message", "notification", "task"} {
		if pos[child] < pos["user"] {
			t.Errorf("%s comes before user: %v", child, got)
		}
	}
}

// TestAChangedValueIsNoCopy changes one value of a copied target in one way at a time
// (text, a microsecond, NULL against empty text, one byte of binary data): a rerun
// refuses the target, as the checksum no longer matches.
func TestAChangedValueIsNoCopy(t *testing.T) {
	ctx := context.Background()
	src := seeded(t, database.SQLite, 2)
	for table, change := range map[string]string{
		"post":       `UPDATE post SET body = body || '.' WHERE id = 3`,
		"message":    `UPDATE message SET timestamp = (SELECT timestamp FROM message WHERE id = 1) WHERE id = 2`,
		"user":       `UPDATE "user" SET about_me = '' WHERE about_me IS NULL AND id = (SELECT MIN(id) FROM "user" WHERE about_me IS NULL)`,
		"sessions":   `UPDATE sessions SET data = X'FF' || substr(data, 2) WHERE token = 'Tok-ABC_123'`,
		"rate_limit": `UPDATE rate_limit SET window_start = '2026-11-01 00:00:00.000011+00:00' WHERE hits = 7`,
	} {
		dst := testdb.Open(t, database.SQLite)
		copyOK(t, src, dst)
		r, err := dst.SQL.ExecContext(ctx, change)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := r.RowsAffected(); n != 1 {
			t.Fatalf("%s changed %d rows", change, n)
		}
		_, err = dbcopy.Copy(ctx, src, dst, dbcopy.Options{})
		if !errors.Is(err, dbcopy.ErrTargetNotEmpty) || !strings.Contains(err.Error(), "table "+table+" has") {
			t.Errorf("after %s: %v", change, err)
		}
	}
}

// TestQueuedJobsAreReportedNotCopied: River's tables are not the app's and differ between
// dialects; a copy says how many jobs it leaves behind.
func TestQueuedJobsAreReportedNotCopied(t *testing.T) {
	ctx := context.Background()
	for _, dialect := range []string{database.SQLite, database.Postgres} { // River's dialects
		t.Run(dialect, func(t *testing.T) {
			src := seeded(t, dialect, 1)
			q := testdb.Queue(t, src)
			tx, err := src.SQL.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := q.Enqueue(ctx, tx, jobs.Job{Kind: "send_email", Args: map[string]string{"to": "a@example.org"}}); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			var log strings.Builder
			dst := testdb.Open(t, database.SQLite)
			if _, err := dbcopy.Copy(ctx, src, dst, dbcopy.Options{Log: &log}); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(log.String(), "holds 1 unfinished jobs; they are not copied") {
				t.Errorf("log:\n%s", log.String())
			}
			var n int
			if err := dst.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'river%'").Scan(&n); err != nil || n != 0 {
				t.Errorf("the target has %d River tables (%v)", n, err)
			}
		})
	}
}

// TestAnOrphanIsRefusedOnEveryTarget: a source whose post points at no user (possible in
// SQLite with foreign keys off) cannot be copied: the foreign key refuses it on every
// dialect — on PostgreSQL, where the load checks foreign keys all at once at the end of
// the table, too — and the table stays empty, its foreign key in place.
func TestAnOrphanIsRefusedOnEveryTarget(t *testing.T) {
	ctx := context.Background()
	src := seeded(t, database.SQLite, 2)
	conn, err := src.SQL.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"PRAGMA foreign_keys = OFF",
		"INSERT INTO post (id, body, timestamp, user_id) VALUES (9999, 'orphan', '2026-01-01 00:00:00+00:00', 424242)",
		"PRAGMA foreign_keys = ON"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close()
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			dst := testdb.Open(t, dialect)
			_, err := dbcopy.Copy(ctx, src, dst, dbcopy.Options{BatchSize: 10})
			if err == nil || !strings.Contains(err.Error(), "copy post") || !strings.Contains(strings.ToLower(err.Error()), "foreign key") {
				t.Fatalf("copy with an orphan post: %v", err)
			}
			if n := count(t, dst, "post"); n != 0 {
				t.Errorf("the target has %d posts", n)
			}
			if dialect == database.Postgres {
				var n int
				if err := dst.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_constraint WHERE conrelid = 'post'::regclass AND contype = 'f'`).Scan(&n); err != nil || n != 1 {
					t.Errorf("post has %d foreign keys after the failed copy (%v), want 1", n, err)
				}
			}
		})
	}
}

// TestTextTheTargetCannotStoreIsNamed: SQLite written by another program can hold
// invalid UTF-8 or NUL bytes in text; every target refuses the copy with the row and
// column named, and keeps the table empty.
func TestTextTheTargetCannotStoreIsNamed(t *testing.T) {
	ctx := context.Background()
	for body, what := range map[string]string{"caf\xe9 latin-1": "invalid UTF-8", "nul\x00byte": "NUL"} {
		src := seeded(t, database.SQLite, 1)
		raw, err := sql.Open("sqlite", strings.TrimPrefix(src.URL, "sqlite:///")) // around the app's text guard
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.ExecContext(ctx, "UPDATE post SET body = ? WHERE id = 2", body); err != nil {
			t.Fatal(err)
		}
		raw.Close()
		for _, dialect := range testdb.Dialects {
			dst := testdb.Open(t, dialect)
			_, err := dbcopy.Copy(ctx, src, dst, dbcopy.Options{})
			if err == nil || !strings.Contains(err.Error(), "post (id=2): column body holds invalid UTF-8 or a NUL byte") {
				t.Errorf("%s into %s: %v", what, dialect, err)
			}
			if n := count(t, dst, "post"); n != 0 {
				t.Errorf("%s into %s: %d posts copied", what, dialect, n)
			}
		}
	}
}

// TestTheSourceIsReadInOneSnapshot: the site writes to the source while the copy runs;
// the copy is the database as it was when the copy started, and verifies.
func TestTheSourceIsReadInOneSnapshot(t *testing.T) {
	ctx := context.Background()
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			src := seeded(t, dialect, 10)
			want := dump(t, src)
			dst := testdb.Open(t, database.SQLite)
			wrote := false
			_, err := dbcopy.Copy(ctx, src, dst, dbcopy.Options{BatchSize: 20, Progress: func(table string, done, _ int) {
				if table == "user" && done > 0 && !wrote {
					wrote = true
					s := src.NewSession()
					defer s.Close()
					u := &models.User{Username: "late", Email: "late@example.org"}
					s.Add(u)
					s.Add(&models.Post{Body: "written during the copy", Author: u})
					if err := s.Commit(ctx); err != nil {
						t.Errorf("the site cannot write during the copy: %v", err)
					}
				}
			}})
			if err != nil || !wrote {
				t.Fatalf("copy: %v (wrote during it: %v)", err, wrote)
			}
			compare(t, "the copy", want, dump(t, dst))
			if n := count(t, src, "post"); n != 20*10+3 {
				t.Errorf("the source has %d posts, want %d", n, 20*10+3)
			}
		})
	}
}

// TestATargetThatChangesRowsFailsVerification: a target that does not store what it is
// given (here a trigger rewrites posts) is caught by the checksums.
func TestATargetThatChangesRowsFailsVerification(t *testing.T) {
	ctx := context.Background()
	src := seeded(t, database.SQLite, 2)
	dst := testdb.Migrated(t, database.SQLite)
	if _, err := dst.SQL.ExecContext(ctx, `CREATE TRIGGER shout AFTER INSERT ON post WHEN NEW.id = 7 BEGIN UPDATE post SET body = upper(body) WHERE id = NEW.id; END`); err != nil {
		t.Fatal(err)
	}
	_, err := dbcopy.Copy(ctx, src, dst, dbcopy.Options{})
	if !errors.Is(err, dbcopy.ErrVerify) || !strings.Contains(err.Error(), "post (source 42 rows") {
		t.Fatalf("copy into a rewriting target: %v", err)
	}
}

// TestADuplicateIsRefusedOnEveryTarget: a source whose unique index was dropped by hand
// holds two users with one e-mail address; every target refuses the copy of user —
// PostgreSQL, which builds its indexes after the load, too — and keeps its index.
func TestADuplicateIsRefusedOnEveryTarget(t *testing.T) {
	ctx := context.Background()
	src := seeded(t, database.SQLite, 1)
	for _, q := range []string{"DROP INDEX ix_user_email", "DROP INDEX uq_user_email_lower", `UPDATE "user" SET email = 'same@example.org' WHERE id IN (1, 2)`} {
		if _, err := src.SQL.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			dst := testdb.Open(t, dialect)
			_, err := dbcopy.Copy(ctx, src, dst, dbcopy.Options{})
			if err == nil || !strings.Contains(err.Error(), "copy user") || !strings.Contains(strings.ToLower(err.Error()), "duplicate") && !strings.Contains(err.Error(), "UNIQUE") {
				t.Fatalf("copy with a duplicate e-mail: %v", err)
			}
			if n := count(t, dst, "user"); n != 0 {
				t.Errorf("the target has %d users", n)
			}
			if dialect == database.Postgres {
				var n int
				if err := dst.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_indexes WHERE tablename = 'user' AND indexname = 'ix_user_email'`).Scan(&n); err != nil || n != 1 {
					t.Errorf("ix_user_email: %d (%v), want 1", n, err)
				}
			}
		})
	}
}
