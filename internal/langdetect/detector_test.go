package langdetect

import (
	"bufio"
	"os"
	"strings"
	"sync"
	"testing"
)

// shared builds the detector once for all tests of the package: building it loads the
// models, which takes a while.
var shared = sync.OnceValue(func() *Detector { return New() })

// labelled reads testdata/short_posts.tsv: hand-written short posts with their language.
func labelled(t *testing.T) [][2]string {
	t.Helper()
	f, err := os.Open("testdata/short_posts.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var posts [][2]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		lang, text, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		if n := len(strings.Fields(text)); n < 3 || n > 20 {
			t.Fatalf("%q has %d words; the set is of 3 to 20", text, n)
		}
		posts = append(posts, [2]string{lang, text})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return posts
}

// highAccuracyEnv, when set, adds lingua's high-accuracy mode to the measures, for
// comparison: it needs about 500 MB.
const highAccuracyEnv = "MICROBLOG_LANGDETECT_HIGH"

// TestAccuracyOnShortPosts measures the detector on the labelled set and holds it to a
// floor: go test ./internal/langdetect -run Accuracy -v prints the figure.
func TestAccuracyOnShortPosts(t *testing.T) {
	posts := labelled(t)
	langs := map[string]bool{}
	for _, p := range posts {
		langs[p[0]] = true
	}
	if len(posts) < 60 || len(langs) < 6 {
		t.Fatalf("the labelled set has %d posts in %d languages; want at least 60 in 6", len(posts), len(langs))
	}
	type mode struct {
		name string
		d    *Detector
		min  float64
	}
	modes := []mode{{"low accuracy (New)", shared(), 0.95}}
	if os.Getenv(highAccuracyEnv) != "" {
		modes = append(modes, mode{"high accuracy", build(false), 0.95})
	}
	for _, mode := range modes {
		right := 0
		for _, p := range posts {
			if got := mode.d.Detect(p[1]); got == p[0] {
				right++
			} else {
				t.Logf("%s: %q: got %q, want %q", mode.name, p[1], got, p[0])
			}
		}
		acc := float64(right) / float64(len(posts))
		t.Logf("%s: %d/%d right (%.1f%%) over %d languages", mode.name, right, len(posts), 100*acc, len(langs))
		if acc < mode.min {
			t.Errorf("%s: accuracy %.3f, want at least %.2f", mode.name, acc, mode.min)
		}
	}
}

func TestUnknownOrTooShort(t *testing.T) {
	d := shared()
	for _, text := range []string{"", "ok", "!!! ???", "12345 678", "\xff\xfe bad bytes here", "こんにちは、元気ですか"} {
		if got := d.Detect(text); got != "" {
			t.Errorf("Detect(%q) = %q, want \"\"", text, got)
		}
	}
}
