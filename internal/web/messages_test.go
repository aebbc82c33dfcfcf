package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
	"github.com/microblog/microblog/internal/testdb"
	"github.com/microblog/microblog/internal/web"
)

var badgeRE = regexp.MustCompile(`<span id="message_count" class="badge text-bg-danger( invisible)?">(\d+)</span>`)

// badge is the unread count the navbar shows on p, and whether it is visible.
func badge(t *testing.T, what string, p page) (int, bool) {
	t.Helper()
	m := badgeRE.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("%s: no message badge in the navbar (%d)\n%.3000s", what, p.status, p.body)
	}
	var n int
	fmt.Sscan(m[2], &n)
	return n, m[1] == ""
}

func expectBadge(t *testing.T, what string, p page, want int) {
	t.Helper()
	n, visible := badge(t, what, p)
	if n != want || visible != (want != 0) {
		t.Fatalf("%s: badge %d (visible %v), want %d (visible %v)", what, n, visible, want, want != 0)
	}
}

// notificationItem is one element of /notifications.
type notificationItem struct {
	Name      string          `json:"name"`
	Data      json.RawMessage `json:"data"`
	Timestamp float64         `json:"timestamp"`
}

func notificationsSince(t *testing.T, b *browser, since string) []notificationItem {
	t.Helper()
	p := b.get("/notifications?since=" + url.QueryEscape(since))
	if p.status != http.StatusOK || !strings.HasPrefix(p.header.Get("Content-Type"), "application/json") {
		t.Fatalf("/notifications?since=%s: %d %s\n%s", since, p.status, p.header.Get("Content-Type"), p.body)
	}
	var items []notificationItem
	if err := json.Unmarshal([]byte(p.body), &items); err != nil {
		t.Fatalf("/notifications: %v\n%s", err, p.body)
	}
	return items
}

// unreadNotification is the data of the user's unread_message_count notification; it
// fails the test unless there is exactly one.
func unreadNotification(t *testing.T, b *browser) int {
	t.Helper()
	var found []string
	for _, it := range notificationsSince(t, b, "0") {
		if it.Name == "unread_message_count" {
			found = append(found, string(it.Data))
		}
	}
	if len(found) != 1 {
		t.Fatalf("unread_message_count notifications: %q, want one", found)
	}
	var n int
	fmt.Sscan(found[0], &n)
	return n
}

func messageRows(t *testing.T, s *site) int { return countRows(t, s, "message") }

func TestMessageRoutesNeedLogin(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	for _, r := range []struct{ method, path string }{
		{"GET", "/send_message/john"}, {"POST", "/send_message/john"}, {"GET", "/messages"}, {"GET", "/messages/sent"},
	} {
		req, _ := http.NewRequest(r.method, s.srv.URL+r.path, nil)
		p := b.do(req)
		if p.status != http.StatusFound || p.location != "/auth/login?next="+url.QueryEscape(r.path) {
			t.Errorf("%s %s anonymous: %d %q", r.method, r.path, p.status, p.location)
		}
	}
	expect(t, "login page", b.get("/auth/login"), 200, "", "Please log in to access this page.")
	if strings.Contains(b.get("/auth/login").body, "notifications.js") {
		t.Error("the notification script is loaded for an anonymous visitor")
	}
}

// Two users exchange messages: the form, the flashes, the badge of each, the inbox with
// its Reply link, the sent view, and the unread_message_count notifications, on every
// dialect.
func TestMessageSendAndRead(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			s, _, logs := newDialectSite(t, d, nil)
			john, susan := signedIn(t, s, "john", false), signedIn(t, s, "susan", false)

			expect(t, "susan's profile", john.get("/user/susan"), 200, "", `<a href="/send_message/susan">Send private message</a>`)
			if strings.Contains(john.get("/user/john").body, "Send private message") {
				t.Error("own profile offers to send a private message")
			}
			p := john.get("/send_message/susan")
			expect(t, "form", p, 200, "", "<title>Send Message - Microblog</title>", "<h1>Send Message to susan</h1>",
				`<label class="form-label" for="message">Message</label>`, `<textarea`, `name="message"`, `maxlength="140"`, ">Submit</button>",
				`<script src="/static/js/notifications.`)
			expectBadge(t, "john's badge", p, 0)
			expect(t, "form, name in another case", john.get("/send_message/SUSAN"), 200, "", "<h1>Send Message to susan</h1>")
			expect(t, "unknown recipient", john.get("/send_message/nobody"), 404, "", "Not Found")
			expect(t, "post to unknown recipient", john.post("/send_message/nobody", url.Values{"message": {"hi"}}), 404, "")

			expect(t, "to self", john.get("/send_message/john"), 302, "/user/john")
			expect(t, "to self, posted", john.post("/send_message/john", url.Values{"message": {"hi me"}}), 302, "/user/john")
			expect(t, "flash", john.get("/user/john"), 200, "", "You cannot send a message to yourself.")

			expect(t, "empty", john.post("/send_message/susan", url.Values{"message": {" \t\r\n "}}), 200, "", "This field is required.")
			expect(t, "missing", john.post("/send_message/susan", nil), 200, "", "This field is required.")
			expect(t, "too long", john.post("/send_message/susan", url.Values{"message": {strings.Repeat("é", 141)}}), 200, "",
				"Field must be between 1 and 140 characters long.", strings.Repeat("é", 141))
			if n := messageRows(t, s); n != 0 {
				t.Fatalf("%d messages stored by refused forms", n)
			}

			expect(t, "send", john.post("/send_message/susan", url.Values{"message": {"  hello susan  "}}), 302, "/user/susan")
			expect(t, "flash", john.get("/user/susan"), 200, "", "Your message has been sent.")
			expect(t, "140 characters", john.post("/send_message/SUSAN", url.Values{"message": {strings.Repeat("ü", 140)}}), 302, "/user/susan")

			home := susan.get("/index")
			expectBadge(t, "susan's badge after two messages", home, 2)
			if got := unreadNotification(t, susan); got != 2 {
				t.Errorf("susan's unread_message_count notification: %d, want 2", got)
			}
			expectBadge(t, "john's badge", john.get("/index"), 0)

			p = susan.get("/messages")
			expect(t, "inbox", p, 200, "", "<title>Messages - Microblog</title>", "<h1>Messages</h1>",
				`href="/user/john" data-username="john"`, `>john</a></span> said`, "<span>hello susan</span>", `<a href="/send_message/john">Reply</a>`,
				strings.Repeat("ü", 140))
			if i, j := strings.Index(p.body, strings.Repeat("ü", 140)), strings.Index(p.body, "hello susan"); i > j {
				t.Error("inbox is not newest first")
			}
			expectBadge(t, "badge on the inbox", p, 0)
			expectBadge(t, "badge after the inbox", susan.get("/index"), 0)
			if got := unreadNotification(t, susan); got != 0 {
				t.Errorf("notification after reading: %d, want 0", got)
			}
			ids := func() string {
				var id []string
				s.db.Bun.NewSelect().Model((*models.Notification)(nil)).Column("id").Order("id").Scan(context.Background(), &id)
				return strings.Join(id, ",")
			}
			before := ids()
			susan.get("/messages")
			if after := ids(); after != before {
				t.Errorf("a second visit to the inbox wrote notifications: %s -> %s", before, after)
			}

			expect(t, "reply link", susan.get("/send_message/john"), 200, "", "<h1>Send Message to john</h1>")
			expect(t, "reply", susan.post("/send_message/john", url.Values{"message": {"hi john"}}), 302, "/user/john")
			expectBadge(t, "john's badge after the reply", john.get("/explore"), 1)

			p = john.get("/messages/sent")
			expect(t, "sent", p, 200, "", "<title>Sent Messages - Microblog</title>", "<h1>Sent Messages</h1>",
				`To <span class="user-popup"><a class="user_popup" href="/user/susan" data-username="susan"`, "<span>hello susan</span>")
			if strings.Contains(p.body, "hi john") || strings.Contains(p.body, ">Reply</a>") {
				t.Error("the sent view shows received messages or Reply links")
			}
			expectBadge(t, "the sent view does not mark read", p, 1)
			expect(t, "empty sent view", s.browserAs(t, "mary").get("/messages/sent"), 200, "", "You have not sent any messages.")

			if l := logs.lines("level=ERROR"); len(l) > 0 {
				t.Errorf("errors logged: %q", l)
			}
		})
	}
}

// browserAs is a browser signed in as a new user.
func (s *site) browserAs(t *testing.T, name string) *browser { return signedIn(t, s, name, false) }

// The inbox and the sent view page through 3 messages at a time with working links;
// equal timestamps are ordered by id; reading page 2 first marks read only what it shows.
func TestMessagePagination(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			s, _, _ := newDialectSite(t, d, func(c *config.Config) { c.PostsPerPage = 3 })
			john, susan := signedIn(t, s, "john", false), signedIn(t, s, "susan", false)
			// Seven messages, the last two with one timestamp: id decides.
			ctx := context.Background()
			var ju, su models.User
			s.db.Bun.NewSelect().Model(&ju).Where("username = 'john'").Scan(ctx)
			s.db.Bun.NewSelect().Model(&su).Where("username = 'susan'").Scan(ctx)
			base := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
			for i := range 7 {
				ts := base.Add(time.Duration(min(i, 5)) * time.Minute)
				m := &models.Message{SenderID: ju.ID, RecipientID: su.ID, Body: fmt.Sprintf("m%d", i), Timestamp: ts}
				if _, err := s.db.Bun.NewInsert().Model(m).Exec(ctx); err != nil {
					t.Fatal(err)
				}
			}
			shows := func(what string, p page, want ...string) {
				t.Helper()
				got := regexp.MustCompile(`<span>(m\d)</span>`).FindAllStringSubmatch(p.body, -1)
				var names []string
				for _, g := range got {
					names = append(names, g[1])
				}
				if strings.Join(names, ",") != strings.Join(want, ",") {
					t.Fatalf("%s shows %v, want %v", what, names, want)
				}
			}
			expectBadge(t, "before", susan.get("/index"), 7)
			p2 := susan.get("/messages?page=2")
			shows("page 2", p2, "m3", "m2", "m1")
			expect(t, "page 2 links", p2, 200, "", `href="/messages?page=1"><span aria-hidden="true">&larr;</span> Newer messages`,
				`href="/messages?page=3">Older messages`)
			expectBadge(t, "after page 2 (m4..m6 unseen)", p2, 3)

			p1 := susan.get("/messages")
			shows("page 1", p1, "m6", "m5", "m4")
			expect(t, "page 1 links", p1, 200, "", `href="/messages?page=2">Older messages`, `aria-disabled="true"><span aria-hidden="true">&larr;</span> Newer messages`)
			expectBadge(t, "after page 1", p1, 0)
			if strings.Contains(p1.body, `href="#"`) {
				t.Error(`a pagination link is href="#"`)
			}
			p3 := susan.get(linkTo(t, p2, "Older messages"))
			shows("page 3 via the link", p3, "m0")
			expect(t, "last page", p3, 200, "", `aria-disabled="true">Older messages`)
			shows("page 1 via the link", susan.get(linkTo(t, p2, "Newer messages")), "m6", "m5", "m4")
			shows("past the end", susan.get("/messages?page=9"))

			sent := john.get("/messages/sent")
			shows("sent page 1", sent, "m6", "m5", "m4")
			shows("sent page 2 via the link", john.get(linkTo(t, sent, "Older messages")), "m3", "m2", "m1")
		})
	}
}

// linkTo is the href of the pagination link labelled label.
func linkTo(t *testing.T, p page, label string) string {
	t.Helper()
	re := regexp.MustCompile(`href="([^"]+)">(?:<span aria-hidden="true">&larr;</span> )?` + label)
	m := re.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no %q link\n%.3000s", label, p.body)
	}
	return strings.ReplaceAll(m[1], "&amp;", "&")
}

// Sending is limited per sender; a refused message is not stored.
func TestMessageRateLimit(t *testing.T) {
	s, app, _ := newDialectSite(t, testdb.Dialects[0], nil)
	web.SetMessageLimit(app, 3)
	john := signedIn(t, s, "john", false)
	addUser(t, s.db, "susan")
	for i := range 3 {
		expect(t, fmt.Sprint("message ", i), john.post("/send_message/susan", url.Values{"message": {"hi"}}), 302, "/user/susan")
	}
	p := john.post("/send_message/susan", url.Values{"message": {"hi"}})
	expect(t, "fourth message", p, http.StatusTooManyRequests, "", "Too many attempts. Please try again in 10 minutes.", "Send Message to susan")
	if p.header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	if n := messageRows(t, s); n != 3 {
		t.Errorf("%d messages stored, want 3", n)
	}
	other := signedIn(t, s, "mary", false)
	expect(t, "another sender", other.post("/send_message/susan", url.Values{"message": {"hi"}}), 302, "/user/susan")
}

// Hostile input on the message form gets the form's error, a 404 or a 413 — never a
// 500 — and what is stored is exactly what was sent.
func TestMessageHostileInput(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			s, _, logs := newDialectSite(t, d, nil)
			john := signedIn(t, s, "john", false)
			addUser(t, s.db, "susan")
			for _, v := range []string{"\x00", "hi\x00there", "x\xff", "\xc3\x28", "x\x1b[31m", "x\u0085"} {
				expectFormError(t, fmt.Sprintf("message %q", v), john.post("/send_message/susan", url.Values{"message": {v}}))
			}
			big := strings.Repeat("a", 1<<20)
			if p := john.post("/send_message/susan", url.Values{"message": {big}}); p.status != http.StatusRequestEntityTooLarge {
				t.Errorf("1 MB message: %d, want 413", p.status)
			}
			for _, path := range []string{"/send_message/%00", "/send_message/%FF", "/send_message/%D1%95usan"} { // NUL, invalid UTF-8, Cyrillic ѕ
				if p := john.get(path); p.status != http.StatusNotFound {
					t.Errorf("GET %s: %d, want 404", path, p.status)
				}
				if p := john.post(path, url.Values{"message": {"hi"}}); p.status != http.StatusNotFound {
					t.Errorf("POST %s: %d, want 404", path, p.status)
				}
			}
			for _, p := range []string{"/messages?page=%00", "/messages?page=%FF"} {
				if got := john.get(p); got.status != http.StatusBadRequest {
					t.Errorf("GET %s: %d, want 400", p, got.status)
				}
			}
			if n := messageRows(t, s); n != 0 {
				t.Fatalf("%d messages stored from hostile input", n)
			}
			exact := "ѕusan, ｓｕｓａｎ 👋\r\nline two\t\u200b\u202e"
			expect(t, "look-alike text", john.post("/send_message/susan", url.Values{"message": {exact}}), 302, "/user/susan")
			var m models.Message
			if err := s.db.Bun.NewSelect().Model(&m).Scan(context.Background()); err != nil || m.Body != exact {
				t.Errorf("stored %q (%v), want %q", m.Body, err, exact)
			}
			if l := logs.lines("level=ERROR"); len(l) > 0 {
				t.Errorf("errors logged: %q", l)
			}
		})
	}
}

// Many senders at once to one user: every message is stored, and the badge and the last
// unread_message_count notification both hold the true count (senders to one user take
// turns on the recipient's row, so no notification is computed without another's
// message, and exactly one remains).
func TestMessageConcurrentSenders(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			s, _, logs := newDialectSite(t, d, nil)
			susan := signedIn(t, s, "susan", false)
			const senders, each = 5, 6
			var browsers []*browser
			for i := range senders {
				browsers = append(browsers, signedIn(t, s, fmt.Sprint("sender", i), false))
			}
			var wg sync.WaitGroup
			var mu sync.Mutex
			var failures []string
			for i := range senders * each {
				wg.Go(func() {
					form := url.Values{"message": {fmt.Sprint("message ", i)}}
					req, _ := http.NewRequest("POST", s.srv.URL+"/send_message/susan", strings.NewReader(form.Encode()))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					if status, err := send(browsers[i%senders], req); err != nil || status != http.StatusFound {
						mu.Lock()
						failures = append(failures, fmt.Sprintf("message %d: %d %v", i, status, err))
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if len(failures) > 0 {
				t.Fatalf("%d sends failed, first: %s", len(failures), failures[0])
			}
			want := senders * each
			if n := messageRows(t, s); n != want {
				t.Fatalf("%d messages stored, want %d", n, want)
			}
			expectBadge(t, "badge", susan.get("/index"), want)
			if got := unreadNotification(t, susan); got != want {
				t.Errorf("unread_message_count notification: %d, want %d", got, want)
			}
			if l := logs.lines("level=ERROR"); len(l) > 0 {
				t.Errorf("errors logged: %q", l)
			}
		})
	}
}

// The unread count is one query: store.UnreadMessageCount agrees with the badge.
func TestMessageUnreadCountStore(t *testing.T) {
	s := newSite(t)
	addUser(t, s.db, "john")
	addUser(t, s.db, "susan")
	ctx := context.Background()
	sess := s.db.NewSession()
	defer sess.Close()
	john, err := store.UserByUsername(ctx, sess, "john")
	if err != nil {
		t.Fatal(err)
	}
	susan, _ := store.UserByUsername(ctx, sess, "susan")
	for range 2 {
		if _, _, err := store.SendMessage(ctx, sess, john, susan, "hi"); err != nil {
			t.Fatal(err)
		}
	}
	if err := sess.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := store.UnreadMessageCount(ctx, sess, susan); err != nil || n != 2 {
		t.Fatalf("unread: %d %v", n, err)
	}
}
