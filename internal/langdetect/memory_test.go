package langdetect

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// memoryChild is set in the child process TestDetectorMemory starts: the models are
// cached per process, so the figure is only right in a process that never built a
// detector before.
const memoryChild = "MICROBLOG_LANGDETECT_MEMORY_CHILD"

// rssKB reads the process's resident set size from /proc/self/status.
func rssKB() (int, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/self/status")
}

// TestDetectorMemory measures what building a detector adds to the resident set size
// and to the live Go heap, in each mode, in a fresh process each:
// go test ./internal/langdetect -run Memory -v prints the figures.
func TestDetectorMemory(t *testing.T) {
	if mode := os.Getenv(memoryChild); mode != "" {
		measure(mode == "low")
		return
	}
	if _, err := rssKB(); err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	modes := []string{"low"}
	if os.Getenv(highAccuracyEnv) != "" {
		modes = append(modes, "high")
	}
	for _, mode := range modes {
		cmd := exec.Command(os.Args[0], "-test.run=^TestDetectorMemory$", "-test.v")
		cmd.Env = append(os.Environ(), memoryChild+"="+mode)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s accuracy child: %v\n%s", mode, err, out)
		}
		for _, line := range strings.Split(string(out), "\n") {
			if v, ok := strings.CutPrefix(line, "MEASURED "); ok {
				t.Logf("%s accuracy mode: %s", mode, v)
				var rss int
				fmt.Sscanf(v, "rss +%d", &rss)
				if mode == "low" && rss > 64<<10 {
					t.Errorf("New (low accuracy mode) adds %d kB to RSS; want under 64 MB", rss)
				}
			}
		}
	}
}

// measure prints the RSS and live heap the detector adds, for the parent to read.
func measure(low bool) {
	runtime.GC()
	before, _ := rssKB()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	d := build(low)
	runtime.GC()
	runtime.ReadMemStats(&m1)
	after, _ := rssKB()
	fmt.Printf("MEASURED rss +%d kB, live heap +%d kB (detects %q)\n", after-before,
		(int64(m1.HeapAlloc)-int64(m0.HeapAlloc))>>10, d.Detect("Bom dia a todos, como estão?"))
	runtime.KeepAlive(d)
}
