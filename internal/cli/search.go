package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/search"
)

// newSearchCommand is `microblog search`: maintenance of the full-text index.
func newSearchCommand(stdio IO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "search",
		Short: "Maintain the full-text search index of posts",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "reindex",
		Short: "Rebuild the full-text index from the posts",
		Long: `Rebuild the full-text index of posts from the post table. The database keeps the
index in step with every post written, edited or deleted, in the same transaction, so
this is only needed for an index suspected damaged or after changing PostgreSQL's text
search configurations (see docs/search.md). Progress goes to standard error: a bar on a
terminal, a line per tenth otherwise.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(stdio)
			if err != nil {
				return err
			}
			db, err := database.Open(cmd.Context(), cfg.DatabaseURL)
			if err != nil {
				return fmt.Errorf("search reindex: %w", err)
			}
			defer db.Close()
			bar := newProgressBar(stdio.Stderr)
			start := time.Now()
			if err := search.Reindex(cmd.Context(), db, bar.show); err != nil {
				bar.done()
				return fmt.Errorf("search reindex (is the database at head? run `microblog db upgrade`): %w", err)
			}
			bar.done()
			fmt.Fprintf(cmd.OutOrStdout(), "Reindexed %d posts in %s.\n", bar.total, time.Since(start).Round(time.Millisecond))
			return nil
		},
	})
	return cmd
}

// progressBar draws "[=====>    ]  52%  520000/1000000 posts" on a terminal, redrawn in
// place, and on anything else writes a plain line at the start and at each tenth.
type progressBar struct {
	w         io.Writer
	tty       bool
	total     int64
	lastTenth int64
	drawn     bool
}

func newProgressBar(w io.Writer) *progressBar {
	f, ok := w.(*os.File)
	return &progressBar{w: w, tty: ok && term.IsTerminal(int(f.Fd())), lastTenth: -1}
}

func (b *progressBar) show(done, total int64) {
	b.total = total
	pct := int64(100)
	if total > 0 {
		pct = done * 100 / total
	}
	if b.tty {
		const width = 30
		filled := int(pct * width / 100)
		bar := strings.Repeat("=", filled)
		if filled < width {
			bar += ">" + strings.Repeat(" ", width-filled-1)
		}
		fmt.Fprintf(b.w, "\r[%s] %3d%%  %d/%d posts", bar, pct, done, total)
		b.drawn = true
		return
	}
	if tenth := pct / 10; tenth != b.lastTenth {
		b.lastTenth = tenth
		fmt.Fprintf(b.w, "reindexed %d of %d posts (%d%%)\n", done, total, pct)
	}
}

// done ends the bar's line on a terminal.
func (b *progressBar) done() {
	if b.tty && b.drawn {
		fmt.Fprintln(b.w)
	}
}
