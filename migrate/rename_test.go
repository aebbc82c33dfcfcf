package migrate_test

import (
	"context"
	"strings"
	"testing"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/migratetest"
	"github.com/microblog/microblog/migrate/schema"
)

// A hinted rename keeps the rows, on every dialect, both ways; without the hint the
// candidates are reported.
func TestRenamesKeepData(t *testing.T) {
	before := sch(users(), posts())
	after := func() *schema.Schema {
		u := users()
		u.Name = "account"
		u.Indexes[0].Name = "ix_account_username"
		u.Column("email").Name = "mail"
		p := posts()
		p.ForeignKeys[0].RefTable = "account"
		p.ForeignKeys[0].Name = "fk_post_user_id_account"
		return sch(u, p)
	}()
	cands := migrate.RenameCandidates(before, after)
	if strings.Join(cands, " ") != "user=account" {
		t.Fatalf("candidates = %v", cands)
	}
	var hints migrate.Renames
	for _, h := range []string{"user=account", "account.email=mail"} {
		if err := hints.ParseRename(h); err != nil {
			t.Fatal(err)
		}
	}
	up, detected, err := migrate.DiffRenaming(before, after, hints)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(detected, "\n"), "Detected renamed table 'user' to 'account'\nDetected renamed column 'account.email' to 'account.mail'") {
		t.Fatalf("detected = %v", detected)
	}
	down, _, err := migrate.DiffRenaming(after, before, hints.Inverse())
	if err != nil {
		t.Fatal(err)
	}
	first := chain(t, before)[0]
	second := &migrate.Revision{ID: "rev002", Down: []string{first.ID}, Message: "rename", Upgrade: up, Downgrade: down}
	forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
		ctx := context.Background()
		r := runner(t, db, repoFS(t, first, second))
		if err := r.Upgrade(ctx, first.ID); err != nil {
			t.Fatal(err)
		}
		fillRows(t, db, before, 0)
		if err := r.Upgrade(ctx, "head"); err != nil {
			t.Fatal(err)
		}
		if g, w := canonical(inspect(t, db), db.Dialect), canonical(after, db.Dialect); g != w {
			t.Fatalf("after rename:\n%s\nwant:\n%s", g, w)
		}
		q := `SELECT count(*) FROM "account" WHERE mail IS NOT NULL`
		if db.Dialect == migrate.MySQL {
			q = "SELECT count(*) FROM `account` WHERE mail IS NOT NULL"
		}
		var n int
		if err := db.SQL.QueryRowContext(ctx, q).Scan(&n); err != nil || n != 2 {
			t.Fatalf("rows kept through the rename: %d, %v", n, err)
		}
		if err := r.Downgrade(ctx, "-1"); err != nil {
			t.Fatal(err)
		}
		if g, w := canonical(inspect(t, db), db.Dialect), canonical(before, db.Dialect); g != w {
			t.Fatalf("after downgrade:\n%s\nwant:\n%s", g, w)
		}
	})
}
