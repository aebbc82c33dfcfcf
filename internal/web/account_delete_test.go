package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
	"github.com/microblog/microblog/internal/web"
)

// accountFixture is a site with three users, alice (deleted by the tests) signed in
// twice, bob and carol once, and rows of every kind for each of them.
type accountFixture struct {
	s                  *site
	alice, alice2, bob *browser
	aliceID, bobID     int64
	// aliceOutbox are the job_outbox ids of alice's jobs.
	aliceOutbox []int64
}

func newAccountFixture(t *testing.T, dialect string) *accountFixture {
	t.Helper()
	s, _, _ := newDialectSite(t, dialect, nil)
	f := &accountFixture{s: s}
	// alice is created last, so that SQLite, which may give the next user the largest
	// id free, can hand her id to whoever registers after her deletion.
	f.bob = signedIn(t, s, "bob", false)
	carol := signedIn(t, s, "carol", false)
	f.alice = signedIn(t, s, "alice", false)
	f.alice2 = s.browser()
	expect(t, "alice's second sign-in", f.alice2.login("alice", sessionTestPassword), http.StatusFound, "/index")
	_ = carol
	f.aliceID, f.bobID = userID(t, s, "alice"), userID(t, s, "bob")
	carolID := userID(t, s, "carol")

	ctx := context.Background()
	insert := func(v any) {
		t.Helper()
		if _, err := s.db.Bun.NewInsert().Model(v).Exec(ctx); err != nil {
			t.Fatalf("insert %T: %v", v, err)
		}
	}
	now := time.Now().UTC().Truncate(time.Second)
	for i, p := range []struct {
		user int64
		body string
	}{{f.aliceID, "alice 1"}, {f.bobID, "bob 1"}, {f.aliceID, "alice 2"}, {carolID, "carol 1"}} {
		insert(&models.Post{UserID: p.user, Body: p.body, Timestamp: now.Add(time.Duration(i) * time.Second)})
	}
	for _, fl := range [][2]int64{{f.aliceID, f.bobID}, {f.bobID, f.aliceID}, {carolID, f.aliceID}, {carolID, f.bobID}, {f.bobID, carolID}} {
		insert(&models.Follow{FollowerID: fl[0], FollowedID: fl[1]})
	}
	for _, m := range [][2]int64{{f.aliceID, f.bobID}, {f.bobID, f.aliceID}, {f.bobID, carolID}, {carolID, f.aliceID}} {
		insert(&models.Message{SenderID: m[0], RecipientID: m[1], Body: fmt.Sprintf("from %d to %d", m[0], m[1]), Timestamp: now})
	}
	for _, id := range []int64{f.aliceID, f.bobID} {
		insert(&models.Notification{Name: "unread_message_count", UserID: id, Timestamp: float64(now.Unix()), PayloadJSON: "1"})
		desc := "Exporting posts..."
		insert(&models.Task{ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", id), Name: "export_posts", Description: &desc, UserID: id})
		for _, k := range []string{"message-send:", "translate:"} {
			insert(&models.RateLimit{Key: k + strconv.FormatInt(id, 10), Hits: 1, WindowStart: now})
		}
	}
	// A key that starts like alice's but is another user's.
	insert(&models.RateLimit{Key: "translate:" + strconv.FormatInt(f.aliceID, 10) + "0", Hits: 1, WindowStart: now})
	for _, args := range []any{
		map[string]any{"task_id": "x", "user_id": f.aliceID},
		map[string]any{"to": []string{"ALICE@example.com"}, "subject": "s", "text": "t"},
		map[string]any{"task_id": "y", "user_id": f.bobID},
		map[string]any{"to": []string{"bob@example.com"}, "subject": "s", "text": "t"},
		map[string]any{"not": "a job of ours", "user": f.aliceID},
	} {
		b, _ := json.Marshal(args)
		row := &models.JobOutbox{Kind: "send_email", Args: b, MaxAttempts: 1, CreatedAt: now}
		insert(row)
		if m := args.(map[string]any); m["user_id"] == f.aliceID || m["subject"] != nil && strings.HasPrefix(m["to"].([]string)[0], "ALICE") {
			f.aliceOutbox = append(f.aliceOutbox, row.ID)
		}
	}
	if len(f.aliceOutbox) != 2 {
		t.Fatalf("alice's outbox rows = %v", f.aliceOutbox)
	}
	return f
}

// owns says which rows belong to alice's account by their content, not by a foreign
// key: her sessions (the user id is inside their encoded data), the rate-limit counts
// kept by her id or address, her queued jobs.
func (f *accountFixture) owns(t *testing.T) func(table string, r tableRow) bool {
	id := strconv.FormatInt(f.aliceID, 10)
	tokens := []string{sessionCookie(f.alice).Value, sessionCookie(f.alice2).Value}
	outbox := map[string]bool{}
	for _, o := range f.aliceOutbox {
		outbox[strconv.FormatInt(o, 10)] = true
	}
	return func(table string, r tableRow) bool {
		switch table {
		case "user":
			return r["id"] == id
		case "sessions":
			return slices.Contains(tokens, r["token"])
		case "rate_limit":
			return r["key"] == "message-send:"+id || r["key"] == "translate:"+id
		case "job_outbox":
			return outbox[r["id"]]
		}
		return false
	}
}

// Deleting an account leaves every table of the schema as it was minus exactly the
// account's rows: rows that name the user through a foreign key (and rows that name
// those, and so on), its sessions, its rate-limit counts and its queued jobs. The table
// list comes from the live catalog and the foreign keys from the live schema, so a
// table added later is checked without being named here.
func TestDeleteAccountLeavesNoRowOfTheUser(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			f := newAccountFixture(t, d)
			s := f.s
			before := snapshotTables(t, s.db)
			fks := foreignKeys(t, s.db)
			want, counts := withoutRows(before, fks, f.owns(t))
			// The rule above must find alice's rows in every table that holds some, or
			// the comparison proves nothing.
			for table, n := range map[string]int{"user": 1, "post": 2, "followers": 3, "message": 3,
				"notification": 1, "task": 1, "sessions": 2, "rate_limit": 2, "job_outbox": 2} {
				if counts[table] != n {
					t.Fatalf("the fixture has %d rows of alice in %s, want %d (foreign keys: %v)", counts[table], table, n, fks[table])
				}
			}
			oldCookie := sessionCookie(f.alice2).Value

			expect(t, "confirmation page", f.alice.get("/delete_account"), http.StatusOK, "",
				"<h1>Delete Account</h1>", "those you sent, which disappear from their recipients&#39; inboxes", `type="password"`)
			expect(t, "delete", f.alice.post("/delete_account", url.Values{"password": {sessionTestPassword}}), http.StatusFound, "/auth/login")
			expect(t, "signed out, with a flash", f.alice.get("/auth/login"), http.StatusOK, "", "Your account has been deleted.")

			diffSnapshots(t, snapshotTables(t, s.db), want)

			// No column that refers to a user holds alice's id any more.
			after := snapshotTables(t, s.db)
			id := strconv.FormatInt(f.aliceID, 10)
			for table, rows := range after {
				var cols []string
				for _, fk := range fks[table] {
					if fk.RefTable == "user" {
						cols = append(cols, fk.Columns...)
					}
				}
				if len(rows) > 0 {
					for c := range rows[0] {
						if c == "user_id" || strings.HasSuffix(c, "_user_id") {
							cols = append(cols, c)
						}
					}
				}
				for _, r := range rows {
					for _, c := range cols {
						if r[c] == id {
							t.Errorf("%s.%s still refers to the deleted user: %v", table, c, r)
						}
					}
				}
			}

			// Her other session is signed out, and stays so once her name and perhaps her
			// id belong to someone else.
			expect(t, "the other session", f.alice2.get("/index"), http.StatusFound, "/auth/login?next=%2Findex")
			again := s.browser()
			expect(t, "register the name again", again.register("alice", "alice@example.com", sessionTestPassword), http.StatusFound, "/auth/login")
			expect(t, "sign in as the new alice", again.login("alice", sessionTestPassword), http.StatusFound, "/index")
			p := again.get("/user/alice")
			expect(t, "the new alice's profile", p, http.StatusOK, "", "0 followers, 0 following.")
			if strings.Contains(p.body, "alice 1") || strings.Contains(p.body, "alice 2") {
				t.Error("the new alice shows the old alice's posts")
			}
			if p := again.get("/messages"); strings.Contains(p.body, "from ") {
				t.Errorf("the new alice reads the old alice's messages:\n%s", p.body)
			}
			replay := s.browser()
			replay.c.Jar.SetCookies(mustURL(s.srv.URL), []*http.Cookie{{Name: "microblog_session", Value: oldCookie, Path: "/"}})
			expect(t, "the old session's cookie, replayed", replay.get("/index"), http.StatusFound, "/auth/login?next=%2Findex")
			expect(t, "bob is untouched", f.bob.get("/user/bob"), http.StatusOK, "", "bob 1", "1 follower, 1 following.")
		})
	}
}

// The password is checked as a sign-in is: a wrong or missing one deletes nothing and
// says so in the form, hostile values are only wrong passwords, and failures run into
// the sign-in policy's limit.
func TestDeleteAccountNeedsThePassword(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			s, app, logs := newDialectSite(t, d, nil)
			app.RecordSigninDelays()
			app.SetSigninLimits(100, 6, 100, time.Millisecond)
			alice := signedIn(t, s, "alice", false)
			id := userID(t, s, "alice")
			expect(t, "no password", alice.post("/delete_account", url.Values{}), http.StatusOK, "", "This field is required.")
			for _, pw := range []string{"wrong", "a\x00b", "\xff\xfe", strings.Repeat("x", 4000), sessionTestPassword + " ", "ѕession-test-horse-staple-9"} {
				expect(t, fmt.Sprintf("password %q", pw), alice.post("/delete_account", url.Values{"password": {pw}}), http.StatusOK, "", "Invalid password.")
			}
			// Six failures from this address on this account: the seventh attempt is
			// refused before its password is checked, even the right one.
			p := alice.post("/delete_account", url.Values{"password": {sessionTestPassword}})
			expect(t, "over the limit", p, http.StatusTooManyRequests, "", "Too many attempts.")
			if userID(t, s, "alice") != id {
				t.Fatal("alice changed")
			}
			expect(t, "still signed in", alice.get("/index"), http.StatusOK, "", "Hi, alice!")
			anon := s.browser()
			expect(t, "anonymous", anon.post("/delete_account", url.Values{"password": {sessionTestPassword}}), http.StatusFound, "/auth/login?next=%2Fdelete_account")
			expect(t, "anonymous form", anon.get("/delete_account"), http.StatusFound, "/auth/login?next=%2Fdelete_account")
			req, _ := http.NewRequest("POST", s.srv.URL+"/delete_account", strings.NewReader("password="+sessionTestPassword))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			expect(t, "cross-site", alice.do(req), http.StatusForbidden, "")
			if userID(t, s, "alice") != id {
				t.Fatal("alice changed")
			}
			if l := logs.lines("level=ERROR"); len(l) > 0 {
				t.Errorf("errors logged: %q", l)
			}
		})
	}
}

// Two deletions of one account at once (two tabs, a double click), while the account's
// other session keeps making requests: both deletions end signed out, nothing answers
// 500, and the other session is signed out once the deletion committed.
func TestDeleteAccountConcurrently(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			f := newAccountFixture(t, d)
			s := f.s
			third := s.browser()
			expect(t, "third sign-in", third.login("alice", sessionTestPassword), http.StatusFound, "/index")
			var tokens []string
			for _, b := range []*browser{f.alice, f.alice2, third} {
				tokens = append(tokens, sessionCookie(b).Value)
			}
			stop := make(chan struct{})
			var busy sync.WaitGroup
			var statuses []int
			busy.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					statuses = append(statuses, f.alice2.get("/index").status)
				}
			})
			var wg sync.WaitGroup
			results := make([]page, 2)
			for i, b := range []*browser{f.alice, third} {
				wg.Go(func() { results[i] = b.post("/delete_account", url.Values{"password": {sessionTestPassword}}) })
			}
			wg.Wait()
			close(stop)
			busy.Wait()
			for i, p := range results {
				expect(t, fmt.Sprintf("deletion %d", i), p, http.StatusFound, "/auth/login")
			}
			for _, st := range statuses {
				if st != http.StatusOK && st != http.StatusFound {
					t.Errorf("a request of the other session answered %d", st)
				}
			}
			expect(t, "the other session afterwards", f.alice2.get("/index"), http.StatusFound, "/auth/login?next=%2Findex")
			n, err := s.db.Bun.NewSelect().Model((*models.User)(nil)).Where("username = ?", "alice").Count(context.Background())
			if err != nil || n != 0 {
				t.Fatalf("alice rows = %d, %v", n, err)
			}
			if n := sessionRowsLeft(t, s.db, tokens); n != 0 {
				t.Errorf("%d sessions of alice left", n)
			}
		})
	}
}

// sessionRowsLeft counts the stored sessions among tokens.
func sessionRowsLeft(t *testing.T, db *database.DB, tokens []string) int {
	t.Helper()
	n, err := db.Bun.NewSelect().Model((*models.WebSession)(nil)).Where("token IN (?)", bun.List(tokens)).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// A notification stream of the deleted account, open in another browser, ends with the
// deletion, long before its next heartbeat would have checked its session.
func TestDeleteAccountEndsItsStreams(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			s, app, _ := newDialectSite(t, d, nil)
			web.SetStreamTimings(app, time.Minute, 100*time.Millisecond)
			alice, bob := signedIn(t, s, "alice", false), signedIn(t, s, "bob", false)
			other := s.browser()
			expect(t, "alice's other sign-in", other.login("alice", sessionTestPassword), http.StatusFound, "/index")
			expect(t, "a page fingerprints the session", other.get("/index"), http.StatusOK, "")
			st := openStream(t, other, s.srv.URL, "")
			bobs := openStream(t, bob, s.srv.URL, "")
			st.none("idle", 300*time.Millisecond)
			expect(t, "delete", alice.post("/delete_account", url.Values{"password": {sessionTestPassword}}), http.StatusFound, "/auth/login")
			st.waitEnd("after the deletion", 5*time.Second)
			select {
			case <-bobs.ended:
				t.Fatal("bob's stream ended too")
			default:
			}
			p := other.get("/notifications/stream")
			if p.status != http.StatusUnauthorized {
				t.Errorf("a new stream of the deleted account: %d, want 401", p.status)
			}
		})
	}
}
