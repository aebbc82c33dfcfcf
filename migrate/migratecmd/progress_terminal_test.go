//go:build linux

package migratecmd_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"

	"github.com/microblog/microblog/migrate/internal/migratetest"
)

// screen is what a terminal shows after raw: carriage returns, line feeds and "erase to
// the end of the line" (ESC [ K) applied, the last line left out when it is empty.
func screen(raw string) []string {
	var lines []string
	var cur []rune
	col := 0
	for i := 0; i < len(raw); {
		switch {
		case strings.HasPrefix(raw[i:], "\x1b[K"):
			cur = cur[:min(col, len(cur))]
			i += 3
		case raw[i] == '\r':
			col = 0
			i++
		case raw[i] == '\n':
			lines = append(lines, string(cur))
			cur, col = nil, 0
			i++
		default:
			r, n := utf8.DecodeRuneInString(raw[i:])
			if col < len(cur) {
				cur[col] = r
			} else {
				cur = append(cur, r)
			}
			col++
			i += n
		}
	}
	if len(cur) > 0 {
		lines = append(lines, string(cur))
	}
	return lines
}

// On a terminal db upgrade shows a bar under Alembic's lines while it runs — revision i
// of n, statement j of m, elapsed time — redrawn in place, and clears it at the end:
// the screen then holds exactly the lines the same command writes to a file.
func TestProgressBarOnATerminal(t *testing.T) {
	t.Setenv("TERM", "xterm")
	forEachDialectURL(t, func(t *testing.T, db *migratetest.DB, url string) {
		dir := t.TempDir()
		const n = 30
		first := tablesRevision("aaaa00000001", nil, "first", n)
		second := tablesRevision("bbbb00000001", []string{first.ID}, "second", n)
		writeRepo(t, dir, first, second)

		// What the commands write off a terminal, the reference for the final screen.
		plain := map[string][]string{}
		for _, verb := range []string{"upgrade", "downgrade"} {
			f, err := os.Create(filepath.Join(dir, verb+".log"))
			if err != nil {
				t.Fatal(err)
			}
			err = runDBTo(t, dir, url, f, nil, verb, map[string]string{"upgrade": "heads", "downgrade": "base"}[verb])
			f.Close()
			if err != nil {
				t.Fatalf("db %s: %v", verb, err)
			}
			data, err := os.ReadFile(filepath.Join(dir, verb+".log"))
			if err != nil {
				t.Fatal(err)
			}
			plain[verb] = strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		}

		for _, verb := range []string{"upgrade", "downgrade"} {
			var raw lockedBuffer
			_, tty := openTerminalTo(t, &raw)
			if err := unix.IoctlSetWinsize(int(tty.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 40, Col: 120}); err != nil {
				t.Fatal(err)
			}
			// Half-way through the second revision (a slow upgrade: this statement waits),
			// the screen shows the bar at this statement: creating second_15 is the 16th of
			// the second revision up, dropping first_15 the 15th down (from first_29).
			var during string
			midway, at := "second_15", " · statement 16/30 · "
			if verb == "downgrade" {
				midway, at = "first_15", " · statement 15/30 · "
			}
			trace := func(stmt string) {
				if !strings.Contains(stmt, midway) || during != "" {
					return
				}
				for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
					if s := screen(raw.String()); len(s) > 0 && strings.Contains(s[len(s)-1], at) {
						during = s[len(s)-1]
						return
					}
				}
				during = "(no bar after 10s; the screen was:\n" + strings.Join(screen(raw.String()), "\n") + ")"
			}
			target := map[string]string{"upgrade": "heads", "downgrade": "base"}[verb]
			if err := runDBTo(t, dir, url, tty, trace, verb, target); err != nil {
				t.Fatalf("db %s on a terminal: %v", verb, err)
			}
			id := second.ID
			if verb == "downgrade" {
				id = first.ID
			}
			if !strings.HasPrefix(during, "[") || !strings.Contains(during, "] revision 2/2 "+id+at+"0:") {
				t.Errorf("db %s: the bar half-way through the second revision is\n%s", verb, during)
			}
			t.Logf("db %s half-way: %s", verb, during)
			// The terminal may still be passing the last bytes on.
			var final []string
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
				if final = screen(raw.String()); strings.Join(final, "\n") == strings.Join(plain[verb], "\n") {
					break
				}
			}
			if got, want := strings.Join(final, "\n"), strings.Join(plain[verb], "\n"); got != want {
				t.Errorf("db %s: final screen\n%s\nwant the lines written off a terminal\n%s", verb, got, want)
			}
			if !strings.Contains(raw.String(), "\r\x1b[K[") {
				t.Errorf("db %s: no bar was drawn in place:\n%q", verb, raw.String())
			}
		}
	})
}
