package migratecmd

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/microblog/microblog/migrate"
)

// progressBar shows, on a terminal, where a long upgrade or downgrade is, in one line
// below Alembic's INFO lines:
//
//	[=========>          ] revision 2/5 3f1c9a2b7d10 · statement 37/300 · 0:12
//
// It is redrawn in place as statements run (and five times a second), taken
// away before each INFO line is written and put back after it, and cleared at the end,
// so that what stays on the screen is exactly the lines Alembic prints.
type progressBar struct {
	mu     sync.Mutex
	term   io.Writer
	width  func() int
	began  time.Time
	event  migrate.Event
	drawn  time.Time // when the bar was last drawn; zero while it is not on the screen
	done   chan struct{}
	ticker sync.WaitGroup
}

// redrawEvery bounds how often statements redraw the bar: a revision of thousands of
// quick statements must not spend its time writing to the terminal.
const redrawEvery = 50 * time.Millisecond

// terminal returns cmd's error stream when it is a terminal that can redraw a line.
func terminal(cmd *cobra.Command) (*os.File, bool) {
	f, ok := cmd.ErrOrStderr().(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) || os.Getenv("TERM") == "dumb" {
		return nil, false
	}
	return f, true
}

// showProgress draws a progress bar for r's next Upgrade or Downgrade when cmd's error
// stream is a terminal; the function it returns clears the bar and must run once the
// operation returned. Elsewhere (a file, a pipe) the output stays Alembic's plain lines.
func showProgress(cmd *cobra.Command, r *migrate.Runner) (stop func()) {
	f, ok := terminal(cmd)
	if !ok {
		return func() {}
	}
	b := &progressBar{
		term:  f,
		began: time.Now(),
		done:  make(chan struct{}),
		width: func() int {
			w, _, err := term.GetSize(int(f.Fd()))
			if err != nil || w <= 0 {
				return 80
			}
			return w
		},
	}
	r.Notify = AlembicNotices(lineWriter{b})
	r.Watch(b.update)
	b.ticker.Add(1)
	go b.tick()
	return b.stop
}

// update takes a progress event from the engine.
func (b *progressBar) update(e migrate.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.event = e
	if e.Kind == migrate.EventStatement && !b.drawn.IsZero() && time.Since(b.drawn) < redrawEvery {
		return
	}
	b.draw()
}

// tick redraws the bar five times a second, so that the elapsed time moves during a long
// statement and the last statement shows when quick ones came too fast to draw each.
func (b *progressBar) tick() {
	defer b.ticker.Done()
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-b.done:
			return
		case <-t.C:
			b.mu.Lock()
			if !b.drawn.IsZero() {
				b.draw()
			}
			b.mu.Unlock()
		}
	}
}

// stop clears the bar for good.
func (b *progressBar) stop() {
	close(b.done)
	b.ticker.Wait()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.clear()
	b.event = migrate.Event{}
}

// draw writes the bar over the current line; b.mu is held.
func (b *progressBar) draw() {
	if b.event.Total == 0 {
		return
	}
	fmt.Fprint(b.term, "\r\x1b[K"+barLine(b.event, time.Since(b.began), b.width()-1))
	b.drawn = time.Now()
}

// clear takes the bar off the screen; b.mu is held.
func (b *progressBar) clear() {
	if !b.drawn.IsZero() {
		fmt.Fprint(b.term, "\r\x1b[K")
		b.drawn = time.Time{}
	}
}

// lineWriter writes the engine's INFO lines above the bar.
type lineWriter struct{ b *progressBar }

func (w lineWriter) Write(p []byte) (int, error) {
	w.b.mu.Lock()
	defer w.b.mu.Unlock()
	w.b.clear()
	n, err := w.b.term.Write(p)
	if err == nil && w.b.event.Kind != migrate.EventDone {
		w.b.draw()
	}
	return n, err
}

// barLine is the bar's text for e after elapsed, at most width columns wide.
func barLine(e migrate.Event, elapsed time.Duration, width int) string {
	done := float64(e.Index - 1)
	if e.Kind == migrate.EventDone {
		done = float64(e.Index)
	} else if e.Kind == migrate.EventStatement && e.Result.Statements > 0 {
		done += float64(e.Statement-1) / float64(e.Result.Statements) // it is about to run
	}
	const cells = 20
	filled := int(done / float64(e.Total) * cells)
	bar := strings.Repeat("=", filled)
	if filled < cells {
		bar += ">" + strings.Repeat(" ", cells-filled-1)
	}
	s := fmt.Sprintf("[%s] revision %d/%d %s", bar, e.Index, e.Total, e.Result.Revision)
	if e.Result.Statements > 0 {
		s += fmt.Sprintf(" · statement %d/%d", e.Statement, e.Result.Statements)
	}
	secs := int(elapsed.Seconds())
	s += fmt.Sprintf(" · %d:%02d", secs/60, secs%60)
	if r := []rune(s); len(r) > width {
		s = string(r[:max(width, 0)])
	}
	return s
}
