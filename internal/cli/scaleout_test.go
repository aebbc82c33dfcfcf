package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
	"github.com/microblog/microblog/internal/testsmtp"
)

// Several processes, one site (DESIGN.md §1, "Scaling out"): two `microblog run`
// processes, built from the source, on one database behind a round-robin reverse
// proxy. A session signed in through one is served by the other; sign-in failures are
// counted across both; a message sent through one reaches the other's unread count and
// notification stream; a job enqueued by the process without workers is run by the
// other; and when one process is SIGKILLed under load, every post that got its 302
// acknowledgement is in the database. PostgreSQL (jobs in River) and MariaDB (jobs in
// Redis): skipped, saying why, without their servers.
func TestSeveralProcessesOneSite(t *testing.T) {
	dir := t.TempDir()
	bin := sync.OnceValues(func() (string, error) { return buildBinary(dir) })
	for _, dialect := range []string{database.Postgres, database.MySQL} {
		t.Run(dialect, func(t *testing.T) { severalProcessesOneSite(t, dialect, bin) })
	}
}

func severalProcessesOneSite(t *testing.T, dialect string, build func() (string, error)) {
	dbURL := testdb.URL(t, dialect) // skips (or fails, when all dialects are required) without the server
	env := map[string]string{"DATABASE_URL": dbURL, "LOG_TO_STDOUT": "1", "JOB_QUEUE": testdb.RandomName("test-"),
		// One secret for the site: session fingerprints and reset links are signed with it.
		"SECRET_KEY": "scale-out-test-secret-0123456789abcdef"}
	if dialect == database.MySQL {
		env["REDIS_URL"] = testdb.RedisURL(t)
	}
	smtp := testsmtp.Start(t)
	env["MAIL_SERVER"], env["MAIL_PORT"], env["ADMINS"] = "127.0.0.1", fmt.Sprint(smtp.Port), "admin@example.com"
	bin, err := build()
	if err != nil {
		t.Fatal(err)
	}

	// A serves pages only; B serves pages and runs the jobs. Started at once, they race
	// to apply the revisions (the migration lock lets one do it).
	a := startNode(t, bin, env, "A", "--workers", "0")
	b := startNode(t, bin, env, "B", "--workers", "2")
	a.waitListening(t)
	b.waitListening(t)
	lb := newBalancer(t, a, b)

	db, err := database.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const pw = "scale-out-horse-staple-9"
	for _, name := range []string{"susan", "bob", "target"} {
		addAccount(t, db, name, pw)
	}

	t.Run("session", func(t *testing.T) {
		susan := lb.client(t)
		susan.pin = a
		susan.signIn(t, "susan", pw, "/index")
		susan.pin = b
		if body := susan.get(t, "/index", http.StatusOK); !strings.Contains(body, "Hi, susan!") {
			t.Errorf("B's home page for a session signed in through A does not greet susan")
		}
		if by := susan.lastServedBy; by != "B" {
			t.Errorf("served by %q, want B", by)
		}
		susan.post(t, "/auth/logout", nil, http.StatusFound)
		susan.pin = a
		susan.get(t, "/index", http.StatusFound) // signed out through B: out on A too
	})

	t.Run("rate limits", func(t *testing.T) {
		// 10 attempts on one account from one address are allowed (signinPerPair), the
		// 11th is refused: counted across both processes, whichever serves it.
		c := lb.client(t)
		servedBy := map[string]int{}
		for i := range 10 {
			c.signIn(t, "target", fmt.Sprintf("wrong-%d", i), "/auth/login")
			servedBy[c.lastServedBy]++
		}
		if servedBy["A"] != 5 || servedBy["B"] != 5 {
			t.Fatalf("failures served by %v, want 5 each (round robin)", servedBy)
		}
		for _, p := range []*node{a, b} {
			c.pin = p
			if code := c.postCode(t, "/auth/login", url.Values{"username": {"target"}, "password": {pw}}); code != http.StatusTooManyRequests {
				t.Errorf("11th attempt through %s: %d, want 429 (the failures through both processes count)", p.name, code)
			}
		}
	})

	t.Run("notifications", func(t *testing.T) {
		susan, bob := lb.client(t), lb.client(t)
		susan.pin, bob.pin = a, b
		susan.signIn(t, "susan", pw, "/index")
		bob.signIn(t, "bob", pw, "/index")
		events := bob.stream(t, "/notifications/stream")
		susan.post(t, "/send_message/bob", url.Values{"message": {"hello from A"}}, http.StatusFound)
		if !waitFor(events, `"unread_message_count"`, `data: {"name":"unread_message_count","data":1`, 15*time.Second) {
			t.Errorf("B's notification stream did not carry the unread count of a message sent through A")
		}
		if body := bob.get(t, "/notifications", http.StatusOK); !strings.Contains(body, `"name":"unread_message_count","data":1`) {
			t.Errorf("B's /notifications: %s; want an unread count of 1", body)
		}
	})

	t.Run("jobs", func(t *testing.T) {
		susan := lb.client(t)
		susan.pin = a
		susan.signIn(t, "susan", pw, "/index")
		susan.post(t, "/index", url.Values{"post": {"a post to export"}}, http.StatusFound)
		susan.post(t, "/export_posts", nil, http.StatusFound)
		msgs := smtp.Wait(1, 30*time.Second)
		if len(msgs) != 1 || !strings.Contains(string(msgs[0].Data), "susan@example.com") {
			t.Fatalf("%d e-mails arrived; want susan's export, enqueued through A", len(msgs))
		}
		for deadline := time.Now().Add(5 * time.Second); !strings.Contains(b.out.String(), "e-mail sent") && time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond) // logged once the SMTP session has ended
		}
		if strings.Contains(a.out.String(), "e-mail sent") || !strings.Contains(b.out.String(), "e-mail sent") {
			t.Errorf("the export's e-mail was not sent by B, the process with workers")
		}
	})

	t.Run("SIGKILL under load", func(t *testing.T) {
		acked := lb.killUnderLoad(t, db, a, pw)
		var posts []models.Post
		if err := db.Bun.NewSelect().Model(&posts).Where("body LIKE ?", "load %").Scan(context.Background()); err != nil {
			t.Fatal(err)
		}
		stored := map[string]int{}
		for _, p := range posts {
			stored[p.Body]++
		}
		lost := 0
		for _, body := range acked {
			if stored[body] != 1 {
				lost++
				if lost <= 5 {
					t.Errorf("acknowledged post %q stored %d times, want once", body, stored[body])
				}
			}
		}
		if lost > 0 {
			t.Errorf("%d of %d acknowledged posts lost or duplicated", lost, len(acked))
		}
		t.Logf("%d posts acknowledged, %d stored (the rest were in flight when A died), %d requests failed over to B, %d answered 502",
			len(acked), len(posts), lb.failovers.Load(), lb.failed.Load())
	})
}

// buildBinary builds cmd/microblog into dir (once for all dialects: the first that runs).
func buildBinary(dir string) (string, error) {
	bin := filepath.Join(dir, "microblog")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/microblog/microblog/cmd/microblog").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return bin, nil
}

// addAccount stores an account directly (the users commands have their own tests).
func addAccount(t *testing.T, db *database.DB, name, pw string) {
	t.Helper()
	u := &models.User{Username: name, Email: name + "@example.com"}
	if err := u.SetPassword(pw); err != nil {
		t.Fatal(err)
	}
	s := db.NewSession()
	defer s.Close()
	s.Add(u)
	if err := s.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// node is one `microblog run` process.
type node struct {
	name string
	cmd  *exec.Cmd
	out  *syncBuffer
	url  *url.URL
	done chan struct{}
}

func startNode(t *testing.T, bin string, env map[string]string, name string, args ...string) *node {
	t.Helper()
	n := &node{name: name, out: &syncBuffer{}, done: make(chan struct{})}
	n.cmd = exec.Command(bin, append([]string{"run", "--addr", "127.0.0.1:0"}, args...)...)
	n.cmd.Dir = t.TempDir()
	n.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + n.cmd.Dir}
	for k, v := range env {
		n.cmd.Env = append(n.cmd.Env, k+"="+v)
	}
	n.cmd.Stdout, n.cmd.Stderr = n.out, n.out
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { n.cmd.Wait(); close(n.done) }()
	t.Cleanup(func() {
		select {
		case <-n.done:
			return
		default:
		}
		n.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-n.done:
		case <-time.After(30 * time.Second):
			n.cmd.Process.Kill()
			t.Errorf("process %s did not stop within 30 s of SIGTERM", name)
		}
		if t.Failed() {
			t.Logf("process %s log:\n%s", name, n.out.String())
		}
	})
	return n
}

var listeningLine = regexp.MustCompile(`msg=listening url=(\S+)`)

func (n *node) waitListening(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m := listeningLine.FindStringSubmatch(n.out.String()); m != nil {
			n.url, _ = url.Parse(m[1])
			return
		}
		select {
		case <-n.done:
			t.Fatalf("process %s exited:\n%s", n.name, n.out.String())
		default:
		}
	}
	t.Fatalf("process %s did not listen within a minute:\n%s", n.name, n.out.String())
}

func (n *node) kill(t *testing.T) {
	t.Helper()
	if err := n.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-n.done
}

// balancer is a round-robin reverse proxy (httputil.ReverseProxy) in front of the
// nodes. A request whose node refuses the connection (a dead process: nothing was sent)
// is passed to the next node, as load balancers do; any other failure is a 502. A test
// request may pin its node with the X-Test-Node header.
type balancer struct {
	srv       *httptest.Server
	nodes     []*node
	proxies   []*httputil.ReverseProxy
	next      atomic.Uint64
	failovers atomic.Int64
	failed    atomic.Int64
}

type attemptKey struct{}

// attempt is a request's journey through the balancer.
type attempt struct {
	body   []byte
	node   int
	tries  int
	pinned bool
}

func newBalancer(t *testing.T, nodes ...*node) *balancer {
	lb := &balancer{nodes: nodes}
	transport := &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second}
	t.Cleanup(transport.CloseIdleConnections)
	for i, n := range nodes {
		lb.proxies = append(lb.proxies, &httputil.ReverseProxy{
			Transport: transport,
			Rewrite: func(pr *httputil.ProxyRequest) {
				pr.SetURL(n.url)
				pr.Out.Header.Del("X-Test-Node")
			},
			ModifyResponse: func(resp *http.Response) error {
				resp.Header.Set("X-Served-By", n.name)
				return nil
			},
			ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
				at := r.Context().Value(attemptKey{}).(*attempt)
				if errors.Is(err, syscall.ECONNREFUSED) && !at.pinned && at.tries < len(lb.nodes) {
					lb.failovers.Add(1)
					lb.serve(w, r, at, (i+1)%len(lb.nodes))
					return
				}
				lb.failed.Add(1)
				w.WriteHeader(http.StatusBadGateway)
			},
			FlushInterval: -1, // notification streams
		})
	}
	lb.srv = httptest.NewServer(lb)
	t.Cleanup(lb.srv.Close)
	return lb
}

func (lb *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	at := &attempt{body: body}
	i := int(lb.next.Add(1)-1) % len(lb.nodes)
	if pin := r.Header.Get("X-Test-Node"); pin != "" {
		i, _ = strconv.Atoi(pin)
		at.pinned = true
	}
	lb.serve(w, r, at, i)
}

func (lb *balancer) serve(w http.ResponseWriter, r *http.Request, at *attempt, i int) {
	at.node, at.tries = i, at.tries+1
	out := r.Clone(context.WithValue(r.Context(), attemptKey{}, at))
	out.Body, out.ContentLength = io.NopCloser(bytes.NewReader(at.body)), int64(len(at.body))
	lb.proxies[i].ServeHTTP(w, out)
}

// lbClient is a browser behind the balancer: its own cookies, no redirects followed.
type lbClient struct {
	lb           *balancer
	c            *http.Client
	pin          *node
	lastServedBy string
}

func (lb *balancer) client(t *testing.T) *lbClient {
	jar, _ := cookiejar.New(nil)
	return &lbClient{lb: lb, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *lbClient) do(t *testing.T, method, path string, form url.Values) (*http.Response, error) {
	t.Helper()
	req, _ := http.NewRequest(method, c.lb.srv.URL+path, strings.NewReader(form.Encode()))
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c.pin != nil {
		for i, n := range c.lb.nodes {
			if n == c.pin {
				req.Header.Set("X-Test-Node", strconv.Itoa(i))
			}
		}
	}
	resp, err := c.c.Do(req)
	if err == nil {
		c.lastServedBy = resp.Header.Get("X-Served-By")
	}
	return resp, err
}

func (c *lbClient) fetch(t *testing.T, method, path string, form url.Values) (int, string, string) {
	t.Helper()
	resp, err := c.do(t, method, path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

func (c *lbClient) get(t *testing.T, path string, status int) string {
	t.Helper()
	code, _, body := c.fetch(t, http.MethodGet, path, nil)
	if code != status {
		t.Fatalf("GET %s (served by %s): %d, want %d", path, c.lastServedBy, code, status)
	}
	return body
}

func (c *lbClient) post(t *testing.T, path string, form url.Values, status int) {
	t.Helper()
	if code, _, body := c.fetch(t, http.MethodPost, path, form); code != status {
		t.Fatalf("POST %s (served by %s): %d, want %d\n%s", path, c.lastServedBy, code, status, body)
	}
}

func (c *lbClient) postCode(t *testing.T, path string, form url.Values) int {
	t.Helper()
	code, _, _ := c.fetch(t, http.MethodPost, path, form)
	return code
}

func (c *lbClient) signIn(t *testing.T, name, pw, wantLocation string) {
	t.Helper()
	code, loc, body := c.fetch(t, http.MethodPost, "/auth/login", url.Values{"username": {name}, "password": {pw}})
	if code != http.StatusFound || loc != wantLocation {
		t.Fatalf("sign in as %s (served by %s): %d to %q, want 302 to %q\n%s", name, c.lastServedBy, code, loc, wantLocation, body)
	}
}

// stream opens a Server-Sent Events stream and returns its lines as they come.
func (c *lbClient) stream(t *testing.T, path string) <-chan string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.lb.srv.URL+path, nil)
	for i, n := range c.lb.nodes {
		if n == c.pin {
			req.Header.Set("X-Test-Node", strconv.Itoa(i))
		}
	}
	client := *c.c
	client.Timeout = 0
	resp, err := client.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		cancel()
		t.Fatalf("stream %s: %v %v", path, err, resp)
	}
	lines := make(chan string, 64)
	go func() {
		defer close(lines)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	t.Cleanup(cancel)
	return lines
}

// waitFor reports whether a line starting with prefix and containing what arrives
// within d (the stream's lines are "data: {json}").
func waitFor(lines <-chan string, what, prefix string, d time.Duration) bool {
	timeout := time.After(d)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				return false
			}
			if strings.Contains(l, what) && strings.HasPrefix(l, prefix) {
				return true
			}
		case <-timeout:
			return false
		}
	}
}

// killUnderLoad has posters post through the balancer, SIGKILLs victim once the load
// is on, lets them post on for a while, and returns the bodies of the acknowledged
// posts (302 to /index).
func (lb *balancer) killUnderLoad(t *testing.T, db *database.DB, victim *node, pw string) []string {
	t.Helper()
	const posters = 8
	var (
		mu       sync.Mutex
		acked    []string
		ackCount atomic.Int64
		wg       sync.WaitGroup
	)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	for p := range posters {
		name := fmt.Sprintf("poster%d", p)
		addAccount(t, db, name, pw)
		c := lb.client(t)
		c.signIn(t, name, pw, "/index")
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				body := fmt.Sprintf("load %s %d", name, i)
				resp, err := c.do(t, http.MethodPost, "/index", url.Values{"post": {body}})
				if err != nil {
					continue // the client's own failure: not acknowledged
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusFound && resp.Header.Get("Location") == "/index" {
					mu.Lock()
					acked = append(acked, body)
					mu.Unlock()
					ackCount.Add(1)
				}
			}
		})
	}
	waitCount := func(n int64, d time.Duration) {
		for deadline := time.Now().Add(d); ackCount.Load() < n && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		}
	}
	waitCount(80, 30*time.Second)
	before := ackCount.Load()
	victim.kill(t)
	waitCount(before+80, 30*time.Second)
	stop()
	wg.Wait()
	if before < 80 {
		t.Errorf("only %d posts acknowledged before the kill: no load", before)
	}
	if after := ackCount.Load() - before; after < 80 {
		t.Errorf("only %d posts acknowledged after the kill, want the survivor to carry on", after)
	}
	if lb.failovers.Load() == 0 {
		t.Errorf("no request failed over from the dead process")
	}
	return acked
}
