package cli_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microblog/microblog/internal/cli"
	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/testdb"
)

// runIn runs the command line with stdin as its standard input.
func runIn(t *testing.T, env map[string]string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb syncBuffer
	code = cli.Main(context.Background(), args, cli.IO{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Env:     func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		EnvFile: filepath.Join(t.TempDir(), ".env"),
	})
	return code, out.String(), errb.String()
}

const (
	usersPassword  = "correct horse battery staple"
	usersPassword2 = "tremble quietly over seven moons"
)

// `microblog users` against a running site on each dialect: accounts created with the
// registration form's rules (bad input refused with the field named, nothing written),
// listed as a table and as JSON; a disabled account cannot sign in (the wrong
// password's answer) and its open session ends at its next request; enabling lets it in
// again; set-password ends the sessions signed in with the old password.
func TestUsersCommands(t *testing.T) {
	for _, dialect := range []string{database.SQLite, database.Postgres, database.MySQL} {
		t.Run(dialect, func(t *testing.T) { usersCommands(t, dialect) })
	}
}

func usersCommands(t *testing.T, dialect string) {
	env := map[string]string{"DATABASE_URL": testdb.URL(t, dialect), "LOG_TO_STDOUT": "1", "JOB_QUEUE": testdb.RandomName("test-")}
	if dialect == database.MySQL {
		env["REDIS_URL"] = testdb.RedisURL(t)
	}
	users := func(stdin string, args ...string) (int, string, string) {
		t.Helper()
		return runIn(t, env, stdin, append([]string{"users"}, args...)...)
	}
	// The first account, before the site ever ran: the command applies the revisions.
	if code, out, errOut := users(usersPassword+"\n", "create", "susan", "susan@example.com", "--password-stdin"); code != 0 || out != "Created user susan (id 1).\n" {
		t.Fatalf("create susan: exit %d, %q, %q", code, out, errOut)
	}
	refused := []struct {
		stdin string
		args  []string
		code  int
		want  string
	}{
		{usersPassword, []string{"create", "ＳＵＳＡＮ", "s2@example.com", "--password-stdin"}, 1, `username "SUSAN": taken`},
		{usersPassword, []string{"create", "Ѕusan", "s2@example.com", "--password-stdin"}, 1, `taken`}, // Cyrillic Ѕ
		{usersPassword, []string{"create", "bob", "SUSAN@example.com", "--password-stdin"}, 1, `e-mail "SUSAN@example.com": another account has it`},
		{usersPassword, []string{"create", "bob", "bob@localhost", "--password-stdin"}, 1, `e-mail: invalid email address: "bob@localhost"`},
		{usersPassword, []string{"create", "bob", "Bob <bob@example.com>", "--password-stdin"}, 1, `e-mail: invalid email address`},
		{usersPassword, []string{"create", "bob", "bob\x00@example.com", "--password-stdin"}, 1, `control character (U+0000)`},
		{usersPassword, []string{"create", "bob", strings.Repeat("b", 120) + "@example.com", "--password-stdin"}, 1, `at most 120 allowed`},
		{usersPassword, []string{"create", "bo\x00b", "bob@example.com", "--password-stdin"}, 1, `username "bo\x00b"`},
		{usersPassword, []string{"create", "bob\xff", "bob@example.com", "--password-stdin"}, 1, `username "bob\xff"`},
		{usersPassword, []string{"create", strings.Repeat("b", 65), "bob@example.com", "--password-stdin"}, 1, `username`},
		{"password\n", []string{"create", "bob", "bob@example.com", "--password-stdin"}, 1, `password: `},
		{"bob@example.com\n", []string{"create", "bob", "bob@example.com", "--password-stdin"}, 1, `password: `},
		{"short", []string{"create", "bob", "bob@example.com", "--password-stdin"}, 1, `password: `},
		{strings.Repeat("x", 200), []string{"create", "bob", "bob@example.com", "--password-stdin"}, 1, `password: `},
		{strings.Repeat("x", 100000), []string{"create", "bob", "bob@example.com", "--password-stdin"}, 1, `longer than`},
		{usersPassword + "\n" + usersPassword2 + "\n", []string{"create", "bob", "bob@example.com", "--password-stdin"}, 1, `more than one line`},
		{"\n", []string{"create", "bob", "bob@example.com", "--password-stdin"}, 1, `empty`},
		{usersPassword + "\n", []string{"create", "bob", "bob@example.com"}, 2, `not a terminal: give the password on standard input with --password-stdin`},
		{"", []string{"create", "bob", "bob@example.com", "--password", usersPassword}, 2, `unknown flag: --password`},
		{"", []string{"create", "bob"}, 2, `accepts 2 arg(s)`},
		{usersPassword, []string{"set-password", "nobody", "--password-stdin"}, 1, `no such user`},
		{"", []string{"disable", "nobody"}, 1, `no such user`},
	}
	for _, c := range refused {
		code, out, errOut := users(c.stdin, c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) || out != "" {
			t.Errorf("users %q: exit %d, stdout %q, stderr %q; want exit %d and %q", c.args, code, out, errOut, c.code, c.want)
		}
	}
	if code, out, errOut := users(usersPassword2+"\r\n", "create", "bob", "bob@example.com", "--password-stdin"); code != 0 || out != "Created user bob (id 2).\n" {
		t.Fatalf("create bob: exit %d, %q, %q", code, out, errOut)
	}

	// The refusals wrote nothing: two accounts, as JSON.
	type row struct {
		ID         int64   `json:"id"`
		Username   string  `json:"username"`
		Email      string  `json:"email"`
		LastSeen   *string `json:"last_seen"`
		Disabled   bool    `json:"disabled"`
		DisabledAt *string `json:"disabled_at"`
	}
	list := func() []row {
		t.Helper()
		code, out, errOut := users("", "list", "--json")
		if code != 0 {
			t.Fatalf("list --json: exit %d, %s", code, errOut)
		}
		var rows []row
		if err := json.Unmarshal([]byte(out), &rows); err != nil {
			t.Fatalf("list --json: %v\n%s", err, out)
		}
		return rows
	}
	rows := list()
	if len(rows) != 2 || rows[0].Username != "susan" || rows[1].Email != "bob@example.com" || rows[0].LastSeen == nil || rows[0].Disabled || rows[0].DisabledAt != nil {
		t.Fatalf("list --json: %+v; want susan and bob, enabled, with last-seen times", rows)
	}

	// The site, and a browser signed in as bob with the password from stdin (the \r\n
	// was the line's end, not the password's).
	p := start(t, env, "run", "--addr", "127.0.0.1:0", "--workers", "0")
	site := logURL(t, p, `msg=listening url=(\S+)`)
	bob := newClient(t, site)
	bob.signIn(t, "bob", usersPassword2, "/index")
	bob.expect(t, "/index", http.StatusOK)

	if code, out, _ := users("", "disable", "bob"); code != 0 || out != "User bob disabled.\n" {
		t.Fatalf("disable bob: exit %d, %q", code, out)
	}
	if code, out, _ := users("", "disable", "BOB"); code != 0 || out != "User bob is already disabled; nothing done.\n" {
		t.Errorf("disable bob again: exit %d, %q", code, out)
	}
	// The open session ends at its next request; signing in again fails with the
	// wrong password's message, with the right password too.
	bob.expect(t, "/index", http.StatusFound)
	bob.signIn(t, "bob", usersPassword2, "/auth/login")
	if body := bob.expect(t, "/auth/login", http.StatusOK); !strings.Contains(body, "Invalid username or password") {
		t.Errorf("a disabled account's sign-in page lacks the wrong password's message")
	}
	rows = list()
	if !rows[1].Disabled || rows[1].DisabledAt == nil || rows[0].Disabled {
		t.Errorf("after disable bob: %+v", rows)
	}
	code, out, _ := users("", "list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || strings.Join(strings.Fields(lines[0]), " ") != "ID USERNAME EMAIL LAST SEEN DISABLED" ||
		!strings.HasPrefix(strings.Join(strings.Fields(lines[1]), " "), "1 susan susan@example.com 20") || !strings.HasSuffix(lines[1], "Z  -") ||
		!strings.HasPrefix(strings.Join(strings.Fields(lines[2]), " "), "2 bob bob@example.com 20") || !strings.HasSuffix(lines[2], "Z") {
		t.Errorf("list: exit %d\n%s", code, out)
	}

	if code, out, _ := users("", "enable", "bob"); code != 0 || out != "User bob enabled.\n" {
		t.Fatalf("enable bob: exit %d, %q", code, out)
	}
	bob.signIn(t, "bob", usersPassword2, "/index")

	// set-password: the session signed in with the old password ends; the new one works.
	if code, out, errOut := users(usersPassword+"\n", "set-password", "bob", "--password-stdin"); code != 0 || out != "Password of bob set; their sessions are signed out.\n" {
		t.Fatalf("set-password bob: exit %d, %q, %q", code, out, errOut)
	}
	bob.expect(t, "/index", http.StatusFound)
	bob.signIn(t, "bob", usersPassword2, "/auth/login")
	bob.signIn(t, "bob", usersPassword, "/index")
	if code, _, errOut := users("weak\n", "set-password", "bob", "--password-stdin"); code != 1 || !strings.Contains(errOut, "password: ") {
		t.Errorf("set-password to a weak one: exit %d, %q", code, errOut)
	}
	bob.expect(t, "/index", http.StatusOK) // the refused change changed nothing
}

// client is a browser with cookies that does not follow redirects.
type client struct {
	site string
	c    *http.Client
}

func newClient(t *testing.T, site string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{site: site, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// signIn posts the sign-in form and checks where it redirects.
func (c *client) signIn(t *testing.T, name, password, wantLocation string) {
	t.Helper()
	resp, err := c.c.PostForm(c.site+"/auth/login", url.Values{"username": {name}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != wantLocation {
		t.Fatalf("sign in as %s: %d to %q, want 302 to %q", name, resp.StatusCode, resp.Header.Get("Location"), wantLocation)
	}
}

// expect gets path and checks the status; it returns the body.
func (c *client) expect(t *testing.T, path string, status int) string {
	t.Helper()
	resp, err := c.c.Get(c.site + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("GET %s: %d, want %d", path, resp.StatusCode, status)
	}
	return string(b)
}
