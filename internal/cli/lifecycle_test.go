package cli_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/server"
	"github.com/microblog/microblog/internal/testdb"
)

// probe GETs path from base: its status and decoded JSON (status 0 when nothing answers).
func probe(t *testing.T, base, path string) (int, server.Health) {
	t.Helper()
	client := http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(base + path)
	if err != nil {
		return 0, server.Health{}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var h server.Health
	if err := json.Unmarshal(body, &h); err != nil {
		t.Fatalf("GET %s: %d %q is not JSON: %v", path, resp.StatusCode, body, err)
	}
	return resp.StatusCode, h
}

// waitProbe polls path until it answers with status want, and returns that answer.
func waitProbe(t *testing.T, p *process, base, path string, want int) server.Health {
	t.Helper()
	var code int
	var h server.Health
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if code, h = probe(t, base, path); code == want {
			return h
		}
	}
	t.Fatalf("GET %s never answered %d; last %d %+v; log:\n%s", path, want, code, h, p.out.String())
	return h
}

// appEnv is the environment of a run or worker on a new database of dialect.
func appEnv(t *testing.T, dialect, dbURL string) map[string]string {
	env := map[string]string{"DATABASE_URL": dbURL, "LOG_TO_STDOUT": "1", "JOB_QUEUE": testdb.RandomName("test-")}
	if dialect == database.MySQL {
		env["REDIS_URL"] = testdb.RedisURL(t)
	}
	return env
}

// /readyz is 200 with every check passing on a database at head, 503 naming the schema
// when the database is a revision behind (an operator's `db downgrade` from another
// process), and 200 again after `db upgrade`; /healthz stays 200 throughout.
func TestReadinessFollowsTheSchema(t *testing.T) {
	for _, dialect := range testdb.Dialects {
		t.Run(dialect, func(t *testing.T) {
			env := appEnv(t, dialect, testdb.URL(t, dialect))
			addr := freeAddr(t)
			base := "http://" + addr
			p := start(t, env, "run", "--workers", "0", "--addr", addr)
			h := waitProbe(t, p, base, "/readyz", 200)
			if h.Status != "ok" || len(h.Checks) != 3 {
				t.Fatalf("/readyz = %+v, want database, schema and queue", h)
			}
			for _, name := range []string{"database", "schema", "queue"} {
				if h.Checks[name].Status != "ok" {
					t.Errorf("check %s = %+v", name, h.Checks[name])
				}
			}
			repo, _ := filepath.Abs(filepath.Join("..", "..", "migrations"))
			// Flask-Migrate's default target: -1.
			if code, out, errOut := run(t, context.Background(), env, "db", "downgrade", "-d", repo); code != 0 {
				t.Fatalf("db downgrade: exit %d\n%s%s", code, out, errOut)
			}
			h = waitProbe(t, p, base, "/readyz", 503)
			if h.Status != "fail" || h.Checks["schema"].Status != "fail" || !strings.Contains(h.Checks["schema"].Error, "this binary's head is") ||
				h.Checks["database"].Status != "ok" || h.Checks["queue"].Status != "ok" {
				t.Errorf("/readyz a revision behind = %+v", h)
			}
			if code, _ := probe(t, base, "/healthz"); code != 200 {
				t.Errorf("/healthz a revision behind = %d, want 200", code)
			}
			if code, out, errOut := run(t, context.Background(), env, "db", "upgrade", "-d", repo); code != 0 {
				t.Fatalf("db upgrade: exit %d\n%s%s", code, out, errOut)
			}
			waitProbe(t, p, base, "/readyz", 200)
			p.stop(t)
			if log := p.out.String(); !strings.Contains(log, `msg="readiness check failing" check=schema`) {
				t.Errorf("the failing schema check was not logged:\n%s", log)
			}
		})
	}
}

// proxied returns a new database of dialect behind a proxy the test can cut.
func proxied(t *testing.T, dialect string) (dbURL string, proxy *testdb.Proxy) {
	t.Helper()
	target := testdb.URL(t, dialect)
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy = testdb.NewProxy(t, u.Host)
	return proxy.URL(target), proxy
}

// Readiness flips to 503 when the database server goes away, and back when it returns,
// while the process stays alive.
func TestReadinessFlipsWhenTheDatabaseGoesAway(t *testing.T) {
	for _, dialect := range []string{database.Postgres, database.MySQL} {
		t.Run(dialect, func(t *testing.T) {
			dbURL, proxy := proxied(t, dialect)
			addr := freeAddr(t)
			base := "http://" + addr
			p := start(t, appEnv(t, dialect, dbURL), "run", "--workers", "0", "--addr", addr)
			waitProbe(t, p, base, "/readyz", 200)
			proxy.Cut()
			h := waitProbe(t, p, base, "/readyz", 503)
			if h.Checks["database"] != (server.CheckResult{Status: "fail", Error: "no answer from the database"}) {
				t.Errorf("/readyz with the database gone = %+v", h)
			}
			if code, _ := probe(t, base, "/healthz"); code != 200 {
				t.Errorf("/healthz with the database gone = %d, want 200", code)
			}
			proxy.Restore()
			waitProbe(t, p, base, "/readyz", 200)
		})
	}
}

// run waits for a database server that is not there yet (a closed port): it listens,
// /healthz answers, /readyz is 503 saying what it waits for, every attempt is logged;
// once the server comes, run applies the revisions and becomes ready.
func TestRunWaitsForTheDatabase(t *testing.T) {
	for _, dialect := range []string{database.Postgres, database.MySQL} {
		t.Run(dialect, func(t *testing.T) {
			dbURL, proxy := proxied(t, dialect)
			proxy.Cut()
			env := appEnv(t, dialect, dbURL)
			env["DATABASE_WAIT"] = "1m"
			addr := freeAddr(t)
			base := "http://" + addr
			p := start(t, env, "run", "--addr", addr)
			h := waitProbe(t, p, base, "/healthz", 200)
			if h.Status != "ok" {
				t.Errorf("/healthz while waiting = %+v", h)
			}
			h = waitProbe(t, p, base, "/readyz", 503)
			if len(h.Checks) != 1 || !strings.Contains(h.Checks["startup"].Error, "the database (attempt") {
				t.Errorf("/readyz while waiting = %+v", h)
			}
			p.waitFor(t, `msg="database not reachable yet; retrying" attempt=2`)
			proxy.Restore()
			waitProbe(t, p, base, "/readyz", 200)
			log := p.out.String()
			for _, want := range []string{`msg="database not reachable yet; retrying" attempt=1 retry_in=500ms`, `msg="database reachable" attempt=`, `msg="running upgrade `, `msg=listening`} {
				if !strings.Contains(log, want) {
					t.Errorf("log lacks %q:\n%s", want, log)
				}
			}
		})
	}
}

// The wait is bounded: past DATABASE_WAIT, run and worker exit 1 saying how long they
// tried; a signal during the wait ends it at once with exit 0.
func TestDatabaseWaitIsBounded(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	env := map[string]string{"DATABASE_URL": "postgres://bob:s3cret@" + closed + "/mb", "DATABASE_WAIT": "2s", "LOG_TO_STDOUT": "1"}
	for _, args := range [][]string{{"run", "--addr", "127.0.0.1:0"}, {"worker"}} {
		start := time.Now()
		code, out, errOut := run(t, context.Background(), env, args...)
		took := time.Since(start)
		if code != 1 || !strings.Contains(errOut, "cannot connect to postgres://bob:xxxxx@"+closed+"/mb") || !strings.Contains(errOut, "gave up after") || strings.Contains(out+errOut, "s3cret") {
			t.Errorf("%s: exit %d, stderr %q", args[0], code, errOut)
		}
		if n := strings.Count(out, "database not reachable yet; retrying"); n < 2 {
			t.Errorf("%s: %d attempts logged, want each one:\n%s", args[0], n, out)
		}
		if took < 2*time.Second || took > 20*time.Second {
			t.Errorf("%s gave up after %v with DATABASE_WAIT=2s", args[0], took)
		}
	}
	env["DATABASE_WAIT"] = "10m"
	p := start(t, env, "worker")
	p.waitFor(t, "database not reachable yet; retrying")
	p.stop(t) // exit 0, checked by stop
	if !strings.Contains(p.out.String(), "stopped before the database could be opened") {
		t.Errorf("no log line for the interrupted wait:\n%s", p.out.String())
	}
}

// Without --addr, run listens on every interface at PORT (the PaaS convention);
// LOG_FORMAT=json writes one JSON object per line; `microblog healthcheck` asks the
// server at PORT and exits 0 only on 200.
func TestPortJSONLogsAndHealthcheck(t *testing.T) {
	port := strings.TrimPrefix(freeAddr(t), "127.0.0.1:")
	env := map[string]string{"DATABASE_URL": "sqlite:///" + filepath.Join(t.TempDir(), "app.db"), "PORT": port,
		"LOG_TO_STDOUT": "1", "LOG_FORMAT": "json", "JOB_QUEUE": testdb.RandomName("test-")}
	p := start(t, env, "run")
	waitProbe(t, p, "http://127.0.0.1:"+port, "/readyz", 200)

	code, out, errOut := run(t, context.Background(), map[string]string{"PORT": port}, "healthcheck", "--ready")
	var h server.Health
	if code != 0 || json.Unmarshal([]byte(out), &h) != nil || h.Status != "ok" || h.Checks["schema"].Status != "ok" {
		t.Errorf("healthcheck --ready: exit %d, %q %q", code, out, errOut)
	}
	if code, out, _ := run(t, context.Background(), map[string]string{"PORT": port}, "healthcheck"); code != 0 || strings.TrimSpace(out) != `{"status":"ok"}` {
		t.Errorf("healthcheck: exit %d, %q", code, out)
	}
	if code, _, errOut := run(t, context.Background(), nil, "healthcheck", "--addr", freeAddr(t)); code != 1 || !strings.Contains(errOut, "connection refused") {
		t.Errorf("healthcheck of nothing: exit %d, %q; want 1", code, errOut)
	}
	if code, _, errOut := run(t, context.Background(), nil, "healthcheck", "--addr", "a b\x00"); code != 2 || !strings.Contains(errOut, `--addr "a b\x00"`) {
		t.Errorf("healthcheck --addr with a space and a NUL: exit %d, %q; want 2 naming it", code, errOut)
	}
	if code, _, errOut := run(t, context.Background(), map[string]string{"PORT": "http"}, "healthcheck"); code != 1 || !strings.Contains(errOut, `PORT="http"`) {
		t.Errorf("healthcheck with PORT=http: exit %d, %q", code, errOut)
	}
	p.stop(t)

	var listening bool
	for _, line := range strings.Split(strings.TrimSpace(p.out.String()), "\n") {
		var rec struct {
			Level, Msg, URL string
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil || rec.Level == "" || rec.Msg == "" {
			t.Errorf("log line is not a JSON record: %q (%v)", line, err)
			continue
		}
		if rec.Msg == "listening" {
			listening = strings.HasSuffix(rec.URL, ":"+port) && !strings.Contains(rec.URL, "127.0.0.1")
		}
	}
	if !listening {
		t.Errorf("no JSON \"listening\" record on every interface at port %s:\n%s", port, p.out.String())
	}
}
