package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary serve hello-world when the benchmark starts it as its
// own executable with -hello, as the command does.
func TestMain(m *testing.M) {
	if len(os.Args) == 3 && os.Args[1] == "-hello" {
		serveHello(os.Args[2])
		return
	}
	os.Exit(m.Run())
}

// A small sitting end to end: the app is built, seeded, signed into and driven; every
// run is in the results file with its figures, and the mix's posts were all found.
// Both clients: fasthttp's workers keep the session cookie themselves, net/http's in jars.
func TestSmallSittingWritesEveryRunAndFindsEveryPost(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the app and seeds a database")
	}
	for _, client := range []string{clientFast, clientStd} {
		t.Run(client, func(t *testing.T) { smallSitting(t, client) })
	}
}

func smallSitting(t *testing.T, client string) {
	out := filepath.Join(t.TempDir(), "results.txt")
	wd, _ := os.Getwd()
	if err := os.Chdir(filepath.Join(wd, "..", "..")); err != nil { // go build ./cmd/microblog runs from the module root
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chdir(wd) })
	o := options{users: 30, postsPerUser: 5, follows: 3, duration: 500 * time.Millisecond, conns: []int{1, 3},
		scenarios: []string{"hello", "home", "mix"}, signins: 2, out: out, client: client}
	if err := run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, run := range []string{"hello | 1", "hello | 3", "home | 1", "home | 3", "mix | 1", "mix | 3"} {
		row := regexp.MustCompile(`(?m)^\| ` + regexp.QuoteMeta(run) + ` \| (\d+) \| .* \| 0 \| .* \| (\d+) MB \| (\d+\.\d{3}) ms \|$`).FindStringSubmatch(text)
		if row == nil || row[1] == "0" || row[3] == "0.000" {
			t.Errorf("no row with requests and 0 errors for %q in:\n%s", run, text)
		}
	}
	if m := regexp.MustCompile(`mix: (\d+) posts acknowledged, 0 of them missing`).FindStringSubmatch(text); m == nil || m[1] == "0" {
		t.Errorf("mix check missing or no post acknowledged:\n%s", text)
	}
	if !strings.Contains(text, "database: sqlite; 30 users × 5 posts") || !strings.Contains(text, "client: "+client+"\n") {
		t.Errorf("header:\n%s", text)
	}
}
