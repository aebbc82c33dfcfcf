// Package migratecmd is the command line of the migration engine (package migrate): the
// cobra command tree an application mounts as its `db` command, the equivalent of
// Flask-Migrate's `flask db`, with Alembic's wording. The engine itself prints nothing.
package migratecmd

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/schema"
)

// Options connects the `db` commands to an application.
type Options struct {
	// Directory is the migration repository (default "migrations").
	Directory string
	// Models returns the schema the application's models describe.
	Models func() (*schema.Schema, error)
	// Open connects to the application's database and names its dialect.
	Open func(ctx context.Context) (*sql.DB, string, error)
	// Embedded holds the revisions built into the program (versions/ at its root). Commands
	// that only read revisions (upgrade, downgrade, current, history, heads, show, check,
	// stamp, --sql …) use it when Directory does not exist; commands that write revision
	// files (migrate, revision, merge, squash) never do.
	Embedded fs.FS
	// Now gives the create date of new revisions (default time.Now).
	Now func() time.Time
	// Trace and Executed are passed to the migrate.Runner (see there): observers of the
	// statements a run executes, for auditing and debugging.
	Trace, Executed func(stmt string)
}

// NewCommand returns the `db` command tree, the equivalent of Flask-Migrate's `flask db`:
// init, migrate, upgrade, downgrade, current, history, heads, show, stamp, revision.
// INFO lines go to the command's error stream, listings to its output stream.
func NewCommand(opts Options) *cobra.Command {
	if opts.Directory == "" {
		opts.Directory = "migrations"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := &commands{opts: &opts}
	root := &cobra.Command{
		Use:   "db",
		Short: "Manage the database schema with migrations (like flask db)",
	}
	root.PersistentFlags().StringVarP(&opts.Directory, "directory", "d", opts.Directory, "migration repository")
	root.AddCommand(
		&cobra.Command{Use: "init", Short: "Create a new migration repository", Args: cobra.NoArgs, RunE: c.init},
		c.migrateCmd(), c.revisionCmd(), c.mergeCmd(), c.squashCmd(), c.branchesCmd(), c.graphCmd(),
		c.upgradeCmd(), c.checkCmd(), c.lintCmd(),
		c.downgradeCmd(),
		c.currentCmd(),
		c.historyCmd(),
		&cobra.Command{Use: "heads", Short: "Show the head revisions", Args: cobra.NoArgs, RunE: c.heads},
		&cobra.Command{Use: "show REV", Short: "Show a revision", Args: cobra.ExactArgs(1), RunE: c.show},
		&cobra.Command{Use: "stamp REV", Short: "Record REV as current without running migrations", Args: cobra.ExactArgs(1), RunE: c.stamp},
	)
	rewordErrors(root)
	return root
}

type commands struct{ opts *Options }

// builtinPrefix marks the paths of revisions built into the program, which have no file
// on disk: "builtin:migrations/versions/….yaml".
const builtinPrefix = "builtin:"

func (c *commands) abs(p string) string {
	if strings.HasPrefix(p, builtinPrefix) {
		return p
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// repo loads the revisions for a command that only reads them: from Directory, or, when
// the directory does not exist and was not named on the command line, from the revisions
// built into the program (Options.Embedded), so that an operator needs nothing but the
// binary to upgrade, inspect or stamp a database.
func (c *commands) repo(cmd *cobra.Command) (*migrate.Repo, error) {
	dir := c.opts.Directory
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) && c.opts.Embedded != nil && !cmd.Flags().Changed("directory") {
		repo, err := migrate.LoadRepo(c.opts.Embedded, builtinPrefix+dir)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "INFO  [migrate] No %s directory here; using the %d revisions built into the program.\n", dir, len(repo.Revisions))
		return repo, nil
	}
	return c.diskRepo("Please use the 'init' command to create a new scripts folder.")
}

// writableRepo loads the revisions for a command that writes revision files: those need
// the repository's directory, never the revisions built into the program.
func (c *commands) writableRepo() (*migrate.Repo, error) {
	hint := "Please use the 'init' command to create a new scripts folder."
	if c.opts.Embedded != nil {
		hint = fmt.Sprintf("This command writes revision files, so it needs the migration repository: run it in the source tree that holds %s/ (the revisions built into the program cannot be changed), or use the 'init' command to create a new one.", c.opts.Directory)
	}
	return c.diskRepo(hint)
}

// diskRepo loads the repository from Directory; hint follows Alembic's "Path doesn't
// exist" when the directory is missing.
func (c *commands) diskRepo(hint string) (*migrate.Repo, error) {
	dir := c.opts.Directory
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("Path doesn't exist: '%s'.  %s", c.abs(dir), hint)
	}
	return migrate.LoadRepo(os.DirFS(dir), dir)
}

func (c *commands) runner(cmd *cobra.Command) (*migrate.Runner, func(), error) {
	repo, err := c.repo(cmd)
	if err != nil {
		return nil, nil, err
	}
	if c.opts.Open == nil {
		return nil, nil, errors.New("migrate: no database configured")
	}
	db, dialect, err := c.opts.Open(cmd.Context())
	if err != nil {
		return nil, nil, err
	}
	r := &migrate.Runner{DB: db, Dialect: dialect, Repo: repo, Notify: AlembicNotices(cmd.ErrOrStderr()), Trace: c.opts.Trace, Executed: c.opts.Executed}
	return r, func() { db.Close() }, nil
}

// readme is the README that init writes; %s is the command path of the mounted tree
// ("microblog db" in microblog).
const readme = `Migration repository of this application, managed with "%s".

versions/        one YAML file per revision (dialect-neutral operations)
script.yaml.tmpl the template new revision files are rendered from

  db migrate -m "message"   autogenerate a revision from the models
  db upgrade                apply pending revisions
  db downgrade              revert the last revision
`

func (c *commands) init(cmd *cobra.Command, _ []string) error {
	dir := c.opts.Directory
	out := cmd.OutOrStdout()
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("Directory %s already exists and is not empty", dir)
	}
	for _, d := range []string{dir, filepath.Join(dir, "versions")} {
		fmt.Fprintf(out, "Creating directory %s ...  ", c.abs(d))
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("migrate: init: %w", err)
		}
		fmt.Fprintln(out, "done")
	}
	for _, f := range []struct{ name, body string }{{"script.yaml.tmpl", migrate.DefaultTemplate}, {"README", fmt.Sprintf(readme, cmd.Parent().CommandPath())}} {
		p := filepath.Join(dir, f.name)
		fmt.Fprintf(out, "Generating %s ...  ", c.abs(p))
		if err := os.WriteFile(p, []byte(f.body), 0o644); err != nil {
			return fmt.Errorf("migrate: init: %w", err)
		}
		fmt.Fprintln(out, "done")
	}
	return nil
}

func newRevisionID() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (c *commands) migrateCmd() *cobra.Command {
	var message, revID, head string
	var renames, defaults []string
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Autogenerate a revision from the difference between the models and the revisions",
		Long: `Autogenerate a revision: the revisions are replayed in memory and compared with the
models; nothing is read from or written to the database.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			repo, err := c.writableRepo()
			if err != nil {
				return err
			}
			if c.opts.Models == nil {
				return errors.New("migrate: no models configured")
			}
			heads, err := baseOf(repo, head)
			if err != nil {
				return err
			}
			from, err := repo.SchemaAt(heads...)
			if err != nil {
				return err
			}
			to, err := c.opts.Models()
			if err != nil {
				return err
			}
			var hints migrate.Renames
			for _, h := range renames {
				if err := hints.ParseRename(h); err != nil {
					return err
				}
			}
			log := cmd.ErrOrStderr()
			for _, cand := range migrate.RenameCandidates(from, to) {
				if hinted(hints, cand) {
					continue
				}
				if interactive(cmd) {
					fmt.Fprintf(log, "Is %s a rename (keeping the data)? [y/N] ", strings.Replace(cand, "=", " -> ", 1))
					if yes(cmd) {
						hints.ParseRename(cand)
						continue
					}
				} else {
					fmt.Fprintf(log, "WARNING  [migrate] %s looks like a rename; it is written as a drop and an add, which loses the data. If it is a rename, run again with --rename %s\n", strings.Replace(cand, "=", " -> ", 1), cand)
				}
			}
			up, detected, err := migrate.DiffRenaming(from, to, hints)
			if err != nil {
				return err
			}
			for _, d := range detected {
				fmt.Fprintf(log, "INFO  [alembic.autogenerate.compare] %s\n", d)
			}
			if len(up) == 0 {
				fmt.Fprintln(log, "INFO  [alembic.env] No changes in schema detected.")
				return nil
			}
			down, _, err := migrate.DiffRenaming(to, from, hints.Inverse())
			if err != nil {
				return err
			}
			if up, down, err = c.fillExistingRows(cmd, up, down, defaults); err != nil {
				return err
			}
			return c.write(cmd, repo, revID, message, heads, up, down)
		},
	}
	revisionFlags(cmd, &message, &revID)
	cmd.Flags().StringVar(&head, "head", "", "head to build on when there are several")
	cmd.Flags().StringSliceVar(&renames, "rename", nil, "a rename to keep data: old=new (table) or table.old=new (column); repeatable")
	cmd.Flags().StringArrayVar(&defaults, "default", nil, "table.column=VALUE: the one-off value (SQL literal or expression) existing rows get for a NOT NULL column without a default; repeatable")
	return cmd
}

func hinted(h migrate.Renames, cand string) bool {
	old, _, _ := strings.Cut(cand, "=")
	if _, ok := h.Tables[old]; ok {
		return true
	}
	_, ok := h.Columns[old]
	return ok
}

// interactive reports whether the command's input is a terminal, the only case in which
// migrate asks questions; in CI it never waits for an answer.
func interactive(cmd *cobra.Command) bool {
	f, ok := cmd.InOrStdin().(*os.File)
	return ok && term.IsTerminal(int(f.Fd())) // /dev/null is a character device too

}

func yes(cmd *cobra.Command) bool {
	var answer string
	fmt.Fscanln(cmd.InOrStdin(), &answer)
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(answer)), "y")
}

func (c *commands) revisionCmd() *cobra.Command {
	var message, revID, head string
	var labels, dependsOn []string
	cmd := &cobra.Command{
		Use:   "revision",
		Short: "Create an empty revision for hand-written operations",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			repo, err := c.writableRepo()
			if err != nil {
				return err
			}
			parents, err := baseOf(repo, head)
			if err != nil {
				return err
			}
			var deps []string
			for _, d := range dependsOn {
				rev, err := repo.Lookup(d)
				if err != nil {
					return err
				}
				deps = append(deps, rev.ID)
			}
			return c.writeRevision(cmd, repo, &migrate.Revision{ID: revID, Down: parents, Message: message, DependsOn: deps, BranchLabels: labels})
		},
	}
	revisionFlags(cmd, &message, &revID)
	cmd.Flags().StringVar(&head, "head", "", "revision to build on (base starts a new branch); default the single head")
	cmd.Flags().StringSliceVar(&labels, "branch-label", nil, "branch label for the new revision")
	cmd.Flags().StringSliceVar(&dependsOn, "depends-on", nil, "revision(s) that must be applied first")
	return cmd
}

// baseOf resolves --head: "" means the single head (an error with several), "base" a
// new root, anything else a revision or label@head.
func baseOf(repo *migrate.Repo, head string) ([]string, error) {
	switch head {
	case "":
		heads := repo.Heads()
		if len(heads) > 1 {
			return nil, errors.New("Multiple heads are present; please specify the head revision on which the new revision should be based, or perform a merge.")
		}
		return heads, nil
	case "base":
		return nil, nil
	}
	return repo.Resolve(head, nil)
}

func (c *commands) mergeCmd() *cobra.Command {
	var message, revID string
	cmd := &cobra.Command{
		Use:   "merge REV REV...",
		Short: "Create a revision that merges several heads into one",
		Args:  cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			repo, err := c.writableRepo()
			if err != nil {
				return err
			}
			var parents []string
			for _, a := range args {
				ids := []string{a}
				if a == "heads" {
					ids = repo.Heads()
				}
				for _, id := range ids {
					rev, err := repo.Lookup(id)
					if err != nil {
						return err
					}
					if !slices.Contains(parents, rev.ID) {
						parents = append(parents, rev.ID)
					}
				}
			}
			if len(parents) < 2 {
				return errors.New("merge needs at least two different revisions")
			}
			slices.Sort(parents)
			return c.writeRevision(cmd, repo, &migrate.Revision{ID: revID, Down: parents, Message: message})
		},
	}
	revisionFlags(cmd, &message, &revID)
	return cmd
}

func (c *commands) squashCmd() *cobra.Command {
	var message, revID string
	cmd := &cobra.Command{
		Use:   "squash REV",
		Short: "Write one revision that new databases apply instead of the run from base to REV",
		Long: `Write a squash revision: it creates REV's schema in one step for new databases.
Existing databases keep using the original files, so keep them until every database
is past REV; then they can be deleted together with the squash's squashes list.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			repo, err := c.writableRepo()
			if err != nil {
				return err
			}
			sq, err := repo.Squash(args[0])
			if err != nil {
				return err
			}
			sq.ID = revID
			sq.Message = message
			if sq.Message == "" {
				sq.Message = fmt.Sprintf("squash of %s..%s", sq.Squashes[0], sq.Squashes[len(sq.Squashes)-1])
			}
			return c.writeRevision(cmd, repo, sq)
		},
	}
	revisionFlags(cmd, &message, &revID)
	return cmd
}

// revisionFlags adds the flags every command that writes a revision takes.
func revisionFlags(cmd *cobra.Command, message, revID *string) {
	cmd.Flags().StringVarP(message, "message", "m", "", "revision message")
	cmd.Flags().StringVar(revID, "rev-id", "", "revision id to use instead of a random one")
}

func (c *commands) branchesCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "branches",
		Short: "Show revisions where the history splits into branches",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			repo, err := c.repo(cmd)
			if err != nil {
				return err
			}
			heads := repo.Heads()
			out := cmd.OutOrStdout()
			for _, rev := range repo.Ordered() {
				kids := repo.Children(rev.ID)
				if len(kids) < 2 {
					continue
				}
				fmt.Fprintf(out, "%s (branchpoint)\n", rev.ID)
				for _, k := range kids {
					fmt.Fprintf(out, "            -> %s%s, %s\n", k, migrate.RevisionTags(k, heads, nil), repo.Revisions[k].Message)
				}
			}
			return nil
		},
	}
}

func (c *commands) write(cmd *cobra.Command, repo *migrate.Repo, revID, message string, heads []string, up, down []*migrate.Op) error {
	return c.writeRevision(cmd, repo, &migrate.Revision{ID: revID, Down: heads, Message: message, Upgrade: up, Downgrade: down})
}

func (c *commands) writeRevision(cmd *cobra.Command, repo *migrate.Repo, rev *migrate.Revision) error {
	if rev.ID == "" {
		rev.ID = newRevisionID()
	}
	revID, message := rev.ID, rev.Message
	if !migrate.ValidRevisionID(revID) {
		return fmt.Errorf("--rev-id %q: want lower-case letters, digits and _ (at most 32)", revID)
	}
	if _, ok := repo.Revisions[revID]; ok {
		return fmt.Errorf("migrate.Revision %s is present more than once", revID)
	}
	rev.CreateDate = c.opts.Now()
	tmpl, err := os.ReadFile(filepath.Join(c.opts.Directory, "script.yaml.tmpl"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("migrate: %w", err)
	}
	data, err := rev.Marshal(string(tmpl))
	if err != nil {
		return err
	}
	name := revID + ".yaml"
	if slug := migrate.Slug(message); slug != "" {
		name = revID + "_" + slug + ".yaml"
	}
	p := filepath.Join(c.opts.Directory, "versions", name)
	// What is written must read back: check it before it lands in the repository.
	if _, err := migrate.ParseRevision(p, data); err != nil {
		return fmt.Errorf("migrate: generated revision does not parse (please report this): %w", err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "Generating %s ...  ", c.abs(p))
	if err := os.WriteFile(p, data, 0o644); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	fmt.Fprintln(cmd.OutOrStdout(), "done")
	return nil
}

// offlineFlags are the options of upgrade and downgrade that print SQL instead of running it.
type offlineFlags struct {
	sql     bool
	dryRun  bool
	dialect string
}

func (o *offlineFlags) add(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&o.sql, "sql", false, "print the SQL instead of running it; the target may be FROM:TO")
	cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "print the SQL that would run against the live database, change nothing")
	cmd.Flags().StringVar(&o.dialect, "dialect", "", "with --sql: render for sqlite, postgres or mysql without any database")
}

// offline prints the script for arg ("TO" or "FROM:TO"). FROM defaults to the live
// database's current revision, or base when --dialect names a dialect and no database.
func (c *commands) offline(cmd *cobra.Command, o *offlineFlags, arg string, up bool) error {
	repo, err := c.repo(cmd)
	if err != nil {
		return err
	}
	from, to := migrate.ParseRange(arg)
	hasFrom := strings.Contains(arg, ":")
	if o.dryRun && hasFrom {
		return errors.New("--dry-run starts from the live database; give only the target")
	}
	r := &migrate.Runner{Repo: repo, Dialect: o.dialect}
	if o.dryRun || o.dialect == "" {
		live, closeDB, err := c.runner(cmd)
		if err != nil {
			return err
		}
		defer closeDB()
		if o.dialect != "" && o.dialect != live.Dialect {
			return fmt.Errorf("--dialect %s does not match the database, which is %s", o.dialect, live.Dialect)
		}
		r.Dialect = live.Dialect
		if !hasFrom {
			if from, err = live.Current(cmd.Context()); err != nil {
				return err
			}
		}
	}
	if _, ok := migrate.LookupDialect(r.Dialect); !ok {
		return fmt.Errorf("--dialect %q: want sqlite, postgres or mysql", r.Dialect)
	}
	var ids []string
	for _, f := range from {
		if f == "head" || f == "heads" {
			ids = append(ids, repo.Heads()...)
			continue
		}
		rev, err := repo.Lookup(f)
		if err != nil {
			return err
		}
		ids = append(ids, rev.ID)
	}
	from = ids
	script, err := r.Script(from, to, up)
	if err != nil {
		return err
	}
	fmt.Fprint(cmd.OutOrStdout(), script)
	return nil
}

func (c *commands) upgradeCmd() *cobra.Command {
	var allowEdited bool
	var off offlineFlags
	cmd := &cobra.Command{
		Use:   "upgrade [TARGET | FROM:TO]",
		Short: "Upgrade to a later revision (default head)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			target := "head"
			if len(args) == 1 {
				target = args[0]
			}
			if off.sql || off.dryRun {
				return c.offline(cmd, &off, target, true)
			}
			r, closeDB, err := c.runner(cmd)
			if err != nil {
				return err
			}
			defer closeDB()
			r.AllowEdited = allowEdited
			defer showProgress(cmd, r)()
			return r.Upgrade(cmd.Context(), target)
		},
	}
	cmd.Flags().BoolVar(&allowEdited, "allow-edited", false, "run even if applied revision files changed since they ran")
	off.add(cmd)
	return cmd
}

func (c *commands) downgradeCmd() *cobra.Command {
	var off offlineFlags
	cmd := &cobra.Command{
		Use:   "downgrade [TARGET | FROM:TO]",
		Short: "Revert to an earlier revision (default -1)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			target := "-1"
			if len(args) == 1 {
				target = args[0]
			}
			if off.sql || off.dryRun {
				if off.sql && !strings.Contains(target, ":") && off.dialect != "" {
					return errors.New("downgrade --sql without a database needs FROM:TO")
				}
				return c.offline(cmd, &off, target, false)
			}
			r, closeDB, err := c.runner(cmd)
			if err != nil {
				return err
			}
			defer closeDB()
			defer showProgress(cmd, r)()
			return r.Downgrade(cmd.Context(), target)
		},
	}
	off.add(cmd)
	return cmd
}

func (c *commands) stamp(cmd *cobra.Command, args []string) error {
	r, closeDB, err := c.runner(cmd)
	if err != nil {
		return err
	}
	defer closeDB()
	return r.Stamp(cmd.Context(), args[0])
}

func (c *commands) currentCmd() *cobra.Command {
	var verbose bool
	cmd := &cobra.Command{
		Use:   "current",
		Short: "Show the current revision of the database",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, closeDB, err := c.runner(cmd)
			if err != nil {
				return err
			}
			defer closeDB()
			cur, err := r.Current(cmd.Context())
			if err != nil {
				return err
			}
			var hist []migrate.HistoryEntry
			if verbose {
				if hist, err = r.History(cmd.Context()); err != nil {
					return err
				}
			}
			heads := r.Repo.Heads()
			out := cmd.OutOrStdout()
			for _, id := range cur {
				if !verbose {
					fmt.Fprintln(out, id+migrate.RevisionTags(id, heads, nil))
					continue
				}
				rev := r.Repo.Revisions[id]
				fmt.Fprintf(out, "Rev: %s%s\nPath: %s\n    %s\n", id, migrate.RevisionTags(id, heads, nil), c.abs(rev.Path), rev.Message)
				for _, h := range hist {
					if h.Revision == id {
						fmt.Fprintf(out, "    %s %s in %d ms, checksum %s, by %s\n", h.Direction, h.AppliedAt, h.DurationMS, h.Checksum[:12], h.ToolVersion)
					}
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "show when each revision ran, how long it took and its checksum")
	return cmd
}

func (c *commands) lintCmd() *cobra.Command {
	var large int64
	var downgrade string
	cmd := &cobra.Command{
		Use:   "lint",
		Short: "Warn about destructive or locking operations in pending revisions, both ways (exit 1 if any)",
		Long: `Warn about destructive or locking operations in the pending revisions: their upgrades
and the downgrades that would take them back. With --downgrade [TARGET] (default -1),
lint the downgrade from the database's revision to TARGET instead, with the rows it would
lose or stop at counted in the database. Notes (INFO) do not fail the command.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, closeDB, err := c.runner(cmd)
			if err != nil {
				return err
			}
			defer closeDB()
			findings, err := r.Lint(cmd.Context(), migrate.LintOptions{LargeTableRows: large, Downgrade: downgrade})
			if err != nil {
				return err
			}
			what := "pending revisions"
			if downgrade != "" {
				what = "the downgrade to " + downgrade
			}
			warnings := 0
			for _, f := range findings {
				if f.Note {
					fmt.Fprintf(cmd.ErrOrStderr(), "INFO  %s\n", f)
					continue
				}
				warnings++
				fmt.Fprintf(cmd.ErrOrStderr(), "WARNING  %s\n", f)
			}
			if warnings > 0 {
				return fmt.Errorf("%d warning(s) in %s", warnings, what)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "No destructive or locking operations in %s.\n", what)
			return nil
		},
	}
	cmd.Flags().Int64Var(&large, "large-table-rows", 100_000, "rows from which a PostgreSQL index build in a transaction is reported")
	cmd.Flags().StringVar(&downgrade, "downgrade", "", "lint the downgrade to this target instead (-1 when given without a value)")
	cmd.Flags().Lookup("downgrade").NoOptDefVal = "-1"
	return cmd
}

// checkCmd is for CI: it fails when the models have changes no revision describes, when
// the database is behind head, or when applied revision files were edited.
func (c *commands) checkCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Fail if the models, the revisions and the database disagree",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			repo, err := c.repo(cmd)
			if err != nil {
				return err
			}
			var problems []string
			if c.opts.Models != nil {
				from, err := repo.SchemaAt(repo.Heads()...)
				if err != nil {
					return err
				}
				to, err := c.opts.Models()
				if err != nil {
					return err
				}
				if _, detected, err := migrate.Diff(from, to); err != nil {
					return err
				} else if len(detected) > 0 {
					problems = append(problems, "New upgrade operations detected (run db migrate): "+strings.Join(detected, "; "))
				}
			}
			r, closeDB, err := c.runner(cmd)
			if err != nil {
				return err
			}
			defer closeDB()
			cur, err := r.Current(cmd.Context())
			if err != nil {
				return err
			}
			if heads := repo.Heads(); !slices.Equal(cur, heads) {
				at := strings.Join(cur, ", ")
				if at == "" {
					at = "base"
				}
				problems = append(problems, fmt.Sprintf("Target database is not up to date: it is at %s, head is %s (run db upgrade)", at, strings.Join(heads, ", ")))
			}
			if edited, err := r.Edited(cmd.Context()); err != nil {
				return err
			} else if len(edited) > 0 {
				problems = append(problems, (&migrate.EditedError{Revisions: edited}).Error())
			}
			if len(cur) > 0 {
				drift, err := r.Drift(cmd.Context())
				if err != nil {
					return err
				}
				if len(drift) > 0 {
					problems = append(problems, "The database schema differs from what its revisions describe (changed by hand?): "+strings.Join(drift, "; "))
				}
			}
			if len(problems) > 0 {
				return errors.New(strings.Join(problems, "\nError: "))
			}
			fmt.Fprintln(cmd.OutOrStdout(), "No new upgrade operations detected; the database is at head and matches its revisions; no applied revision was edited.")
			return nil
		},
	}
}

func (c *commands) heads(cmd *cobra.Command, _ []string) error {
	repo, err := c.repo(cmd)
	if err != nil {
		return err
	}
	for _, h := range repo.Heads() {
		fmt.Fprintln(cmd.OutOrStdout(), h+" (head)")
	}
	return nil
}

func (c *commands) historyCmd() *cobra.Command {
	var verbose, graph, indicate bool
	cmd := &cobra.Command{
		Use:   "history",
		Short: "List revisions, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			repo, err := c.repo(cmd)
			if err != nil {
				return err
			}
			var current []string
			var ran []migrate.HistoryEntry
			if indicate {
				r, closeDB, err := c.runner(cmd)
				if err != nil {
					return err
				}
				defer closeDB()
				if current, err = r.Current(cmd.Context()); err != nil {
					return err
				}
				if ran, err = r.History(cmd.Context()); err != nil {
					return err
				}
			}
			out := cmd.OutOrStdout()
			if graph {
				fmt.Fprint(out, migrate.Graph(repo))
				return nil
			}
			heads := repo.Heads()
			order := repo.Ordered()
			for i := len(order) - 1; i >= 0; i-- {
				rev := order[i]
				down := "<base>"
				if len(rev.Down) > 0 {
					down = strings.Join(rev.Down, ", ")
				}
				kind := ""
				if len(rev.Down) > 1 {
					kind = " (mergepoint)"
				}
				if len(repo.Children(rev.ID)) > 1 {
					kind += " (branchpoint)"
				}
				if !verbose {
					fmt.Fprintf(out, "%s -> %s%s%s, %s\n", down, rev.ID, migrate.RevisionTags(rev.ID, heads, current), kind, rev.Message)
					continue
				}
				fmt.Fprintf(out, "Rev: %s%s%s\nParent: %s\n", rev.ID, migrate.RevisionTags(rev.ID, heads, current), kind, down)
				for _, h := range ran {
					if h.Revision == rev.ID {
						fmt.Fprintf(out, "Ran: %s %s in %d ms, checksum %s, by %s\n", h.Direction, h.AppliedAt, h.DurationMS, h.Checksum[:12], h.ToolVersion)
					}
				}
				if len(rev.DependsOn) > 0 {
					fmt.Fprintf(out, "Also depends on: %s\n", strings.Join(rev.DependsOn, ", "))
				}
				if len(rev.BranchLabels) > 0 {
					fmt.Fprintf(out, "Branch names: %s\n", strings.Join(rev.BranchLabels, ", "))
				}
				fmt.Fprintf(out, "Path: %s\n\n    %s\n\n    migrate.Revision ID: %s\n    Revises: %s\n    Create Date: %s\n\n",
					c.abs(rev.Path), rev.Message, rev.ID, strings.Join(rev.Down, ", "), rev.CreateDate.Format("2006-01-02 15:04:05.000000"))
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "show every revision's header")
	cmd.Flags().BoolVar(&graph, "graph", false, "draw the revision graph")
	cmd.Flags().BoolVarP(&indicate, "indicate-current", "i", false, "mark the database's current revisions; with -v, when each ran")
	return cmd
}

func (c *commands) graphCmd() *cobra.Command {
	var dot bool
	cmd := &cobra.Command{
		Use:   "graph",
		Short: "Draw the revision graph (--dot for Graphviz)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			repo, err := c.repo(cmd)
			if err != nil {
				return err
			}
			if dot {
				fmt.Fprint(cmd.OutOrStdout(), migrate.Dot(repo))
			} else {
				fmt.Fprint(cmd.OutOrStdout(), migrate.Graph(repo))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&dot, "dot", false, "print Graphviz DOT")
	return cmd
}

func (c *commands) show(cmd *cobra.Command, args []string) error {
	repo, err := c.repo(cmd)
	if err != nil {
		return err
	}
	id := args[0]
	if id == "head" {
		heads := repo.Heads()
		if len(heads) != 1 {
			return fmt.Errorf("Multiple heads are present: %s", strings.Join(heads, ", "))
		}
		id = heads[0]
	}
	rev, err := repo.Lookup(id)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	parent := "<base>"
	if len(rev.Down) > 0 {
		parent = strings.Join(rev.Down, ", ")
	}
	fmt.Fprintf(out, "Rev: %s%s\nParent: %s\nPath: %s\n\n    %s\n\n    migrate.Revision ID: %s\n    Revises: %s\n    Create Date: %s\n",
		rev.ID, migrate.RevisionTags(rev.ID, repo.Heads(), nil), parent, c.abs(rev.Path), rev.Message, rev.ID, strings.Join(rev.Down, ", "), rev.CreateDate.Format("2006-01-02 15:04:05.000000"))
	return nil
}
