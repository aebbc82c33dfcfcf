package database_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
)

// hostileText is text built to break out of a string literal or to be stored changed:
// quotes and escapes of every dialect, comment and statement separators, placeholders,
// look-alike quotes, characters some client charsets read as a backslash, controls,
// bidi overrides, 4-byte characters, and sizes beyond any column.
var hostileText = []string{
	"", "'", "''", "\\", "\\'", "\\\\'", "a\\", "\"", "`", "'; DROP TABLE \"user\"; --",
	"x' OR '1'='1", "x\\' OR 1=1 -- ", "/* c */", "--", ";", "?", "??", "$1", "%s %d %%", ":name", "@v",
	"ʼ ’ ＇ ‘ ″ ＂", "¥ ₩ \u00a5\\", "\x1a\x08\r\n\t", "\x01\x7f\u0085\u2028\u2029", "\u202eevil\u202c",
	"😀 𝔘 \U0010FFFF", "e\u0301", "\ufeffbom", strings.Repeat("'\\", 5000), strings.Repeat("ü", 10000),
}

// invalidText cannot be stored unchanged on every dialect and must be refused.
var invalidText = []string{"\x00", "a\x00b", "\xff", "a\xc3", "\xed\xa0\x80", "ok\x00'; DROP TABLE \"user\"; --"}

// Any text is either given back exactly as it went in — selected as an argument, stored
// in a row and read back, matched in a WHERE clause — or refused with ErrInvalidText
// before the statement runs, with nothing written. No value can change what a statement
// does: bun writes arguments into the SQL text, so this is the proof that its quoting,
// with our textDialect, holds on every dialect.
func TestTextRoundTripsExactlyOrIsRefused(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := db.NewSession()
		owner := &models.User{Username: "owner", Email: "owner@example.com"}
		s.Add(owner)
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		for i, text := range hostileText {
			var got string
			if err := db.Bun.NewRaw("SELECT ?", text).Scan(ctx, &got); err != nil || got != text {
				t.Fatalf("SELECT %q = %q, %v", trim(text), trim(got), err)
			}
			body := text
			if utf8.RuneCountInString(body) > 140 && db.Dialect != database.SQLite {
				body = string([]rune(body)[:140]) // post.body is varchar(140) where lengths are enforced
			}
			p := &models.Post{Body: body, UserID: owner.ID}
			s.Add(p)
			if err := s.Commit(ctx); err != nil {
				t.Fatalf("store %d %q: %v", i, trim(body), err)
			}
			var stored string
			if err := db.SQL.QueryRowContext(ctx, rebind(db, "SELECT body FROM post WHERE id = ?"), p.ID).Scan(&stored); err != nil || stored != body {
				t.Fatalf("stored %q, read back %q (%v)", trim(body), trim(stored), err)
			}
			var n int
			if err := db.Bun.NewRaw("SELECT count(*) FROM post WHERE body = ?", body).Scan(ctx, &n); err != nil || n < 1 {
				t.Fatalf("WHERE body = %q matched %d rows (%v)", trim(body), n, err)
			}
			if err := db.Bun.NewRaw("SELECT count(*) FROM post WHERE body = ? AND id < 0", body).Scan(ctx, &n); err != nil || n != 0 {
				t.Fatalf("WHERE body = %q AND id < 0 matched %d rows (%v): the text changed the statement", trim(body), n, err)
			}
		}
		before := count(t, db, (*models.Post)(nil))
		for _, text := range invalidText {
			var got string
			if err := db.Bun.NewRaw("SELECT ?", text).Scan(ctx, &got); !errors.Is(err, database.ErrInvalidText) {
				t.Errorf("SELECT %q: %v (got %q), want ErrInvalidText", text, err, got)
			}
			s.Add(&models.Post{Body: text, UserID: owner.ID})
			if err := s.Commit(ctx); !errors.Is(err, database.ErrInvalidText) {
				t.Errorf("store %q: %v, want ErrInvalidText", text, err)
			}
			s.Rollback(ctx)
			if _, err := db.SQL.ExecContext(ctx, rebind(db, "INSERT INTO post (body, user_id) VALUES (?, ?)"), text, owner.ID); !errors.Is(err, database.ErrInvalidText) {
				t.Errorf("raw insert %q: %v, want ErrInvalidText", text, err)
			}
		}
		if after := count(t, db, (*models.Post)(nil)); after != before {
			t.Errorf("refused text wrote %d rows", after-before)
		}
	})
}

// FuzzTextRoundTrip: for any string, on every configured dialect, SELECT ? gives it back
// exactly or refuses it with ErrInvalidText when it is not database.ValidText.
func FuzzTextRoundTrip(f *testing.F) {
	for _, s := range append(append([]string{}, hostileText[:len(hostileText)-2]...), invalidText...) {
		f.Add(s)
	}
	var dbs []*database.DB
	for _, d := range testdb.Dialects {
		if d == database.SQLite || testdb.Configured(d) {
			dbs = append(dbs, testdb.Open(f, d))
		}
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, db := range dbs {
			var got string
			err := db.Bun.NewRaw("SELECT ?", text).Scan(context.Background(), &got)
			if database.ValidText(text) {
				if err != nil || got != text {
					t.Fatalf("%s: SELECT %q = %q, %v", db.Dialect, text, got, err)
				}
			} else if !errors.Is(err, database.ErrInvalidText) {
				t.Fatalf("%s: SELECT %q: %v, want ErrInvalidText", db.Dialect, text, err)
			}
		}
	})
}

func trim(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// rebind turns ? placeholders into PostgreSQL's $n.
func rebind(db *database.DB, q string) string {
	if db.Dialect != database.Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$")
			b.WriteString(string(rune('0' + n)))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
