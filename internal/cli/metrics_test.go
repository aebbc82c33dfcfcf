package cli_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/testdb"
	"github.com/microblog/microblog/internal/testsmtp"
)

// A scrape after a known sequence of requests holds exactly those requests, by route
// pattern and status; the pool statistics; an e-mail refused once and then sent, and the
// job attempts behind it. Each dialect serves the metrics another way: SQLite on
// METRICS_ADDR, PostgreSQL behind METRICS_TOKEN at /metrics on the site's address,
// MySQL on METRICS_ADDR with the token required there too.
func TestMetricsCountWhatHappened(t *testing.T) {
	for _, dialect := range []string{database.SQLite, database.Postgres, database.MySQL} {
		t.Run(dialect, func(t *testing.T) { metricsCountWhatHappened(t, dialect) })
	}
}

const metricsToken = "0123456789abcdef0123456789abcdef-test"

func metricsCountWhatHappened(t *testing.T, dialect string) {
	smtp := testsmtp.Start(t)
	smtp.RefuseNext(1)
	env := map[string]string{"DATABASE_URL": testdb.URL(t, dialect), "LOG_TO_STDOUT": "1", "MAIL_SERVER": "127.0.0.1",
		"MAIL_PORT": fmt.Sprint(smtp.Port), "ADMINS": "admin@example.com", "JOB_QUEUE": testdb.RandomName("test-")}
	switch dialect {
	case database.SQLite:
		env["METRICS_ADDR"] = "127.0.0.1:0"
	case database.Postgres:
		env["METRICS_TOKEN"] = metricsToken
	case database.MySQL:
		env["METRICS_ADDR"], env["METRICS_TOKEN"] = "127.0.0.1:0", metricsToken
		env["REDIS_URL"] = testdb.RedisURL(t)
	}
	p := start(t, env, "run", "--addr", "127.0.0.1:0")
	p.waitFor(t, "workers started")
	site := logURL(t, p, `msg=listening url=(\S+)`)
	scrapeURL := site + "/metrics"
	extra404 := 0.0 // the site's /metrics, a page like any other with METRICS_ADDR set
	if env["METRICS_ADDR"] != "" {
		extra404 = 1
		scrapeURL = logURL(t, p, `msg="metrics listening" url=(\S+)`)
		if code, _ := get(t, site+"/metrics", ""); code != http.StatusNotFound {
			t.Errorf("GET /metrics on the site with METRICS_ADDR set: %d, want 404 (the metrics are only on their own address)", code)
		}
	}
	if env["METRICS_TOKEN"] != "" {
		for _, token := range []string{"", "wrong", metricsToken + "x", strings.ToUpper(metricsToken)} {
			if code, body := get(t, scrapeURL, token); code != http.StatusUnauthorized || strings.Contains(body, "microblog_") {
				t.Errorf("scrape with token %q: %d, want 401 and no metrics", token, code)
			}
		}
	}

	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, path string, form url.Values, want int) {
		t.Helper()
		var resp *http.Response
		var err error
		if method == http.MethodPost {
			resp, err = client.PostForm(site+path, form)
		} else {
			resp, err = client.Get(site + path)
		}
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d, want %d", method, path, resp.StatusCode, want)
		}
	}
	// Counted before anything else: the healthz probe is the server's own and not
	// counted; the rest are.
	do("GET", "/healthz", nil, 200)
	do("GET", "/auth/login", nil, 200)
	do("GET", "/auth/login", nil, 200)
	do("GET", "/index", nil, 302)
	do("GET", "/user/susan", nil, 302)
	do("GET", "/no/such/page", nil, 404)
	do("GET", "/static/no-such-file.css", nil, 404)
	do("POST", "/auth/register", url.Values{"username": {"susan"}, "email": {"susan@example.com"},
		"password": {"correct horse battery staple"}, "password2": {"correct horse battery staple"}}, 302)
	do("POST", "/auth/reset_password_request", url.Values{"email": {"susan@example.com"}}, 302)

	// The reset e-mail is refused once, then sent by the retry (about a second later).
	if msgs := smtp.Wait(1, 20*time.Second); len(msgs) != 1 {
		t.Fatalf("%d e-mails arrived, want the reset e-mail", len(msgs))
	}
	var m map[string]float64
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		code, body := get(t, scrapeURL, env["METRICS_TOKEN"])
		if code != http.StatusOK {
			t.Fatalf("scrape: %d %s", code, body)
		}
		m = parseMetrics(body)
		// The queue records a job's completion shortly after its handler returns.
		done := m[`microblog_job_queue_jobs{backend="river",state="completed"}`] + m[`microblog_job_queue_jobs{backend="asynq",state="completed"}`]
		if (m[`microblog_jobs_total{kind="send_email",outcome="succeeded"}`] == 1 && done == 1) || time.Now().After(deadline) {
			break
		}
	}
	want := map[string]float64{
		`microblog_http_requests_total{route="GET /auth/login",status="200"}`:                   2,
		`microblog_http_requests_total{route="GET /index",status="302"}`:                        1,
		`microblog_http_requests_total{route="GET /user/{username}",status="302"}`:              1,
		`microblog_http_requests_total{route="/",status="404"}`:                                 1 + extra404,
		`microblog_http_requests_total{route="GET /static/",status="404"}`:                      1,
		`microblog_http_requests_total{route="POST /auth/register",status="302"}`:               1,
		`microblog_http_requests_total{route="POST /auth/reset_password_request",status="302"}`: 1,
		`microblog_http_request_duration_seconds_count{route="GET /auth/login"}`:                2,
		`microblog_emails_failed_total`:                                                         1,
		`microblog_emails_sent_total`:                                                           1,
		`microblog_jobs_total{kind="send_email",outcome="failed"}`:                              1,
		`microblog_jobs_total{kind="send_email",outcome="succeeded"}`:                           1,
		`microblog_jobs_total{kind="send_email",outcome="discarded"}`:                           0,
		`microblog_jobs_total{kind="export_posts",outcome="succeeded"}`:                         0,
	}
	for k, v := range want {
		if got, ok := m[k]; !ok || got != v {
			t.Errorf("%s = %v (present %v), want %v", k, got, ok, v)
		}
	}
	var requests float64
	for k, v := range m {
		if strings.HasPrefix(k, "microblog_http_requests_total{") {
			requests += v
		}
	}
	if requests != 8+extra404 {
		t.Errorf("%v requests counted in all, want the %v made (healthz and scrapes are not counted)", requests, 8+extra404)
	}
	// The pool: connections are open, at most the maximum.
	open, max := m[`go_sql_open_connections{db_name="microblog"}`], m[`go_sql_max_open_connections{db_name="microblog"}`]
	if _, ok := m[`go_sql_open_connections{db_name="microblog"}`]; !ok || open < 1 || (max > 0 && open > max) {
		t.Errorf("pool statistics: open %v of max %v; want them present and at least one open", open, max)
	}
	if _, ok := m[`go_sql_wait_count_total{db_name="microblog"}`]; !ok {
		t.Error("pool statistics lack go_sql_wait_count_total")
	}
	// The queue's depth, read at the scrape: the one finished e-mail job.
	backend, finished := "river", "completed"
	if dialect == database.MySQL {
		backend = "asynq"
	}
	if m[`microblog_job_queue_up{backend="`+backend+`"}`] != 1 {
		t.Errorf("job queue depth not read: %v", m[`microblog_job_queue_up{backend="`+backend+`"}`])
	}
	if got := m[`microblog_job_queue_jobs{backend="`+backend+`",state="`+finished+`"}`]; got != 1 {
		t.Errorf("%s jobs in state %s: %v, want 1", backend, finished, got)
	}
	if dialect == database.MySQL {
		if got, ok := m[`microblog_job_queue_jobs{backend="asynq",state="outbox"}`]; !ok || got != 0 {
			t.Errorf("outbox rows: %v (present %v), want 0 after the relay", got, ok)
		}
	}
	// Nothing keyed by a raw path.
	for k := range m {
		if strings.Contains(k, "susan") || strings.Contains(k, "no-such") {
			t.Errorf("a raw path reached a label: %s", k)
		}
	}
}

// logURL finds the first match of re's group in the process's log.
func logURL(t *testing.T, p *process, re string) string {
	t.Helper()
	rx := regexp.MustCompile(re)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := rx.FindStringSubmatch(p.out.String()); m != nil {
			return m[1]
		}
	}
	t.Fatalf("no %s in the log:\n%s", re, p.out.String())
	return ""
}

func get(t *testing.T, u, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// parseMetrics reads Prometheus's text format into "name{labels}" → value.
func parseMetrics(text string) map[string]float64 {
	m := map[string]float64{}
	for _, line := range strings.Split(text, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err == nil {
			m[line[:i]] = v
		}
	}
	return m
}

// `microblog worker` serves its metrics (pool, queue, jobs) on METRICS_ADDR too; an
// address already taken stops the command at once, naming the variable.
func TestWorkerMetricsAndTakenAddress(t *testing.T) {
	env := map[string]string{"DATABASE_URL": testdb.URL(t, database.SQLite), "LOG_TO_STDOUT": "1",
		"JOB_QUEUE": testdb.RandomName("test-"), "METRICS_ADDR": "127.0.0.1:0"}
	w := start(t, env, "worker")
	w.waitFor(t, "workers started")
	scrapeURL := logURL(t, w, `msg="metrics listening" url=(\S+)`)
	code, body := get(t, scrapeURL, "")
	m := parseMetrics(body)
	if code != http.StatusOK || m[`microblog_job_queue_up{backend="river"}`] != 1 || m[`go_sql_open_connections{db_name="microblog"}`] < 1 {
		t.Errorf("worker scrape: %d; queue up %v, open connections %v", code, m[`microblog_job_queue_up{backend="river"}`], m[`go_sql_open_connections{db_name="microblog"}`])
	}
	if _, ok := m[`microblog_jobs_total{kind="export_posts",outcome="failed"}`]; !ok {
		t.Error("worker scrape lacks the job counters")
	}

	taken := strings.TrimPrefix(strings.TrimSuffix(scrapeURL, "/metrics"), "http://")
	env2 := map[string]string{"DATABASE_URL": env["DATABASE_URL"], "LOG_TO_STDOUT": "1", "METRICS_ADDR": taken}
	code, _, errOut := run(t, t.Context(), env2, "run", "--addr", "127.0.0.1:0")
	if code != 1 || !strings.Contains(errOut, "metrics: listen on METRICS_ADDR") || !strings.Contains(errOut, taken) {
		t.Errorf("run with METRICS_ADDR taken: exit %d, %q; want 1 and an error naming METRICS_ADDR", code, errOut)
	}
}
