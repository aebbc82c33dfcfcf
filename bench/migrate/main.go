// Command migrate times `microblog db upgrade` as a user runs it: the whole command,
// start-up included, on generated migration repositories:
//
//   - start-up: no revisions (what every run pays: process start, connecting, creating
//     the version tables);
//   - wide: one revision creating 500 tables (8 columns, 2 indexes and a foreign key to
//     the previous table each: 1,500 operations);
//   - chain: 100 revisions, each creating one table with its indexes.
//
// It prints the wall time, the CPU time (user + system) and the peak RSS (the child's
// getrusage) of each run, for each binary given with -bin, so that a baseline build and a
// new build are measured in the same run on the same machine. Each (binary, case) pair
// runs -n times on a fresh SQLite file (and on PostgreSQL/MariaDB when
// MICROBLOG_TEST_POSTGRES_URL / MICROBLOG_TEST_MYSQL_URL are set, in a database of its own
// created afresh for every run) and the median is reported. The binaries take turns run
// by run (A B A B ...), so that the load of a shared machine drifting during a case
// weighs on each alike; -cases picks the cases (start-up, wide, chain).
//
// With -alembic PYTHON, Alembic takes its turn too: the same schemas written as an Alembic
// project of Flask-Migrate's kind (alembic.go), upgraded with `PYTHON -m alembic upgrade
// head`, so the comparison with Alembic that the figures are read against comes from the
// same run on the same machine.
//
// Usage, from the repository root:
//
//	go build -o /tmp/mb-new ./cmd/microblog
//	go run ./bench/migrate -bin /tmp/mb-old -bin /tmp/mb-new
//	go run ./bench/migrate -bin /tmp/mb-new -alembic /usr/bin/python3 -dialects sqlite
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/microblog/microblog/internal/database"
)

type bins []string

func (b *bins) String() string     { return strings.Join(*b, ",") }
func (b *bins) Set(v string) error { *b = append(*b, v); return nil }

func main() {
	var binaries bins
	flag.Var(&binaries, "bin", "a microblog binary to time (repeat to compare builds)")
	runs := flag.Int("n", 3, "runs per binary and case (the median is reported)")
	tables := flag.Int("tables", 500, "tables of the wide revision")
	chain := flag.Int("chain", 100, "revisions of the chain")
	only := flag.String("dialects", "sqlite,postgres,mysql", "dialects to try (others need their env var)")
	cases := flag.String("cases", "start-up,wide,chain", "cases to run: start-up, wide, chain")
	keep := flag.String("write", "", "only write the repositories into this directory (empty/, wide/, chain/, and their Alembic twins under alembic/), for profiling")
	python := flag.String("alembic", "", "also time Alembic's upgrade of the same schemas, run by this Python interpreter (one that imports alembic: Debian's /usr/bin/python3 with python3-alembic, and python3-psycopg2 and python3-pymysql for PostgreSQL and MariaDB)")
	flag.Parse()
	if *keep != "" {
		if err := writeAllRepos(*keep, *tables, *chain); err != nil {
			slog.Error("bench/migrate", "err", err)
			os.Exit(1)
		}
		return
	}
	if len(binaries) == 0 {
		fmt.Fprintln(os.Stderr, "usage: go run ./bench/migrate -bin BINARY [-bin BINARY2 ...] [-alembic PYTHON]")
		os.Exit(2)
	}
	if err := run(context.Background(), runners(binaries, *python), *runs, *tables, *chain, strings.Split(*only, ","), strings.Split(*cases, ",")); err != nil {
		slog.Error("bench/migrate", "err", err)
		os.Exit(1)
	}
}

type target struct{ name, url string }

// runner is one contestant: a microblog binary, or Alembic. up upgrades the case's
// repository (the directory of that name under the benchmark's temporary directory: a
// case's key names the repository, "start-up" being "empty") on dbURL.
type runner struct {
	name string
	up   func(root, repo, dbURL string) (wall, cpu time.Duration, maxrss int64, err error)
}

func runners(binaries []string, python string) []runner {
	var rs []runner
	for _, bin := range binaries {
		rs = append(rs, runner{filepath.Base(bin), func(root, repo, dbURL string) (time.Duration, time.Duration, int64, error) {
			return upgrade(bin, filepath.Join(root, repo), dbURL)
		}})
	}
	if python != "" {
		rs = append(rs, runner{"alembic", func(root, repo, dbURL string) (time.Duration, time.Duration, int64, error) {
			return alembicUpgrade(python, filepath.Join(root, "alembic", repo), dbURL)
		}})
	}
	return rs
}

func run(ctx context.Context, contestants []runner, runs, tables, chainLen int, dialects, caseNames []string) error {
	tmp, err := os.MkdirTemp("", "perfmig-bench-")
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(tmp)
	cases := []struct{ key, name, repo string }{
		{"start-up", "start-up (no revisions)", "empty"},
		{"wide", fmt.Sprintf("1 revision, %d tables", tables), "wide"},
		{"chain", fmt.Sprintf("%d-revision chain", chainLen), "chain"},
	}
	if err := writeAllRepos(tmp, tables, chainLen); err != nil {
		return err
	}
	var targets []target
	for _, d := range dialects {
		switch d {
		case "sqlite":
			targets = append(targets, target{"sqlite", ""})
		case "postgres":
			if u := os.Getenv("MICROBLOG_TEST_POSTGRES_URL"); u != "" {
				targets = append(targets, target{"postgres", u})
			}
		case "mysql":
			if u := os.Getenv("MICROBLOG_TEST_MYSQL_URL"); u != "" {
				targets = append(targets, target{"mysql", u})
			}
		}
	}
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("load average at start: %s", load)
	}
	fmt.Printf("%-9s %-26s %-20s %10s %10s %10s\n", "dialect", "case", "binary", "wall", "cpu", "peak RSS")
	for _, tg := range targets {
		if tg.url != "" {
			defer drop(ctx, tg.url)
		}
		for _, c := range cases {
			if !wanted(c.key, caseNames) {
				continue
			}
			// Run the contestants in turn, run by run (A B A B ...), so that a change of the
			// machine's load during the case falls on every binary alike.
			walls := make([][]time.Duration, len(contestants))
			cpus := make([][]time.Duration, len(contestants))
			rss := make([][]int64, len(contestants))
			for range runs {
				for i, bin := range contestants {
					dbURL := "sqlite:///" + filepath.Join(tmp, "bench.db")
					os.Remove(dbURL[len("sqlite:///"):])
					if tg.name != "sqlite" {
						if dbURL, err = fresh(ctx, tg.url); err != nil {
							return err
						}
					}
					wall, cpu, maxrss, err := bin.up(tmp, c.repo, dbURL)
					if err != nil {
						return fmt.Errorf("bench: %s on %s with %s: %w", c.name, tg.name, bin.name, err)
					}
					walls[i] = append(walls[i], wall)
					cpus[i] = append(cpus[i], cpu)
					rss[i] = append(rss[i], maxrss)
				}
			}
			var base time.Duration
			for i, bin := range contestants {
				wall, cpu, maxrss := median(walls[i]), median(cpus[i]), median(rss[i])
				ratio := ""
				if i == 0 {
					base = wall
				} else {
					ratio = fmt.Sprintf("  (wall %.2f× the first)", float64(wall)/float64(base))
				}
				fmt.Printf("%-9s %-26s %-20s %8.3f s %8.3f s %7d MB%s\n", tg.name, c.name, bin.name, wall.Seconds(), cpu.Seconds(), maxrss/1024, ratio)
			}
		}
	}
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("load average at end: %s", load)
	}
	return nil
}

// writeAllRepos writes microblog's repositories into dir (empty/, wide/, chain/) and
// their Alembic twins into dir/alembic.
func writeAllRepos(dir string, tables, chainLen int) error {
	if err := writeRepos(dir, tables, chainLen, microblogFormat()); err != nil {
		return err
	}
	return writeRepos(filepath.Join(dir, "alembic"), tables, chainLen, alembicFormat())
}

// upgrade runs `bin db upgrade -d dir` against url and returns its wall time, CPU time
// and peak RSS in KiB.
func upgrade(bin, dir, dbURL string) (wall, cpu time.Duration, maxrss int64, err error) {
	cmd := exec.Command(bin, "db", "upgrade", "-d", dir)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL)
	return timed(cmd)
}

// timed runs cmd and returns its wall time, its CPU time (user + system) and its peak
// RSS in KiB, from the child's getrusage.
func timed(cmd *exec.Cmd) (wall, cpu time.Duration, maxrss int64, err error) {
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err = cmd.Run()
	wall = time.Since(start)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("%s: %w\n%s", strings.Join(cmd.Args, " "), err, out.String())
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return wall, 0, 0, nil
	}
	cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return wall, cpu, ru.Maxrss, nil
}

// fresh (re)creates, on the server url names, a database of the benchmark's own and
// returns the URL of it: each run starts empty, and nothing else on the server is touched.
func fresh(ctx context.Context, serverURL string) (string, error) {
	u, err := url.Parse(serverURL)
	if err != nil {
		return "", fmt.Errorf("bench: %w", err)
	}
	name := fmt.Sprintf("perfmig_bench_%d", os.Getpid())
	db, err := database.Open(ctx, serverURL)
	if err != nil {
		return "", fmt.Errorf("bench: %w", err)
	}
	defer db.Close()
	for _, stmt := range []string{"DROP DATABASE IF EXISTS " + name, "CREATE DATABASE " + name} {
		if _, err := db.SQL.ExecContext(ctx, stmt); err != nil {
			return "", fmt.Errorf("bench: %s: %w", stmt, err)
		}
	}
	u.Path = "/" + name
	return u.String(), nil
}

// drop removes the benchmark's database from the server serverURL names.
func drop(ctx context.Context, serverURL string) {
	db, err := database.Open(ctx, serverURL)
	if err != nil {
		return
	}
	defer db.Close()
	_, _ = db.SQL.ExecContext(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS perfmig_bench_%d", os.Getpid()))
}

// wanted reports whether the case key is among names (the -cases flag).
func wanted(key string, names []string) bool { return slices.Contains(names, key) }

// median returns the middle value of v (the upper one of an even count).
func median[T time.Duration | int64](v []T) T {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
