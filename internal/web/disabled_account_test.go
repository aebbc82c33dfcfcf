package web_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
	"github.com/microblog/microblog/internal/web"
)

// setDisabled disables (or enables) an account through the store, as `microblog users
// disable` does.
func setDisabled(t *testing.T, db *database.DB, name string, disabled bool) {
	t.Helper()
	ctx := context.Background()
	s := db.NewSession()
	defer s.Close()
	u, err := store.UserByUsername(ctx, s, name)
	if err != nil {
		t.Fatal(err)
	}
	var at *time.Time
	if disabled {
		now := time.Now()
		at = &now
	}
	if changed, err := store.SetDisabled(ctx, s, u.ID, at); err != nil || !changed {
		t.Fatalf("set %s disabled=%v: changed %v, %v", name, disabled, changed, err)
	}
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

// A disabled account: its open notification stream ends at the next heartbeat, its
// session at the next request (and its row is deleted); signing in is answered as for a
// wrong password; a password-reset request sends nothing. Enabling it lets it in again.
// On every dialect.
func TestDisabledAccount(t *testing.T) {
	for _, dialect := range []string{database.SQLite, database.Postgres, database.MySQL} {
		t.Run(dialect, func(t *testing.T) {
			s := newMailSite(t, dialect, nil)
			web.SetStreamTimings(s.app, 200*time.Millisecond, time.Second)
			susan := signedIn(t, s.site, "susan", false)
			expect(t, "a page fingerprints the session", susan.get("/index"), http.StatusOK, "")
			st := openStream(t, susan, s.srv.URL, "")
			rows := sessionRows(t, s.db)

			setDisabled(t, s.db, "susan", true)
			st.waitEnd("after the account was disabled", 3*time.Second)
			expect(t, "the next request", susan.get("/index"), http.StatusFound, "/auth/login?next=%2Findex")
			if n := sessionRows(t, s.db); n != rows-1 {
				t.Errorf("%d session rows after the disabled user's request, want %d (the session deleted)", n, rows-1)
			}
			expect(t, "sign-in with the right password", susan.login("susan", sessionTestPassword), http.StatusFound, "/auth/login")
			expect(t, "the sign-in page", susan.get("/auth/login"), http.StatusOK, "", "Invalid username or password")
			expect(t, "reset request", susan.requestReset("susan@example.com"), http.StatusFound, "/auth/login")
			if msgs := s.smtp.Wait(1, 2*time.Second); len(msgs) != 0 {
				t.Errorf("a reset e-mail was sent to a disabled account")
			}
			if len(s.logs.lines("password reset asked for a disabled account")) != 1 {
				t.Errorf("the refused reset was not logged")
			}
			var u models.User
			if err := s.db.Bun.NewSelect().Model(&u).Where("username = ?", "susan").Scan(context.Background()); err != nil || !u.Disabled() {
				t.Fatalf("susan: disabled %v, %v", u.Disabled(), err)
			}

			setDisabled(t, s.db, "susan", false)
			expect(t, "sign-in once enabled", susan.login("susan", sessionTestPassword), http.StatusFound, "/index")
			expect(t, "home", susan.get("/index"), http.StatusOK, "")
		})
	}
}
