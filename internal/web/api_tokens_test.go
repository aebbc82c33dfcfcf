package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/api"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/password"
	"github.com/microblog/microblog/internal/store"
	"github.com/microblog/microblog/internal/testdb"
)

var tokenFormat = regexp.MustCompile(`^[0-9a-f]{32}$`)

// Tokens: Basic in, a new 32-hex token out, each call a new one; only its hash is
// stored; DELETE ends it; an expired token, or one issued before a password change,
// is refused with the Bearer challenge.
func TestAPITokens(t *testing.T) {
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			s := newAPISite(t, dialect, api.Limits{})
			ctx := context.Background()
			addAPIUser(t, s.db, "susan")

			r := s.do(apiReq{method: "POST", path: "/api/tokens"})
			expectError(t, "no credentials", r, http.StatusUnauthorized, "")
			if got := r.header.Get("WWW-Authenticate"); got != `Basic realm="Authentication Required"` {
				t.Errorf("WWW-Authenticate %q", got)
			}
			expectError(t, "wrong password", s.do(apiReq{method: "POST", path: "/api/tokens", basicUser: "susan", basicPass: "nope"}), http.StatusUnauthorized, "")
			expectError(t, "unknown user", s.do(apiReq{method: "POST", path: "/api/tokens", basicUser: "nobody", basicPass: apiPassword}), http.StatusUnauthorized, "")
			// A look-alike of the name (Cyrillic Ѕ) is another name: no token.
			expectError(t, "look-alike name", s.do(apiReq{method: "POST", path: "/api/tokens", basicUser: "Ѕusan", basicPass: apiPassword}), http.StatusUnauthorized, "")

			tok1, tok2 := s.tokenOf("susan"), s.tokenOf("SUSAN") // the name folds as at sign-in
			if !tokenFormat.MatchString(tok1) || !tokenFormat.MatchString(tok2) || tok1 == tok2 {
				t.Fatalf("tokens %q and %q: want two different 32-hex tokens", tok1, tok2)
			}
			for _, tok := range []string{tok1, tok2} {
				if r := s.get("/api/users", tok); r.status != http.StatusOK {
					t.Fatalf("token %s: %d %s", tok, r.status, r.body)
				}
			}
			// Stored hashed: the rows hold SHA-256 of the tokens, never the tokens.
			var rows []models.APIToken
			if err := s.db.Bun.NewSelect().Model(&rows).Order("id").Scan(ctx); err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256([]byte(tok1))
			if len(rows) != 2 || rows[0].TokenHash != hex.EncodeToString(sum[:]) || rows[1].TokenHash == tok2 {
				t.Fatalf("token rows %+v", rows)
			}
			if d := rows[0].ExpiresAt.Sub(rows[0].CreatedAt); d != time.Hour {
				t.Errorf("token lives %v, want 1h", d)
			}
			var plain int64
			if plain, _ = s.db.Bun.NewSelect().Model((*models.User)(nil)).Where("token IS NOT NULL").Count(ctx); plain != 0 {
				t.Errorf("%d users hold a plaintext token", plain)
			}

			// Revocation ends that token only.
			r = s.do(apiReq{method: "DELETE", path: "/api/tokens"})
			expectError(t, "revoke without token", r, http.StatusUnauthorized, "")
			if got := r.header.Get("WWW-Authenticate"); got != `Bearer realm="Authentication Required"` {
				t.Errorf("WWW-Authenticate %q", got)
			}
			r = s.do(apiReq{method: "DELETE", path: "/api/tokens", token: tok1})
			if r.status != http.StatusNoContent || len(r.body) != 0 {
				t.Fatalf("revoke: %d %q", r.status, r.body)
			}
			expectError(t, "revoked token", s.get("/api/users", tok1), http.StatusUnauthorized, "")
			expectError(t, "revoke twice", s.do(apiReq{method: "DELETE", path: "/api/tokens", token: tok1}), http.StatusUnauthorized, "")
			if r := s.get("/api/users", tok2); r.status != http.StatusOK {
				t.Fatalf("the other token after revoking one: %d", r.status)
			}

			// Expired: good up to its expiry, refused after.
			tok3 := s.tokenOf("susan")
			setTokenExpiry(t, s, tok3, time.Now().UTC().Add(-time.Second))
			expectError(t, "expired token", s.get("/api/users", tok3), http.StatusUnauthorized, "")

			// Malformed Authorization headers.
			for _, h := range []string{"Bearer", "Bearer " + tok2 + "x", "Basic " + tok2, "Bearer " + string([]byte{0xff, 0xfe}), "Bearer " + upper(tok2)} {
				r := s.do(apiReq{method: "GET", path: "/api/users", header: http.Header{"Authorization": {h}}})
				expectError(t, "Authorization "+url.QueryEscape(h), r, http.StatusUnauthorized, "")
			}

			// A password change (here as the reset form makes it) ends every token.
			var u models.User
			sess := s.db.NewSession()
			defer sess.Close()
			if err := sess.NewSelect().Model(&u).Where("username = ?", "susan").Scan(ctx); err != nil {
				t.Fatal(err)
			}
			h, err := password.Hash("another good passphrase")
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := store.ReplacePassword(ctx, sess, u.ID, u.PasswordHash, h); err != nil || !ok {
				t.Fatalf("replace password: %v %v", ok, err)
			}
			if err := sess.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			expectError(t, "token after a password change", s.get("/api/users", tok2), http.StatusUnauthorized, "")
			// … and any other write of the hash does too (the CLI, an admin's UPDATE).
			tok4 := s.tokenOfWith("susan", "another good passphrase")
			if _, err := s.db.Bun.NewUpdate().Model((*models.User)(nil)).Set("password_hash = ?", *u.PasswordHash).Where("id = ?", u.ID).Exec(ctx); err != nil {
				t.Fatal(err)
			}
			expectError(t, "token after a direct hash change", s.get("/api/users", tok4), http.StatusUnauthorized, "")
		})
	}
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func (s *apiSite) tokenOfWith(name, pw string) string {
	s.t.Helper()
	r := s.do(apiReq{method: "POST", path: "/api/tokens", basicUser: name, basicPass: pw})
	if r.status != http.StatusOK {
		s.t.Fatalf("token for %s: %d %s", name, r.status, r.body)
	}
	return r.json(s.t)["token"].(string)
}

func setTokenExpiry(t *testing.T, s *apiSite, token string, at time.Time) {
	t.Helper()
	sum := sha256.Sum256([]byte(token))
	res, err := s.db.Bun.NewUpdate().Model((*models.APIToken)(nil)).Set("expires_at = ?", at).
		Where("token_hash = ?", hex.EncodeToString(sum[:])).Exec(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("token row not found")
	}
}

// A signed-in browser's session cookie authenticates nothing in the API: a page of
// another site cannot use a visitor's session against it.
func TestAPIIgnoresTheSessionCookie(t *testing.T) {
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			s := newAPISite(t, dialect, api.Limits{})
			addAPIUser(t, s.db, "susan")
			b := (&site{t: t, srv: s.srv, db: s.db}).browser()
			expect(t, "login", b.post("/auth/login", url.Values{"username": {"susan"}, "password": {apiPassword}}), http.StatusFound, "/index")
			for _, req := range []*http.Request{
				mustRequest(t, "GET", s.srv.URL+"/api/users", ""),
				mustRequest(t, "POST", s.srv.URL+"/api/posts", `{"body":"by cookie"}`),
				mustRequest(t, "PUT", s.srv.URL+"/api/users/1", `{"about_me":"by cookie"}`),
			} {
				res, err := b.c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != http.StatusUnauthorized {
					t.Errorf("%s %s with a session cookie: %d, want 401", req.Method, req.URL.Path, res.StatusCode)
				}
			}
		})
	}
}

func mustRequest(t *testing.T, method, url, body string) *http.Request {
	t.Helper()
	var r *http.Request
	var err error
	if body == "" {
		r, err = http.NewRequest(method, url, nil)
	} else {
		r, err = http.NewRequest(method, url, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	}
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Token requests are rate limited per client address and per address and account,
// with a JSON 429 and Retry-After; concurrent requests each get a token of their own.
func TestAPITokenLimitsAndConcurrency(t *testing.T) {
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			s := newAPISite(t, dialect, api.Limits{TokensPerAddress: 12, TokensPerAccount: 8})
			addAPIUser(t, s.db, "susan")
			addAPIUser(t, s.db, "john")
			const n = 8
			tokens := make([]string, n)
			statuses := make([]int, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := s.do(apiReq{method: "POST", path: "/api/tokens", basicUser: "susan", basicPass: apiPassword})
					statuses[i] = r.status
					if r.status == http.StatusOK {
						tokens[i] = r.json(t)["token"].(string)
					}
				}()
			}
			wg.Wait()
			seen := map[string]bool{}
			for i, tok := range tokens {
				if statuses[i] != http.StatusOK || seen[tok] {
					t.Fatalf("concurrent token %d: status %d, token %q (seen before: %v)", i, statuses[i], tok, seen[tok])
				}
				seen[tok] = true
				if r := s.get("/api/users", tok); r.status != http.StatusOK {
					t.Errorf("concurrent token %d refused: %d", i, r.status)
				}
			}
			// The 9th on the account from this address is over its limit, even with the
			// right password; another account still has the address's remaining budget.
			r := s.do(apiReq{method: "POST", path: "/api/tokens", basicUser: "susan", basicPass: apiPassword})
			expectError(t, "over the account limit", r, http.StatusTooManyRequests, "too many attempts")
			if ra := r.header.Get("Retry-After"); ra == "" || ra == "0" {
				t.Errorf("Retry-After %q", ra)
			}
			for i := 0; i < 3; i++ { // attempts 10–12 from the address
				if r := s.do(apiReq{method: "POST", path: "/api/tokens", basicUser: "john", basicPass: apiPassword}); r.status != http.StatusOK {
					t.Fatalf("john's token %d: %d %s", i, r.status, r.body)
				}
			}
			expectError(t, "over the address limit", s.do(apiReq{method: "POST", path: "/api/tokens", basicUser: "john", basicPass: apiPassword}), http.StatusTooManyRequests, "")
		})
	}
}

// A user of an adopted Flask database (Werkzeug hash) gets a token with the old
// password; the hash is left as it is, so the token and the user's sessions live on.
func TestAPITokenForWerkzeugHash(t *testing.T) {
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			s := newAPISite(t, dialect, api.Limits{})
			ctx := context.Background()
			hash := "pbkdf2:sha256:260000$a1b2c3d4e5f6g7h8$c6f736fd9b4753dc4d4bf5aff487029abd59b2193ff28d5a10f2505da4ce7c30"
			addUsers(t, s.db, &models.User{Username: "flask", Email: "flask@example.com", PasswordHash: &hash})
			tok := s.tokenOfWith("flask", "dog")
			var u models.User
			if err := s.db.Bun.NewSelect().Model(&u).Where("username = 'flask'").Scan(ctx); err != nil {
				t.Fatal(err)
			}
			if *u.PasswordHash != hash {
				t.Errorf("hash changed by a token request: %s", *u.PasswordHash)
			}
			if r := s.get("/api/users", tok); r.status != http.StatusOK {
				t.Errorf("token of a Werkzeug user: %d", r.status)
			}
			expectError(t, "wrong password", s.do(apiReq{method: "POST", path: "/api/tokens", basicUser: "flask", basicPass: "cat"}), http.StatusUnauthorized, "")
		})
	}
}

// A disabled account (microblog users disable) cannot use the API: its tokens are
// deleted and would be refused anyway, and its password obtains no new one (401, as a
// wrong password); enabled again, it signs in to the API as before.
func TestAPIDisabledAccount(t *testing.T) {
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			s := newAPISite(t, dialect, api.Limits{})
			susan := addAPIUser(t, s.db, "susan")
			tok := s.tokenOf("susan")
			setDisabled := func(at *time.Time) {
				t.Helper()
				sess := s.db.NewSession()
				defer sess.Close()
				if ok, err := store.SetDisabled(context.Background(), sess, susan.ID, at); err != nil || !ok {
					t.Fatalf("set disabled %v: %v %v", at, ok, err)
				}
				if err := sess.Commit(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			now := time.Now()
			setDisabled(&now)
			expectError(t, "token of a disabled account", s.get("/api/users", tok), http.StatusUnauthorized, "")
			r := s.do(apiReq{method: "POST", path: "/api/tokens", basicUser: "susan", basicPass: apiPassword})
			expectError(t, "new token for a disabled account", r, http.StatusUnauthorized, "")
			if r.header.Get("WWW-Authenticate") != `Basic realm="Authentication Required"` {
				t.Errorf("challenge: %q", r.header.Get("WWW-Authenticate"))
			}
			n, err := s.db.Bun.NewSelect().Model((*models.APIToken)(nil)).Where("user_id = ?", susan.ID).Count(context.Background())
			if err != nil || n != 0 {
				t.Errorf("%d tokens kept for the disabled account (%v)", n, err)
			}
			setDisabled(nil)
			if r := s.get("/api/users", s.tokenOf("susan")); r.status != http.StatusOK {
				t.Errorf("enabled again: %d %s", r.status, r.body)
			}
		})
	}
}
