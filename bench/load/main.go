// Command load is the load benchmark of issue 12: it builds microblog, seeds a database
// (or reuses a seeded one), starts `microblog run` on it, signs in as several seeded
// users and drives the home feed, explore, profiles and a mix with 10% new posts at 1,
// 10 and 50 connections, then a hello-world net/http server in the same sitting as the
// limit. It prints requests per second, p50/p99 latency, errors, the ratio to
// hello-world and the app's peak RSS per run, checks that every post the app
// acknowledged in the mix is in the database, and writes the table to bench/results/.
//
//	go run ./bench/load                              # 10,000 users × 100 posts, SQLite, 20 s a run
//	go run ./bench/load -users 1000 -duration 5s     # a quick run
//	DATABASE_URL=postgres://… go run ./bench/load    # an empty PostgreSQL or MariaDB database
//
// See docs/performance.md.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"

	"github.com/microblog/microblog/internal/database"
)

// options are the command's flags.
type options struct {
	users, postsPerUser, follows int
	duration                     time.Duration
	conns                        []int
	scenarios                    []string
	signins                      int
	databaseURL                  string
	out                          string
	pprof                        string
	keep                         bool
	bin                          string
	redisURL                     string
	cpuProfile                   string
	against                      string
	client                       string
}

func main() {
	log.SetFlags(0)
	if len(os.Args) == 3 && os.Args[1] == "-hello" {
		serveHello(os.Args[2])
		return
	}
	var o options
	conns, scen := "1,10,50", "hello,home,explore,profile,mix"
	flag.IntVar(&o.users, "users", 10000, "users to seed")
	flag.IntVar(&o.postsPerUser, "posts-per-user", 100, "posts per seeded user")
	flag.IntVar(&o.follows, "follows", 100, "follows per seeded user")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "length of each run")
	flag.StringVar(&conns, "conns", conns, "comma-separated connection counts")
	flag.StringVar(&scen, "scenarios", scen, "comma-separated runs among hello, home, explore, profile, mix, and deep, deep-links (Explore's deep pages by number, and as their Older links ask for them)")
	flag.IntVar(&o.signins, "signins", 20, "seeded users to sign in as (the connections take turns)")
	flag.StringVar(&o.databaseURL, "database", os.Getenv("DATABASE_URL"), "database URL (default: a new SQLite file); an already seeded database is reused as it is")
	flag.StringVar(&o.out, "out", "", "results file (default bench/results/<time>-<dialect>.txt)")
	flag.StringVar(&o.pprof, "pprof", "", "let the app serve net/http/pprof on this address (e.g. 127.0.0.1:6060), to profile during a run")
	flag.StringVar(&o.bin, "bin", "", "run this microblog binary instead of building ./cmd/microblog (to compare with an older build)")
	flag.StringVar(&o.redisURL, "redis", os.Getenv("REDIS_URL"), "REDIS_URL for the app's job queue (required with MariaDB/MySQL, whose queue is Redis)")
	flag.StringVar(&o.against, "against", "", "also run this microblog binary on a copy of the SQLite database, loaded at the same time as the first, and compare the two side by side (both see the same machine; for builds whose difference is smaller than the machine's swings between runs)")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write the load generator's own CPU profile to this file (what the client costs the shared machine)")
	flag.StringVar(&o.client, "client", clientFast, "the load generator's HTTP client: "+clientFast+" (the lightest on the CPUs it shares with the server) or "+clientStd+" (as runs before stop 27 were measured)")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary SQLite database and print its URL (reuse it with -database)")
	flag.Parse()
	for _, c := range strings.Split(conns, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 {
			log.Fatalf("load: -conns %q: want positive whole numbers", conns)
		}
		o.conns = append(o.conns, n)
	}
	o.scenarios = strings.Split(scen, ",")
	for _, s := range o.scenarios {
		if !slices.Contains([]string{"hello", "home", "explore", "profile", "mix", "deep", "deep-links"}, s) {
			log.Fatalf("load: -scenarios: unknown run %q", s)
		}
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	if o.client != clientFast && o.client != clientStd {
		log.Fatalf("load: -client %q: want %s or %s", o.client, clientFast, clientStd)
	}
	if o.against != "" && slices.Contains(o.scenarios, "mix") {
		log.Fatal("load: -against compares read runs: leave mix out")
	}
	if err := run(context.Background(), o); err != nil {
		log.Print(err)
		os.Exit(1)
	}
}

// serveHello is the limit: the ten-line net/http hello world, in its own process.
func serveHello(addr string) {
	http.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "Hello, World!\n") })
	log.Fatal(http.ListenAndServe(addr, nil))
}

func run(ctx context.Context, o options) error {
	tmp, err := os.MkdirTemp("", "perfweb-load-")
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	if !o.keep {
		defer os.RemoveAll(tmp)
	}
	bin := o.bin
	if bin == "" {
		bin = filepath.Join(tmp, "microblog")
		log.Printf("building microblog")
		if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/microblog").CombinedOutput(); err != nil {
			return fmt.Errorf("load: go build: %w\n%s", err, out)
		}
	}
	if o.databaseURL == "" {
		o.databaseURL = "sqlite:///" + filepath.Join(tmp, "bench.db")
	}
	dialect := strings.SplitN(o.databaseURL, ":", 2)[0]
	if (dialect == "mysql" || dialect == "mariadb") && o.redisURL == "" {
		return errors.New("load: -redis (or REDIS_URL) is required with MariaDB/MySQL: the app queues its jobs in Redis there")
	}
	db, err := database.Open(ctx, o.databaseURL)
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	defer db.Close()
	seeded, _ := db.Bun.NewSelect().Table("user").Count(ctx) // fails before migrations: not seeded
	if seeded == 0 {
		log.Printf("seeding %d users × %d posts, %d follows each", o.users, o.postsPerUser, o.follows)
		start := time.Now()
		cmd := exec.CommandContext(ctx, bin, "seed", "--users", strconv.Itoa(o.users), "--posts-per-user", strconv.Itoa(o.postsPerUser),
			"--follows", strconv.Itoa(o.follows), "--seed", "1", "--until", "2026-12-01")
		cmd.Env, cmd.Dir = append(os.Environ(), "DATABASE_URL="+o.databaseURL, "LOG_TO_STDOUT=1"), tmp
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("load: seed: %w\n%s", err, out)
		}
		log.Printf("seeded in %s", time.Since(start).Round(time.Second))
		// Statistics, as autovacuum or an operator would have them on a live database:
		// without them PostgreSQL guesses 5,000 follows per user and walks the whole
		// timestamp index for the timeline (40 ms instead of 2 ms a page).
		if err := analyze(ctx, db, dialect); err != nil {
			return err
		}
	} else {
		log.Printf("reusing the seeded database (%d users)", seeded)
	}
	if o.keep {
		log.Printf("database kept: -database %s", o.databaseURL)
	}
	var names []string
	if err := db.Bun.NewSelect().Table("user").Column("username").OrderExpr("id").Limit(int64(o.signins)).Scan(ctx, &names); err != nil {
		return fmt.Errorf("load: read usernames: %w", err)
	}
	var profiles []string
	if err := db.Bun.NewSelect().Table("user").Column("username").OrderExpr("id DESC").Limit(200).Scan(ctx, &profiles); err != nil {
		return fmt.Errorf("load: read usernames: %w", err)
	}

	app, err := startApp(ctx, bin, tmp, o)
	if err != nil {
		return err
	}
	defer app.stop()
	hello, err := startHello(ctx, tmp)
	if err != nil {
		return err
	}
	defer hello.stop()
	var other *process
	if o.against != "" {
		if other, err = startAgainst(ctx, db, dialect, tmp, o); err != nil {
			return err
		}
		defer other.stop()
	}

	if o.client == "" {
		o.client = clientFast
	}
	drv, err := newDriver(o.client, slices.Max(o.conns))
	if err != nil {
		return err
	}
	// Sign-ins go through net/http's client and its cookie jar whichever client drives
	// the runs: the jars hold each user's cookies, which the runs' workers start from.
	client := &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       requestTimeout,
	}
	jars, err := signIn(ctx, client, app.base, names)
	if err != nil {
		return err
	}
	var otherJars []http.CookieJar
	if other != nil {
		if otherJars, err = signIn(ctx, client, other.base, names); err != nil {
			return err
		}
	}
	// Each sign-in hashed a password with argon2id (64 MiB each), and the app hands those
	// pages back to the system after a second without hashing (internal/password's
	// Hasher). Wait for that, so that the first run's peak RSS is its own load's and not
	// the sign-ins' (without the wait a home run started at once measured 150–212 MB,
	// against 118–129 MB after the hello-world runs that usually come first).
	time.Sleep(2 * time.Second)
	runID := strconv.FormatInt(time.Now().UnixNano(), 36)
	var acked ackLog
	var serial atomic.Int64 // numbers the new posts of the whole sitting, so that each body is unique
	var results []result
	var pairs [][2]result // -against: each read run of both builds
	for _, sc := range o.scenarios {
		for _, c := range o.conns {
			target, proc := app, app
			if sc == "hello" {
				target, proc = hello, hello
			}
			log.Printf("%s, %d connections, %s …", sc, c, o.duration)
			if other != nil && sc != "hello" {
				a, b := driveBoth(ctx, drv, app, other, sc, c, o.duration, jars, otherJars, profiles, runID, &serial)
				log.Printf("  %.0f req/s against %.0f, server CPU %s a request against %s", a.rate(), b.rate(), msFine(a.cpuPerRequest()), msFine(b.cpuPerRequest()))
				results = append(results, a)
				pairs = append(pairs, [2]result{a, b})
				continue
			}
			proc.resetPeak()
			cpu0 := proc.cpuTime()
			r := drive(ctx, drv, target.base, sc, c, o.duration, jars, profiles, runID, &serial, &acked)
			r.peakRSS = proc.peakRSS()
			r.cpu = proc.cpuTime() - cpu0
			results = append(results, r)
			log.Printf("  %.0f req/s, p50 %s, p99 %s, %d errors, peak RSS %d MB, server CPU %s a request", r.rate(), ms(r.p50), ms(r.p99), r.errors, r.peakRSS>>20, msFine(r.cpuPerRequest()))
		}
	}
	lost, err := acked.missing(ctx, db)
	if err != nil {
		return err
	}
	return report(o, dialect, results, pairs, len(acked.bodies), lost)
}

// startAgainst starts the -against build on a copy of the database (VACUUM INTO: a
// consistent copy of a live SQLite file).
func startAgainst(ctx context.Context, db *database.DB, dialect, dir string, o options) (*process, error) {
	if dialect != database.SQLite {
		return nil, errors.New("load: -against needs a SQLite database to copy")
	}
	cp := filepath.Join(dir, "against.db")
	log.Printf("copying the database for -against")
	if _, err := db.SQL.ExecContext(ctx, "VACUUM INTO ?", cp); err != nil {
		return nil, fmt.Errorf("load: copy the database: %w", err)
	}
	oo := o
	oo.databaseURL, oo.pprof = "sqlite:///"+cp, ""
	againstDir := filepath.Join(dir, "against")
	if err := os.MkdirAll(againstDir, 0o755); err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	return startApp(ctx, o.against, againstDir, oo)
}

// driveBoth loads both builds at once with conns connections each: they share the
// machine's swings, so their CPU time per request compares within one run.
func driveBoth(ctx context.Context, drv driver, a, b *process, scenario string, conns int, d time.Duration, jarsA, jarsB []http.CookieJar, profiles []string, runID string, serial *atomic.Int64) (ra, rb result) {
	a.resetPeak()
	b.resetPeak()
	cpuA, cpuB := a.cpuTime(), b.cpuTime()
	var wg sync.WaitGroup
	var unused ackLog
	wg.Go(func() { ra = drive(ctx, drv, a.base, scenario, conns, d, jarsA, profiles, runID, serial, &unused) })
	wg.Go(func() { rb = drive(ctx, drv, b.base, scenario, conns, d, jarsB, profiles, runID, serial, &unused) })
	wg.Wait()
	ra.peakRSS, rb.peakRSS = a.peakRSS(), b.peakRSS()
	ra.cpu, rb.cpu = a.cpuTime()-cpuA, b.cpuTime()-cpuB
	return ra, rb
}

// analyze gathers the planner's statistics after the bulk load (PostgreSQL: VACUUM
// ANALYZE, which also sets the visibility map that index-only scans need; MariaDB:
// ANALYZE TABLE). SQLite plans without them.
func analyze(ctx context.Context, db *database.DB, dialect string) error {
	var stmt string
	switch dialect {
	case "postgres", "postgresql":
		stmt = "VACUUM ANALYZE"
	case "mysql", "mariadb":
		stmt = "ANALYZE TABLE `user`, post, followers, message, notification"
	default:
		return nil
	}
	if _, err := db.SQL.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("load: %s: %w", stmt, err)
	}
	return nil
}

// process is a server the benchmark started.
type process struct {
	cmd  *exec.Cmd
	base string
}

func (p *process) stop() {
	p.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-done
	}
}

// resetPeak clears the process's peak resident set size (VmHWM), so that the next
// peakRSS covers one run.
func (p *process) resetPeak() {
	os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", p.cmd.Process.Pid), []byte("5"), 0)
}

// cpuTime is the CPU time (user + system) the process has used so far, from
// /proc/PID/stat (0 when unknown). The server's CPU time per request is the figure that
// other work on the machine changes least: req/s and latency fall when other programs
// take the cores; the work each request costs does not.
func (p *process) cpuTime() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which is in parentheses and may hold spaces):
	// utime and stime are the 14th and 15th fields of the line, in clock ticks.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / clockTicks
}

// clockTicks is the kernel's USER_HZ, the unit of /proc/PID/stat's times: 100 on every
// Linux architecture Go supports.
const clockTicks = 100

// peakRSS is the process's peak resident set size in bytes (0 when unknown).
func (p *process) peakRSS() int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("load: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func startApp(ctx context.Context, bin, dir string, o options) (*process, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	args := []string{"run", "--addr", addr, "--workers", "0"}
	if o.pprof != "" {
		args = append(args, "--pprof", o.pprof)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DATABASE_URL="+o.databaseURL, "MICROBLOG_ENV=production", "SECRET_KEY=load-benchmark-secret-0123456789abcdef",
		"BASE_URL=http://"+addr, "SESSION_COOKIE_SECURE=0", "REDIS_URL="+o.redisURL)
	logf, err := os.Create(filepath.Join(dir, "app.log"))
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("load: start the app: %w", err)
	}
	p := &process{cmd: cmd, base: "http://" + addr}
	if err := waitUp(p.base + "/auth/login"); err != nil {
		p.stop()
		out, _ := os.ReadFile(logf.Name())
		return nil, fmt.Errorf("load: the app: %w\n%s", err, out)
	}
	return p, nil
}

func startHello(ctx context.Context, dir string) (*process, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	cmd := exec.CommandContext(ctx, self, "-hello", addr)
	cmd.Dir, cmd.Stderr = dir, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("load: start hello-world: %w", err)
	}
	p := &process{cmd: cmd, base: "http://" + addr}
	if err := waitUp(p.base + "/"); err != nil {
		p.stop()
		return nil, fmt.Errorf("load: hello-world: %w", err)
	}
	return p, nil
}

func waitUp(u string) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(u)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("GET %s: %s", u, resp.Status)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not up after 60 s: %w", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// signIn signs in as each named seeded user (password microblog-demo) and returns one
// cookie jar per user.
func signIn(ctx context.Context, client *http.Client, base string, names []string) ([]http.CookieJar, error) {
	var jars []http.CookieJar
	for _, name := range names {
		jar, _ := cookiejar.New(nil)
		c := *client
		c.Jar = jar
		form := url.Values{"username": {name}, "password": {"microblog-demo"}, "remember_me": {"y"}}
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/auth/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := c.Do(req)
		if err != nil {
			return nil, fmt.Errorf("load: sign in as %s: %w", name, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound || strings.Contains(resp.Header.Get("Location"), "/auth/login") {
			return nil, fmt.Errorf("load: sign in as %s: %s to %q", name, resp.Status, resp.Header.Get("Location"))
		}
		// Follow the redirect as a browser does: the home page right after signing in is
		// what builds the reader's timeline (store.TimelineDepth posts), once. Without it
		// the first home run paid for 20 timelines built at once.
		next, err := http.NewRequestWithContext(ctx, http.MethodGet, base+resp.Header.Get("Location"), nil)
		if err != nil {
			return nil, fmt.Errorf("load: sign in as %s: %w", name, err)
		}
		resp, err = c.Do(next)
		if err != nil {
			return nil, fmt.Errorf("load: sign in as %s: %w", name, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("load: %s's home page after signing in: %s", name, resp.Status)
		}
		jars = append(jars, jar)
	}
	return jars, nil
}

// result is one run's figures.
type result struct {
	scenario         string
	conns            int
	requests, errors int
	elapsed          time.Duration
	p50, p99         time.Duration
	peakRSS          int64
	cpu              time.Duration // the server process's CPU time during the run
	firstError       string
}

func (r result) rate() float64 { return float64(r.requests) / r.elapsed.Seconds() }

// cpuPerRequest is the server's CPU time per request of the run.
func (r result) cpuPerRequest() time.Duration {
	if r.requests == 0 {
		return 0
	}
	return r.cpu / time.Duration(r.requests)
}

// ackLog holds the bodies of the posts the app acknowledged (302 to /index).
type ackLog struct {
	mu     sync.Mutex
	bodies []string
}

func (a *ackLog) add(body string) {
	a.mu.Lock()
	a.bodies = append(a.bodies, body)
	a.mu.Unlock()
}

// missing counts the acknowledged posts that are not in the database.
func (a *ackLog) missing(ctx context.Context, db *database.DB) (int, error) {
	lost := 0
	for chunk := range slices.Chunk(a.bodies, 500) {
		var found []string
		if err := db.Bun.NewSelect().Table("post").ColumnExpr("DISTINCT body").Where("body IN (?)", bun.In(chunk)).Scan(ctx, &found); err != nil {
			return 0, fmt.Errorf("load: check acknowledged posts: %w", err)
		}
		lost += len(chunk) - len(found)
	}
	return lost, nil
}

// drive runs one scenario with conns connections for d, each connection a closed loop
// (the next request leaves when the previous response is read, as hey does).
func drive(ctx context.Context, drv driver, base, scenario string, conns int, d time.Duration, jars []http.CookieJar, profiles []string, runID string, serial *atomic.Int64, acked *ackLog) result {
	var (
		mu        sync.Mutex
		latencies []time.Duration
		errs      atomic.Int64
		firstErr  atomic.Value
	)
	workers := make([]worker, conns)
	for w := range workers {
		var jar http.CookieJar
		if scenario != "hello" {
			jar = jars[w%len(jars)]
		}
		workers[w] = drv.worker(base, jar)
	}
	newPost := func() string { return fmt.Sprintf("load %s %d", runID, serial.Add(1)) }
	stopAt := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for w, wk := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			var mine []time.Duration
			for time.Now().Before(stopAt) {
				s := request(scenario, rng, profiles, newPost)
				t0 := time.Now()
				status, location, err := wk.do(ctx, s)
				mine = append(mine, time.Since(t0))
				switch {
				case err != nil:
				case s.post != "" && status == http.StatusFound && location == "/index":
					acked.add(s.post)
				case s.post == "" && status == http.StatusOK:
				default:
					err = fmt.Errorf("%s %s: %d %s (Location %q)", s.method, s.path, status, http.StatusText(status), location)
				}
				if err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	r := result{scenario: scenario, conns: conns, requests: len(latencies), errors: int(errs.Load()), elapsed: time.Since(start)}
	if s, ok := firstErr.Load().(string); ok {
		r.firstError = s
	}
	slices.Sort(latencies)
	if len(latencies) > 0 {
		r.p50 = latencies[len(latencies)*50/100]
		r.p99 = latencies[min(len(latencies)-1, len(latencies)*99/100)]
	}
	return r
}

// request is a scenario's next request; newPost gives a new post's body.
func request(scenario string, rng *rand.Rand, profiles []string, newPost func() string) spec {
	get := func(path string) spec { return spec{method: http.MethodGet, path: path} }
	switch scenario {
	case "hello":
		return get("/")
	case "home":
		return get("/index")
	case "explore":
		return get("/explore")
	case "profile":
		return get("/user/" + url.PathEscape(profiles[rng.IntN(len(profiles))]))
	case "deep":
		// A page of Explore past the first 500 posts, by its number (an offset).
		return get(fmt.Sprintf("/explore?page=%d", 21+rng.IntN(deepPages)))
	case "deep-links":
		// The same pages as their Older links ask for them: after the last post of the
		// page before (any post will do as the anchor; the seeded ids are dense). A
		// build without keyset pages ignores the anchor and reads by number.
		return get(fmt.Sprintf("/explore?page=%d&before=%d", 21+rng.IntN(deepPages), 1+rng.IntN(deepPages*25)))
	}
	// mix: 10% new posts, the rest spread over the home feed, explore and profiles
	switch x := rng.IntN(10); {
	case x == 0:
		body := newPost()
		return spec{method: http.MethodPost, path: "/index", form: url.Values{"post": {body}}, post: body}
	case x < 5:
		return get("/index")
	case x < 7:
		return get("/explore")
	default:
		return get("/user/" + url.PathEscape(profiles[rng.IntN(len(profiles))]))
	}
}

// deepPages is how many of Explore's pages the deep runs spread over: about all of the
// issue's data set's 1,000,000 posts at 25 a page.
const deepPages = 39000

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// msFine is ms to the microsecond, for CPU times of well under a millisecond.
func msFine(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d.Microseconds())/1000) }

func report(o options, dialect string, results []result, pairs [][2]result, posted, lost int) error {
	var b strings.Builder
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Fprintf(&b, "microblog load benchmark, %s\n", time.Now().UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "database: %s; %d users × %d posts, %d follows each; %s a run; %d signed-in users; %s, %d CPUs; load average at the end: %s\n",
		dialect, o.users, o.postsPerUser, o.follows, o.duration, o.signins, runtime.Version(), runtime.NumCPU(), strings.Join(strings.Fields(string(load))[:3], " "))
	fmt.Fprintf(&b, "client: %s\n", o.client)
	fmt.Fprintf(&b, "command: go run ./bench/load %s\n\n", strings.Join(os.Args[1:], " "))
	hello := map[int]float64{}
	for _, r := range results {
		if r.scenario == "hello" {
			hello[r.conns] = r.rate()
		}
	}
	fmt.Fprintf(&b, "| run | conns | req/s | p50 | p99 | errors | vs hello-world | peak RSS | server CPU a request |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range results {
		ratio := "—"
		if h := hello[r.conns]; h > 0 && r.scenario != "hello" {
			ratio = fmt.Sprintf("%.1f%%", 100*r.rate()/h)
		}
		fmt.Fprintf(&b, "| %s | %d | %.0f | %s | %s | %d | %s | %d MB | %s |\n", r.scenario, r.conns, r.rate(), ms(r.p50), ms(r.p99), r.errors, ratio, r.peakRSS>>20, msFine(r.cpuPerRequest()))
	}
	if len(pairs) > 0 {
		fmt.Fprintf(&b, "\nSide by side, loaded at the same time (-against %s; the runs above are the first build's, under the load of both):\n\n", o.against)
		fmt.Fprintf(&b, "| run | conns | req/s | req/s against | p99 | p99 against | server CPU a request | against | ratio |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, p := range pairs {
			ratio := "—"
			if p[1].cpuPerRequest() > 0 {
				ratio = fmt.Sprintf("%.2f", float64(p[0].cpuPerRequest())/float64(p[1].cpuPerRequest()))
			}
			fmt.Fprintf(&b, "| %s | %d | %.0f | %.0f | %s | %s | %s | %s | %s |\n", p[0].scenario, p[0].conns, p[0].rate(), p[1].rate(),
				ms(p[0].p99), ms(p[1].p99), msFine(p[0].cpuPerRequest()), msFine(p[1].cpuPerRequest()), ratio)
		}
	}
	if slices.Contains(o.scenarios, "mix") {
		fmt.Fprintf(&b, "\nmix: %d posts acknowledged, %d of them missing from the database\n", posted, lost)
	}
	for _, r := range results {
		if r.firstError != "" {
			fmt.Fprintf(&b, "first error of %s/%d: %s\n", r.scenario, r.conns, r.firstError)
		}
	}
	fmt.Print("\n" + b.String())
	out := o.out
	if out == "" {
		out = filepath.Join("bench", "results", time.Now().UTC().Format("20060102-150405")+"-"+dialect+".txt")
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	fmt.Printf("\nwritten to %s\n", out)
	if lost > 0 {
		return errors.New("load: acknowledged posts are missing from the database")
	}
	return nil
}
