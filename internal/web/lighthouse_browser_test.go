package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/database"
)

// requireLighthouseEnv, set to 1 by CI, turns a missing Lighthouse into a failure.
const requireLighthouseEnv = "MICROBLOG_TEST_REQUIRE_LIGHTHOUSE"

// lighthouseMajor is the Lighthouse release the scores are measured with (.ci/run pins
// the exact version); another major version has other audits and weights.
const lighthouseMajor = "12."

// lighthouseTools finds node and the lighthouse package (the directory above the
// lighthouse command's cli/index.js), or skips the test saying why, or fails it when
// MICROBLOG_TEST_REQUIRE_LIGHTHOUSE=1.
func lighthouseTools(t *testing.T) (node, dir string) {
	t.Helper()
	missing := func(why string) {
		t.Helper()
		if os.Getenv(requireLighthouseEnv) == "1" {
			t.Fatalf("Lighthouse required (%s=1): %s", requireLighthouseEnv, why)
		}
		t.Skipf("Lighthouse test skipped: %s (npm install -g lighthouse@12 to run it)", why)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not installed")
	}
	cli, err := exec.LookPath("lighthouse")
	if err != nil {
		missing("the lighthouse command is not installed")
	}
	if cli, err = filepath.EvalSymlinks(cli); err != nil {
		missing(err.Error())
	}
	dir = filepath.Dir(filepath.Dir(cli))
	var pkg struct{ Version string }
	if b, err := os.ReadFile(filepath.Join(dir, "package.json")); err != nil || json.Unmarshal(b, &pkg) != nil {
		missing("no package.json beside " + cli)
	}
	if !strings.HasPrefix(pkg.Version, lighthouseMajor) {
		missing(fmt.Sprintf("lighthouse %s is installed, the scores are for %sx", pkg.Version, lighthouseMajor))
	}
	t.Logf("lighthouse %s in %s", pkg.Version, dir)
	return node, dir
}

// devToolsLine is what Chromium prints on stderr once it listens for DevTools clients.
var devToolsLine = regexp.MustCompile(`DevTools listening on ws://127\.0\.0\.1:(\d+)/`)

// debugChromium starts headless Chromium with a DevTools port of its choosing, stopped
// when the test ends, and returns the port. Gravatar's host resolves to nothing.
func debugChromium(t *testing.T, exe string) string {
	t.Helper()
	cmd := exec.Command(exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-extensions", "--no-first-run", "--host-resolver-rules=MAP www.gravatar.com ~NOTFOUND",
		"--user-data-dir="+t.TempDir(), "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "about:blank")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	port := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := devToolsLine.FindStringSubmatch(sc.Text()); m != nil {
				port <- m[1]
				break
			}
		}
		io.Copy(io.Discard, stderr) // keep the pipe drained
	}()
	select {
	case p := <-port:
		return p
	case <-time.After(30 * time.Second):
		t.Fatal("chromium did not open its DevTools port within 30 s")
		return ""
	}
}

// lighthouseReport is the part of a Lighthouse result (LHR) the test reads.
type lighthouseReport struct {
	LighthouseVersion string `json:"lighthouseVersion"`
	FinalDisplayedURL string `json:"finalDisplayedUrl"`
	RuntimeError      *struct {
		Code, Message string
	} `json:"runtimeError"`
	RunWarnings []string `json:"runWarnings"`
	Categories  map[string]struct {
		Score     *float64 `json:"score"`
		AuditRefs []struct {
			ID     string  `json:"id"`
			Weight float64 `json:"weight"`
		} `json:"auditRefs"`
	} `json:"categories"`
	Audits map[string]struct {
		Title            string          `json:"title"`
		Score            *float64        `json:"score"`
		ScoreDisplayMode string          `json:"scoreDisplayMode"`
		DisplayValue     string          `json:"displayValue"`
		ErrorMessage     string          `json:"errorMessage"`
		Details          json.RawMessage `json:"details"`
	} `json:"audits"`
}

// consoleItem is one entry of the errors-in-console audit.
type consoleItem struct {
	Description    string `json:"description"`
	SourceLocation struct {
		URL string `json:"url"`
	} `json:"sourceLocation"`
}

// onlyOwnStatus tells whether every console error the page logged is Chrome's line about
// the page's own 404 status ("Failed to load resource: … status of 404"), which Chrome
// logs for any document served with an error status, so that a correct 404 page cannot
// avoid it. An error about anything else (a missing style sheet, a blocked image) is not.
func (r *lighthouseReport) onlyOwnStatus(pageURL string) bool {
	var details struct {
		Items []consoleItem `json:"items"`
	}
	if json.Unmarshal(r.Audits["errors-in-console"].Details, &details) != nil || len(details.Items) == 0 {
		return false
	}
	for _, it := range details.Items {
		if it.SourceLocation.URL != pageURL || !strings.Contains(it.Description, "status of 404") {
			return false
		}
	}
	return true
}

// failing lists the weighted audits of category that did not pass, with what they found;
// for a page whose 404 is intended (own404), the console line about that status alone
// does not count.
func (r *lighthouseReport) failing(category, pageURL string, own404 bool) []string {
	var out []string
	for _, ref := range r.Categories[category].AuditRefs {
		a := r.Audits[ref.ID]
		if ref.Weight == 0 || a.ScoreDisplayMode == "notApplicable" || a.ScoreDisplayMode == "informative" || a.ScoreDisplayMode == "manual" {
			continue
		}
		if a.Score != nil && *a.Score == 1 {
			continue
		}
		if own404 && ref.ID == "errors-in-console" && r.onlyOwnStatus(pageURL) {
			continue
		}
		score := "none"
		if a.Score != nil {
			score = fmt.Sprint(*a.Score)
		}
		line := fmt.Sprintf("%s (%s) score %s %s %s", ref.ID, a.Title, score, a.DisplayValue, a.ErrorMessage)
		var details struct {
			Items []map[string]any `json:"items"`
		}
		json.Unmarshal(a.Details, &details)
		for i, item := range details.Items {
			if i == 5 {
				line += fmt.Sprintf("\n      … %d more", len(details.Items)-5)
				break
			}
			b, _ := json.Marshal(item)
			if len(b) > 400 {
				b = append(b[:400], "…"...)
			}
			line += "\n      " + string(b)
		}
		out = append(out, line)
	}
	return out
}

// TestLighthouse runs Lighthouse 12 in headless Chromium on every page, as a phone
// (its 412 px mobile preset) and as a desktop, and requires the accessibility and best
// practices categories to score 100, printing the failing audits when they do not. The
// one exception is the 404 page's console line about its own status (see
// onlyOwnStatus): with it best practices counts 96 there, and no other deduction. The
// app runs with AVATARS=local: Gravatar is not reachable from here, and an unreachable
// image is a console error that best practices counts. Reports go to
// artifacts/lighthouse/.
func TestLighthouse(t *testing.T) {
	node, lhDir := lighthouseTools(t)
	exe := chromium(t)
	s, _, _ := newDialectSite(t, database.SQLite, func(c *config.Config) { c.Avatars = "local" })
	susan := signedIn(t, s, "susan", false)
	expect(t, "about me", susan.post("/edit_profile", url.Values{"username": {"susan"}, "about_me": {"I write short posts about " + strings.Repeat("long", 20) + " words."}}), http.StatusFound, "/edit_profile")
	// The Portuguese post shows a Translate button to English readers, audited with the rest.
	for _, body := range []string{"Hello from susan", strings.Repeat("w", 140), "Bom dia a todos, como estão vocês hoje?"} {
		expect(t, "post", susan.post("/index", url.Values{"post": {body}}), http.StatusFound, "/index")
	}
	john := signedIn(t, s, "john", false)
	expect(t, "post", john.post("/index", url.Values{"post": {"Hello from john"}}), http.StatusFound, "/index")
	expect(t, "follow", john.post("/follow/susan", nil), http.StatusFound, "/user/susan")
	john.get("/user/susan") // takes the flash
	c := sessionCookie(john)
	if c == nil {
		t.Fatal("no session cookie for john")
	}
	signedInHeaders := map[string]string{"Cookie": c.Name + "=" + c.Value}

	type lhPage struct {
		Name             string            `json:"name"`
		URL              string            `json:"url"`
		Headers          map[string]string `json:"headers,omitempty"`
		IgnoreStatusCode bool              `json:"ignoreStatusCode,omitempty"`
	}
	base := s.srv.URL
	pages := []lhPage{
		{Name: "login", URL: base + "/auth/login"},
		{Name: "register", URL: base + "/auth/register"},
		{Name: "index", URL: base + "/index", Headers: signedInHeaders},
		{Name: "explore", URL: base + "/explore", Headers: signedInHeaders},
		{Name: "user", URL: base + "/user/susan", Headers: signedInHeaders},
		{Name: "edit-profile", URL: base + "/edit_profile", Headers: signedInHeaders},
		{Name: "change-password", URL: base + "/change_password", Headers: signedInHeaders},
		{Name: "not-found", URL: base + "/no/such/page", Headers: signedInHeaders, IgnoreStatusCode: true},
	}
	formFactors := []string{"mobile", "desktop"}
	categories := []string{"accessibility", "best-practices"}

	out := filepath.Join(artifacts(t), "lighthouse")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	spec, err := json.Marshal(map[string]any{
		"lighthouse": lhDir, "port": debugChromium(t, exe), "out": out,
		"formFactors": formFactors, "categories": categories, "pages": pages,
	})
	if err != nil {
		t.Fatal(err)
	}
	specFile := filepath.Join(t.TempDir(), "spec.json")
	if err := os.WriteFile(specFile, spec, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	start := time.Now()
	run := exec.CommandContext(ctx, node, filepath.Join("testdata", "lighthouse.mjs"), specFile)
	output, err := run.CombinedOutput()
	t.Logf("lighthouse, %d pages × %d form factors in %s:\n%s", len(pages), len(formFactors), time.Since(start).Round(time.Second), output)
	if err != nil {
		t.Fatalf("lighthouse: %v", err)
	}

	for _, ff := range formFactors {
		for _, p := range pages {
			what := ff + " " + p.Name
			b, err := os.ReadFile(filepath.Join(out, ff+"-"+p.Name+".json"))
			if err != nil {
				t.Errorf("%s: %v", what, err)
				continue
			}
			var r lighthouseReport
			if err := json.Unmarshal(b, &r); err != nil {
				t.Errorf("%s: report: %v", what, err)
				continue
			}
			if !strings.HasPrefix(r.LighthouseVersion, lighthouseMajor) {
				t.Errorf("%s: measured with Lighthouse %s, want %sx", what, r.LighthouseVersion, lighthouseMajor)
			}
			if r.RuntimeError != nil {
				t.Errorf("%s: Lighthouse failed: %s %s", what, r.RuntimeError.Code, r.RuntimeError.Message)
				continue
			}
			// A page that redirected (say, to the sign-in form) was not the page meant.
			if r.FinalDisplayedURL != p.URL {
				t.Errorf("%s: Lighthouse ended at %s", what, r.FinalDisplayedURL)
			}
			for _, cat := range categories {
				score := r.Categories[cat].Score
				if score != nil && *score == 1 {
					continue
				}
				got := "none"
				if score != nil {
					got = fmt.Sprintf("%.0f", *score*100)
				}
				failing := r.failing(cat, p.URL, p.IgnoreStatusCode)
				if score != nil && len(failing) == 0 {
					t.Logf("%s: %s %s by Lighthouse's count: its only deduction is Chrome's console line for the page's own 404 status", what, cat, got)
					continue
				}
				t.Errorf("%s: %s %s, want 100; failing audits:\n    %s\n  run warnings: %q", what, cat, got,
					strings.Join(failing, "\n    "), r.RunWarnings)
			}
		}
	}
}
