package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/api"
	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
	"github.com/microblog/microblog/internal/testsmtp"
)

// POST /api/users: 201 with a relative Location and the user dict; the tutorial's
// messages for missing fields and taken names; the registration form's rules for
// everything else; hostile input refused with a 400 naming the field, never a 500, and
// nothing written.
func TestAPICreateUser(t *testing.T) {
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			s := newAPISite(t, dialect, api.Limits{RegistrationsPerAddress: 1000})
			post := func(body string) apiResp {
				t.Helper()
				return s.do(apiReq{method: "POST", path: "/api/users", body: body})
			}
			r := post(`{"username":"susan","email":"susan@example.com","password":"` + apiPassword + `","about_me":"Hi"}`)
			if r.status != http.StatusCreated {
				t.Fatalf("create: %d %s", r.status, r.body)
			}
			u := r.json(t)
			if loc := r.header.Get("Location"); loc != fmt.Sprintf("/api/users/%v", u["id"]) {
				t.Errorf("Location %q for id %v", loc, u["id"])
			}
			if u["username"] != "susan" || u["about_me"] != "Hi" || u["post_count"] != 0.0 || u["email"] != nil {
				t.Errorf("created user %v", u)
			}
			if tok := s.tokenOf("susan"); tok == "" {
				t.Fatal("no token for the new user")
			}
			// A fullwidth name is stored in its plain form, as the form stores it.
			if r := post(`{"username":"ｊｏｈｎ","email":"john@example.com","password":"` + apiPassword + `"}`); r.status != http.StatusCreated || r.json(t)["username"] != "john" {
				t.Errorf("fullwidth name: %d %s", r.status, r.body)
			}

			long := strings.Repeat("a", 65)
			for _, c := range []struct{ what, body, msg string }{
				{"no password", `{"username":"x1","email":"x1@example.com"}`, "must include username, email and password fields"},
				{"empty object", `{}`, "must include username, email and password fields"},
				{"username taken", `{"username":"susan","email":"x2@example.com","password":"` + apiPassword + `"}`, "please use a different username"},
				{"username taken, other case", `{"username":"SUSAN","email":"x2@example.com","password":"` + apiPassword + `"}`, "please use a different username"},
				{"look-alike name (Cyrillic Ѕ)", `{"username":"Ѕusan","email":"x2@example.com","password":"` + apiPassword + `"}`, "please use a different username"},
				{"email taken, other case", `{"username":"x3","email":"Susan@Example.com","password":"` + apiPassword + `"}`, "please use a different email address"},
				{"bad email", `{"username":"x4","email":"not an address","password":"` + apiPassword + `"}`, "email: invalid email address"},
				{"email without a dot", `{"username":"x4","email":"a@localhost","password":"` + apiPassword + `"}`, "invalid email address"},
				{"email too long", `{"username":"x4","email":"` + strings.Repeat("a", 120) + `@example.com","password":"` + apiPassword + `"}`, "email must be at most 120 characters"},
				{"email with NUL", `{"username":"x4","email":"a\u0000b@example.com","password":"` + apiPassword + `"}`, "email contains a character that is not allowed (U+0000)"},
				{"weak password", `{"username":"x5","email":"x5@example.com","password":"password"}`, "password: "},
				{"empty password", `{"username":"x5","email":"x5@example.com","password":""}`, "password: Password must be at least 8"},
				{"password is the name", `{"username":"x5name","email":"x5@example.com","password":"x5name"}`, "password: "},
				{"name with a slash", `{"username":"a/b","email":"x6@example.com","password":"` + apiPassword + `"}`, "username: Usernames may contain letters"},
				{"name with NUL", `{"username":"a\u0000b","email":"x6@example.com","password":"` + apiPassword + `"}`, "username: "},
				{"name too long", `{"username":"` + long + `","email":"x6@example.com","password":"` + apiPassword + `"}`, "username: Usernames may be at most 64"},
				{"empty name", `{"username":"  ","email":"x6@example.com","password":"` + apiPassword + `"}`, "username: This field is required"},
				{"about_me too long", `{"username":"x7","email":"x7@example.com","password":"` + apiPassword + `","about_me":"` + strings.Repeat("é", 141) + `"}`, "about_me must be at most 140"},
				{"about_me with escape", `{"username":"x7","email":"x7@example.com","password":"` + apiPassword + `","about_me":"a\u001bb"}`, "about_me contains a character"},
				{"username a number", `{"username":7,"email":"x8@example.com","password":"` + apiPassword + `"}`, "username must be a string"},
				{"password null", `{"username":"x8","email":"x8@example.com","password":null}`, "password must be a string"},
				{"null body", `null`, "the body must be a JSON object"},
				{"array body", `["username","email","password"]`, "the body must be a JSON object"},
				{"string body", `"x"`, "the body must be a JSON object"},
				{"broken JSON", `{"username":`, "the body is not valid JSON"},
				{"two values", `{} {}`, "more than one JSON value"},
				{"invalid UTF-8", "{\"username\":\"a\xff\",\"email\":\"x9@example.com\",\"password\":\"" + apiPassword + "\"}", "not valid UTF-8"},
			} {
				expectError(t, c.what, post(c.body), http.StatusBadRequest, c.msg)
			}
			// The content type must be JSON (Flask: 415); the body is bounded (413).
			expectError(t, "form body", s.do(apiReq{method: "POST", path: "/api/users", body: "username=x", contentType: "application/x-www-form-urlencoded"}), http.StatusUnsupportedMediaType, "")
			expectError(t, "no content type", s.do(apiReq{method: "POST", path: "/api/users", body: "{}", contentType: "text/plain"}), http.StatusUnsupportedMediaType, "")
			huge := `{"username":"x","email":"x@example.com","password":"` + strings.Repeat("p", 1<<20) + `"}`
			expectError(t, "huge body", post(huge), http.StatusRequestEntityTooLarge, "")
			// application/*+json is JSON too, as Flask's is_json says.
			if r := s.do(apiReq{method: "POST", path: "/api/users", body: `{"username":"x10","email":"x10@example.com","password":"` + apiPassword + `"}`, contentType: "application/merged+json; charset=utf-8", outside: true}); r.status != http.StatusCreated {
				t.Errorf("+json content type: %d %s", r.status, r.body)
			}
			// Nothing refused was written.
			n, err := s.db.Bun.NewSelect().Model((*models.User)(nil)).Count(context.Background())
			if err != nil || n != 3 {
				t.Errorf("%d users stored (%v), want 3", n, err)
			}
		})
	}
}

// Registrations through the API count against the registration form's limit.
func TestAPIRegistrationLimit(t *testing.T) {
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			s := newAPISite(t, dialect, api.Limits{RegistrationsPerAddress: 2})
			for i := range 2 {
				body := fmt.Sprintf(`{"username":"r%d","email":"r%d@example.com","password":"%s"}`, i, i, apiPassword)
				if r := s.do(apiReq{method: "POST", path: "/api/users", body: body}); r.status != http.StatusCreated {
					t.Fatalf("registration %d: %d %s", i, r.status, r.body)
				}
			}
			r := s.do(apiReq{method: "POST", path: "/api/users", body: `{"username":"r3","email":"r3@example.com","password":"` + apiPassword + `"}`})
			expectError(t, "third registration", r, http.StatusTooManyRequests, "")
			if r.header.Get("Retry-After") == "" {
				t.Error("no Retry-After")
			}
		})
	}
}

// PUT /api/users/<id>: only one's own account (403 first, even for a user that does not
// exist, as the tutorial); the form's rules; password ignored.
func TestAPIUpdateUser(t *testing.T) {
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			s := newAPISite(t, dialect, api.Limits{})
			susan, john := addAPIUser(t, s.db, "susan"), addAPIUser(t, s.db, "john")
			tok := s.tokenOf("susan")
			put := func(id int64, body string) apiResp {
				t.Helper()
				return s.do(apiReq{method: "PUT", path: fmt.Sprintf("/api/users/%d", id), body: body, token: tok})
			}
			r := s.do(apiReq{method: "PUT", path: fmt.Sprintf("/api/users/%d", susan.ID), body: `{}`})
			expectError(t, "no token", r, http.StatusUnauthorized, "")
			if r.header.Get("WWW-Authenticate") != `Bearer realm="Authentication Required"` {
				t.Errorf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
			}
			expectError(t, "another user", put(john.ID, `{"about_me":"hacked"}`), http.StatusForbidden, "")
			expectError(t, "a user that does not exist", put(999999, `{"about_me":"x"}`), http.StatusForbidden, "")
			expectError(t, "another user, bad body", put(john.ID, `null`), http.StatusForbidden, "")

			r = put(susan.ID, `{"username":"susan2","about_me":"Hello there","password":"ignored"}`)
			if r.status != http.StatusOK {
				t.Fatalf("update: %d %s", r.status, r.body)
			}
			if u := r.json(t); u["username"] != "susan2" || u["about_me"] != "Hello there" || u["email"] != "susan@example.com" {
				t.Errorf("updated: %v", u)
			}
			s.tokenOf("susan2") // the password did not change
			for _, c := range []struct{ what, body, msg string }{
				{"taken name", `{"username":"john"}`, "please use a different username"},
				{"look-alike of a taken name", `{"username":"jоhn"}`, "please use a different username"}, // Cyrillic о
				{"taken email", `{"email":"JOHN@example.com"}`, "please use a different email address"},
				{"bad email", `{"email":"nope"}`, "invalid email address"},
				{"bad name", `{"username":"a b"}`, "username: "},
				{"name null", `{"username":null}`, "username must be a string"},
				{"about_me number", `{"about_me":5}`, "about_me must be a string or null"},
				{"about_me too long", `{"about_me":"` + strings.Repeat("x", 141) + `"}`, "about_me must be at most 140"},
				{"null body", `null`, "the body must be a JSON object"},
			} {
				expectError(t, c.what, put(susan.ID, c.body), http.StatusBadRequest, c.msg)
			}
			expectError(t, "wrong content type", s.do(apiReq{method: "PUT", path: fmt.Sprintf("/api/users/%d", susan.ID), body: `{}`, contentType: "text/plain", token: tok}), http.StatusUnsupportedMediaType, "")
			// Unchanged values pass; about_me null clears it; a new e-mail is taken.
			r = put(susan.ID, `{"username":"susan2","email":"susan@example.com","about_me":null}`)
			if r.status != http.StatusOK || r.json(t)["about_me"] != nil {
				t.Errorf("unchanged values: %d %s", r.status, r.body)
			}
			if r := put(susan.ID, `{"email":"new@example.com"}`); r.status != http.StatusOK || r.json(t)["email"] != "new@example.com" {
				t.Errorf("new e-mail: %d %s", r.status, r.body)
			}
		})
	}
}

var allowHeader = regexp.MustCompile(`^[A-Z]+(, [A-Z]+)*$`)

// Every /api error is JSON except 404 and 500, which follow the tutorial's Accept rule;
// a wrong method is a JSON 405 with Allow.
func TestAPIErrors(t *testing.T) {
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			s := newAPISite(t, dialect, api.Limits{})
			addAPIUser(t, s.db, "susan")
			tok := s.tokenOf("susan")
			for _, c := range []struct{ method, path, allow string }{
				{"PATCH", "/api/users", "GET, HEAD, POST"},
				{"DELETE", "/api/users/1", "GET, HEAD, PUT"},
				{"POST", "/api/users/1/followers", "GET, HEAD"},
				{"GET", "/api/tokens", "DELETE, POST"},
				{"PUT", "/api/tokens", "DELETE, POST"},
				{"GET", "/api/posts", "POST"},
				{"PUT", "/api/posts/1", "DELETE, GET, HEAD"},
				{"DELETE", "/api/feed", "GET, HEAD"},
				{"POST", "/api/openapi.json", "GET, HEAD"},
			} {
				r := s.do(apiReq{method: c.method, path: c.path, token: tok})
				expectError(t, c.method+" "+c.path, r, http.StatusMethodNotAllowed, "")
				if got := r.header.Get("Allow"); got != c.allow || !allowHeader.MatchString(got) {
					t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, got, c.allow)
				}
			}
			// 401 with the scheme's challenge on every endpoint that needs authentication.
			for _, c := range []struct{ method, path, body, challenge string }{
				{"POST", "/api/tokens", "", `Basic realm="Authentication Required"`},
				{"DELETE", "/api/tokens", "", `Bearer realm="Authentication Required"`},
				{"GET", "/api/users", "", `Bearer realm="Authentication Required"`},
				{"GET", "/api/users/1", "", `Bearer realm="Authentication Required"`},
				{"PUT", "/api/users/1", `{}`, `Bearer realm="Authentication Required"`},
				{"GET", "/api/users/1/followers", "", `Bearer realm="Authentication Required"`},
				{"GET", "/api/users/1/following", "", `Bearer realm="Authentication Required"`},
				{"GET", "/api/users/1/posts", "", `Bearer realm="Authentication Required"`},
				{"GET", "/api/posts/1", "", `Bearer realm="Authentication Required"`},
				{"POST", "/api/posts", `{"body":"x"}`, `Bearer realm="Authentication Required"`},
				{"GET", "/api/feed", "", `Bearer realm="Authentication Required"`},
			} {
				r := s.do(apiReq{method: c.method, path: c.path, body: c.body})
				expectError(t, c.method+" "+c.path+" without credentials", r, http.StatusUnauthorized, "")
				if got := r.header.Get("WWW-Authenticate"); got != c.challenge {
					t.Errorf("%s %s: WWW-Authenticate %q, want %q", c.method, c.path, got, c.challenge)
				}
			}
			// The two endpoints without authentication need none.
			if r := s.do(apiReq{method: "GET", path: "/api/openapi.json"}); r.status != http.StatusOK || r.header.Get("Content-Type") != "application/json" {
				t.Errorf("openapi.json: %d %s", r.status, r.header.Get("Content-Type"))
			}

			// A wrong method on an id that is not an integer is still a routing 404.
			expectError(t, "DELETE /api/users/abc", s.do(apiReq{method: "DELETE", path: "/api/users/abc"}), http.StatusNotFound, "")

			browser := "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
			for _, c := range []struct {
				accept string
				json   bool
			}{
				{"", true}, {"*/*", true}, {"application/json", true}, {browser, false},
				{"text/html", false}, {"application/json;q=0.5, text/html;q=0.5", true},
				{"application/json;q=0.4, text/html;q=0.5", false}, {"text/*, application/json", true},
				{"text/plain", true}, {"text/html;q=0, */*", true}, {"nonsense", true},
			} {
				for _, path := range []string{"/api/nothing/here", "/api/users/99999"} {
					h := http.Header{}
					if c.accept != "" {
						h.Set("Accept", c.accept)
					}
					r := s.do(apiReq{method: "GET", path: path, header: h, token: tok})
					if r.status != http.StatusNotFound {
						t.Fatalf("%s Accept %q: %d", path, c.accept, r.status)
					}
					ct := r.header.Get("Content-Type")
					if c.json {
						expectError(t, fmt.Sprintf("%s Accept %q", path, c.accept), r, http.StatusNotFound, "")
					} else if !strings.HasPrefix(ct, "text/html") || !strings.Contains(string(r.body), "Not Found") {
						t.Errorf("%s Accept %q: %s, want the HTML page", path, c.accept, ct)
					}
				}
			}
			// 401, 400, 405 and 415 stay JSON for browsers.
			h := http.Header{"Accept": {browser}}
			expectError(t, "401 for a browser", s.do(apiReq{method: "GET", path: "/api/users", header: h}), http.StatusUnauthorized, "")
			expectError(t, "405 for a browser", s.do(apiReq{method: "PATCH", path: "/api/users", header: h}), http.StatusMethodNotAllowed, "")
			expectError(t, "415 for a browser", s.do(apiReq{method: "POST", path: "/api/users", header: h, body: "{}", contentType: "text/plain"}), http.StatusUnsupportedMediaType, "")
		})
	}
}

// An unexpected failure (here: the database handle closed under the server) is a 500,
// JSON or the HTML page by the Accept rule, and the API keeps answering.
func TestAPIServerError(t *testing.T) {
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			s := newAPISite(t, dialect, api.Limits{})
			addAPIUser(t, s.db, "susan")
			tok := s.tokenOf("susan")
			s.db.SQL.Close()
			expectError(t, "500 for curl", s.get("/api/users", tok), http.StatusInternalServerError, "")
			r := s.do(apiReq{method: "GET", path: "/api/users", token: tok, header: http.Header{"Accept": {"text/html,*/*;q=0.8"}}})
			if r.status != http.StatusInternalServerError || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") ||
				!strings.Contains(string(r.body), "An unexpected error has occurred") {
				t.Errorf("500 for a browser: %d %s %.200s", r.status, r.header.Get("Content-Type"), r.body)
			}
		})
	}
}

// An API 500 is e-mailed to ADMINS like a page's.
func TestAPIInternalErrorsAreMailed(t *testing.T) {
	box := testsmtp.Start(t)
	site, _, _ := newDialectSite(t, database.SQLite, mailTo(box.Port, "admin@example.com"))
	s := &apiSite{t: t, srv: site.srv, db: site.db, contract: loadContract(t)}
	addAPIUser(t, s.db, "susan")
	tok := s.tokenOf("susan")
	s.db.SQL.Close()
	expectError(t, "database gone", s.get("/api/feed", tok), http.StatusInternalServerError, "")
	msgs := box.Wait(1, 10*time.Second)
	if len(msgs) == 0 || !strings.Contains(string(msgs[0].Data), "GET /api/feed") {
		t.Fatalf("error e-mails: %d", len(msgs))
	}
}
