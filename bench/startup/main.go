// Command startup times commands whose cost is mostly the program's start-up —
// `microblog --help`, `microblog db --help` and `microblog db current` — for each binary
// given with -bin, alternating between them, and prints the median wall time, CPU time
// (user + system) and peak RSS of each (the child's getrusage).
//
// `db current` reads the version table of a SQLite database that a 100-revision chain
// (the one bench/migrate generates) was applied to, by the first binary.
//
// Usage, from the repository root:
//
//	go run ./bench/startup -bin /tmp/mb-old -bin /tmp/mb-new
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

type bins []string

func (b *bins) String() string     { return strings.Join(*b, ",") }
func (b *bins) Set(v string) error { *b = append(*b, v); return nil }

type sample struct {
	wall, cpu time.Duration
	rss       int64 // KiB
}

func main() {
	var binaries bins
	flag.Var(&binaries, "bin", "a microblog binary to time (repeat to compare builds)")
	runs := flag.Int("n", 11, "runs per binary and command (the median is reported)")
	flag.Parse()
	if len(binaries) == 0 {
		fmt.Fprintln(os.Stderr, "usage: go run ./bench/startup -bin BINARY [-bin BINARY2 ...]")
		os.Exit(2)
	}
	if err := run(binaries, *runs); err != nil {
		slog.Error("bench/startup", "err", err)
		os.Exit(1)
	}
}

func run(binaries []string, runs int) error {
	tmp, err := os.MkdirTemp("", "startup-bench-")
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(tmp)
	repo := filepath.Join(tmp, "repo")
	gen := exec.Command("go", "run", "./bench/migrate", "-write", repo)
	if out, err := gen.CombinedOutput(); err != nil {
		return fmt.Errorf("bench: write the chain: %w\n%s", err, out)
	}
	chain := filepath.Join(repo, "chain")
	env := append(os.Environ(), "DATABASE_URL=sqlite:///"+filepath.Join(tmp, "current.db"))
	if _, err := time1(binaries[0], env, "db", "upgrade", "-d", chain); err != nil {
		return err
	}
	cases := []struct {
		name string
		args []string
	}{
		{"--help", []string{"--help"}},
		{"db --help", []string{"db", "--help"}},
		{"db current", []string{"db", "current", "-d", chain}},
	}
	got := map[string][]sample{}
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("load average at start: %s", load)
	}
	for range runs {
		for _, c := range cases {
			for _, bin := range binaries {
				s, err := time1(bin, env, c.args...)
				if err != nil {
					return err
				}
				got[c.name+"\x00"+bin] = append(got[c.name+"\x00"+bin], s)
			}
		}
	}
	fmt.Printf("%-12s %-20s %10s %10s %10s\n", "command", "binary", "wall", "cpu", "peak RSS")
	for _, c := range cases {
		for _, bin := range binaries {
			s := got[c.name+"\x00"+bin]
			med := func(f func(sample) int64) int64 {
				v := make([]int64, len(s))
				for i := range s {
					v[i] = f(s[i])
				}
				slices.Sort(v)
				return v[len(v)/2]
			}
			wall := time.Duration(med(func(x sample) int64 { return int64(x.wall) }))
			cpu := time.Duration(med(func(x sample) int64 { return int64(x.cpu) }))
			fmt.Printf("%-12s %-20s %8.3f s %8.3f s %7d MB\n", c.name, filepath.Base(bin), wall.Seconds(), cpu.Seconds(), med(func(x sample) int64 { return x.rss })/1024)
		}
	}
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("load average at end: %s", load)
	}
	return nil
}

// time1 runs bin with args once and measures it.
func time1(bin string, env []string, args ...string) (sample, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return sample{}, fmt.Errorf("bench: %s %s: %w\n%s", bin, strings.Join(args, " "), err, out.String())
	}
	s := sample{wall: wall}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		s.rss = ru.Maxrss
	}
	return s, nil
}
