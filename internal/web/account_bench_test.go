package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
	"github.com/microblog/microblog/internal/web"
)

// benchSessions is how many signed-in sessions the table holds in
// BenchmarkSessionTokensOf: one per user of the home page benchmark's data set.
const benchSessions = 10_000

// BenchmarkSessionTokensOf measures what deleting an account adds for its sessions:
// reading every stored session (the table has no user column), here 10,000 of 10,000
// users, on each dialect configured. "bound": every session carries its password
// fingerprint, as sessions do from their first page, and only the account's own is
// decoded; "unbound": none does, so every one is decoded — the cost of every session
// before the fingerprint filter, measured in the same run as its baseline.
//
//	go test ./internal/web -run '^$' -bench SessionTokensOf -benchtime 20x
func BenchmarkSessionTokensOf(b *testing.B) {
	for _, d := range testdb.Dialects {
		if !testdb.Configured(d) {
			continue
		}
		for _, bound := range []bool{true, false} {
			name := d + "/unbound"
			if bound {
				name = d + "/bound"
			}
			b.Run(name, func(b *testing.B) { benchSessionTokensOf(b, d, bound) })
		}
	}
}

func benchSessionTokensOf(b *testing.B, d string, bound bool) {
	db := testdb.Migrated(b, d)
	cfg, err := config.Load(func(string) (string, bool) { return "", false }, "")
	if err != nil {
		b.Fatal(err)
	}
	app, err := web.New(db, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		b.Fatal(err)
	}
	user := func(i int) *models.User {
		h := fmt.Sprintf("argon2id-stand-in-%d", i)
		return &models.User{ID: int64(i + 1), PasswordHash: &h}
	}
	ctx := context.Background()
	expiry := time.Now().UTC().Add(time.Hour)
	rows := make([]models.WebSession, 0, 1000)
	for i := range benchSessions {
		values := map[string]any{"user_id": int64(i + 1)}
		if bound {
			values["password_fp"] = app.SessionFingerprint(user(i))
		}
		data, err := scs.GobCodec{}.Encode(expiry, values)
		if err != nil {
			b.Fatal(err)
		}
		rows = append(rows, models.WebSession{Token: fmt.Sprintf("%043d", i), Data: data, Expiry: expiry})
		if len(rows) == cap(rows) {
			if _, err := db.Bun.NewInsert().Model(&rows).Exec(ctx); err != nil {
				b.Fatal(err)
			}
			rows = rows[:0]
		}
	}
	target := user(benchSessions / 2)
	b.ResetTimer()
	for b.Loop() {
		tokens, err := app.SessionTokensOf(ctx, target)
		if err != nil || len(tokens) != 1 {
			b.Fatalf("tokens %v, %v", tokens, err)
		}
	}
}
