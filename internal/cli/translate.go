package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/microblog/microblog/internal/i18n"
)

// newTranslateCommand is `microblog translate`, the tutorial's `flask translate`: the
// catalogs' workflow for translators (docs/i18n.md). It works on the source tree: the
// texts are extracted from --source and the catalogs live in --dir.
func newTranslateCommand(stdio IO) *cobra.Command {
	var dir, source string
	cmd := &cobra.Command{
		Use:   "translate",
		Short: "Translation and localization commands.",
	}
	cmd.PersistentFlags().StringVar(&dir, "dir", "internal/i18n/locales", "the catalogs' directory (LANG/LC_MESSAGES/messages.po and messages.pot)")
	cmd.PersistentFlags().StringVar(&source, "source", ".", "the source tree whose marked texts are extracted")
	extract := func() (*i18n.POFile, error) {
		pot, err := i18n.WriteTemplate(source, dir)
		if err != nil {
			return nil, fmt.Errorf("extract command failed: %w", err)
		}
		fmt.Fprintf(stdio.Stdout, "extracted %d messages into %s/%s\n", len(pot.Entries), dir, i18n.TemplateName)
		return pot, nil
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "init LANG",
		Short: "Initialize a new language.",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			pot, err := extract()
			if err != nil {
				return err
			}
			path, err := i18n.Init(pot, dir, args[0])
			if err != nil {
				return fmt.Errorf("init command failed: %w", err)
			}
			fmt.Fprintf(stdio.Stdout, "created %s: %d messages to translate\n", path, len(pot.Entries))
			return nil
		},
	}, &cobra.Command{
		Use:   "update",
		Short: "Update all languages.",
		Args:  cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			pot, err := extract()
			if err != nil {
				return err
			}
			results, err := i18n.Update(pot, dir)
			if err != nil {
				return fmt.Errorf("update command failed: %w", err)
			}
			for _, r := range results {
				fmt.Fprintf(stdio.Stdout, "updated %s: %d kept, %d new, %d obsolete\n", r.Path, r.Kept, r.Added, r.Obsoleted)
			}
			return nil
		},
	}, &cobra.Command{
		Use:   "compile",
		Short: "Compile all languages.",
		Long: `Check every catalog as the application reads it: PO syntax, plural forms, and
placeholders that match the message ids. The catalogs are embedded in the binary as
PO files, so nothing is written: a build runs this check before embedding them.`,
		Args: cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			results, err := i18n.Compile(dir)
			for _, r := range results {
				fmt.Fprintf(stdio.Stdout, "%s: %d messages, %d untranslated\n", r.Path, r.Messages, r.Untranslated)
			}
			if err != nil {
				return fmt.Errorf("compile command failed: %w", err)
			}
			return nil
		},
	})
	return cmd
}
