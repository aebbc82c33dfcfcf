package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// progress reports rows written per table: a bar redrawn in place on a terminal, plain
// lines at every tenth otherwise (logs, pipes, CI).
type progress struct {
	w     io.Writer
	tty   bool
	step  map[string]int // last tenth printed, per table (plain lines)
	start time.Time
}

func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, tty: ok && term.IsTerminal(int(f.Fd())), step: map[string]int{}, start: time.Now()}
}

// update reports done of total rows of table.
func (p *progress) update(table string, done, total int) {
	pct := 100
	if total > 0 {
		pct = done * 100 / total
	}
	elapsed := time.Since(p.start).Round(100 * time.Millisecond)
	if p.tty {
		bar := strings.Repeat("#", pct/4) + strings.Repeat(".", 25-pct/4)
		fmt.Fprintf(p.w, "\r%-13s [%s] %3d%% %d/%d rows  %s\x1b[K", table, bar, pct, done, total, elapsed)
		if done >= total {
			fmt.Fprintln(p.w)
		}
		return
	}
	tenth := pct / 10
	if last, seen := p.step[table]; seen && tenth <= last {
		return
	}
	p.step[table] = tenth
	if tenth == 0 && done < total {
		return
	}
	fmt.Fprintf(p.w, "%s: %d/%d rows (%d%%) %s\n", table, done, total, pct, elapsed)
}
