package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/microblog/microblog/migrate/dialect"
)

// Provider is the entry point for applications that embed migrate: it holds a database,
// its dialect and a loaded repository, and its operations return typed results instead of
// log text. Each call runs under the migration lock, like the db commands; a Provider may
// be used from several goroutines.
type Provider struct {
	db          *sql.DB
	dialect     string
	impl        dialect.Dialect
	repo        *Repo
	log         *slog.Logger
	allowEdited bool
	progress    func(Event)
}

// Option configures a Provider.
type Option func(*Provider)

// WithLogger logs the engine's lines (the Alembic-style "Running upgrade A -> B, message")
// and, after each revision, a progress line with its duration and the time elapsed since
// the operation began, all at Info with component=migrate. Without it the Provider logs
// nothing.
func WithLogger(l *slog.Logger) Option { return func(p *Provider) { p.log = l } }

// WithDialect runs the Provider on a dialect that is not built in: d implements
// dialect.Dialect (in a package of its own, like the built-ins in migrate/dialect/sqlite,
// …/postgres and …/mysql), and the dialect name given to NewProvider must be d.Name():
//
//	p, err := migrate.NewProvider(db, "cockroach", fsys, migrate.WithDialect(cockroach.Dialect{}))
func WithDialect(d dialect.Dialect) Option { return func(p *Provider) { p.impl = d } }

// WithAllowEdited lets Upgrade proceed when an applied revision file changed since it ran
// (otherwise such an upgrade fails with an error matching ErrEditedRevision).
func WithAllowEdited(allow bool) Option { return func(p *Provider) { p.allowEdited = allow } }

// WithProgress calls f when each revision starts, before each of its statements runs,
// and once it is committed, in order, on the goroutine running the operation (see
// Runner.Watch).
func WithProgress(f func(Event)) Option { return func(p *Provider) { p.progress = f } }

// Direction says which way a revision ran.
type Direction string

// The directions of a Result.
const (
	DirectionUp   Direction = "upgrade"
	DirectionDown Direction = "downgrade"
)

// Result is one revision run by Upgrade or Downgrade.
type Result struct {
	Revision   string
	Down       []string // the revision's parents (down_revision)
	Message    string
	Direction  Direction
	Duration   time.Duration // the revision's own run, including its version-table update
	Statements int           // schema and data statements the revision ran (not counting the version table)
}

// EventKind tells a revision's start from its statements and its end.
type EventKind int

// The kinds of Event.
const (
	EventStart     EventKind = iota // a revision is about to run
	EventDone                       // a revision is committed; Result.Duration is set
	EventStatement                  // a statement of the running revision is about to run
)

func (k EventKind) String() string {
	switch k {
	case EventDone:
		return "done"
	case EventStatement:
		return "statement"
	}
	return "start"
}

// Event reports progress through a long run: revision Index (from 1) of Total, and its
// statement Statement (from 1) of Result.Statements: the one about to run in an
// EventStatement, the number run in an EventDone. A resumed revision counts only the
// statements this run executes.
type Event struct {
	Kind      EventKind
	Result    Result
	Index     int
	Total     int
	Statement int
	Elapsed   time.Duration // since the operation began
}

// ErrEditedRevision matches (errors.Is) the error of an upgrade refused because an applied
// revision file changed since it ran; errors.As with *EditedError lists them.
var ErrEditedRevision = errors.New("applied revision file edited")

// Is makes an *EditedError match ErrEditedRevision.
func (e *EditedError) Is(target error) bool { return target == ErrEditedRevision }

// RevisionError is the failure of one revision during Upgrade or Downgrade. The revisions
// before it stay applied (they are in the returned results); Err is the cause, such as the
// database driver's error.
type RevisionError struct {
	Revision  string
	Direction Direction
	Err       error
}

func (e *RevisionError) Error() string { return e.Err.Error() }
func (e *RevisionError) Unwrap() error { return e.Err }

// NewProvider loads the repository in source (the migrations directory: it holds
// versions/, e.g. os.DirFS("migrations") or an embed.FS sub-tree) for a database of
// dialect "sqlite", "postgres" or "mysql" (or another, given with WithDialect).
func NewProvider(db *sql.DB, name string, source fs.FS, opts ...Option) (*Provider, error) {
	if db == nil {
		return nil, errors.New("migrate: new provider: no database")
	}
	p := &Provider{db: db, dialect: name, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(p)
	}
	if p.impl == nil {
		d, ok := LookupDialect(name)
		if !ok {
			return nil, fmt.Errorf("migrate: new provider: unknown dialect %q (want %q, %q or %q)", name, SQLite, Postgres, MySQL)
		}
		p.impl = d
	} else if p.impl.Name() != name {
		return nil, fmt.Errorf("migrate: new provider: dialect %q is not the one WithDialect gives (%q)", name, p.impl.Name())
	}
	if source == nil {
		return nil, errors.New("migrate: new provider: no revision source")
	}
	repo, err := LoadRepo(source, "migrations")
	if err != nil {
		return nil, prefixed("new provider", err)
	}
	p.repo = repo
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	return p, nil
}

func (p *Provider) runner() *Runner {
	return &Runner{DB: p.db, Dialect: p.dialect, Impl: p.impl, Repo: p.repo, AllowEdited: p.allowEdited,
		Notify: func(n Notice) { p.log.Info(n.String(), "component", "migrate") }}
}

// Upgrade applies the revisions up to target ("heads" when empty; also "head", an id or
// unique prefix, a branch label, "+N") and returns those it ran, in order. On failure it
// returns the revisions committed before it and an error; a *RevisionError (errors.As)
// names the revision that failed when one did.
func (p *Provider) Upgrade(ctx context.Context, target string) ([]Result, error) {
	if target == "" {
		target = "heads"
	}
	return p.migrate(ctx, target, true)
}

// Downgrade reverts the revisions above target ("-1" when empty; also "base", an id,
// "-N") and returns those it reverted, in order.
func (p *Provider) Downgrade(ctx context.Context, target string) ([]Result, error) {
	if target == "" {
		target = "-1"
	}
	return p.migrate(ctx, target, false)
}

func (p *Provider) migrate(ctx context.Context, target string, up bool) ([]Result, error) {
	dir, verb := DirectionUp, "upgrade"
	if !up {
		dir, verb = DirectionDown, "downgrade"
	}
	var results []Result
	running := ""
	r := p.runner()
	r.Watch(func(e Event) {
		switch e.Kind {
		case EventStart:
			running = e.Result.Revision
		case EventDone:
			running = ""
			res := e.Result
			results = append(results, res)
			p.log.InfoContext(ctx, "migrate: revision "+string(dir)+"d", "revision", res.Revision, "message", res.Message,
				"component", "migrate", "step", fmt.Sprintf("%d/%d", e.Index, e.Total), "statements", res.Statements, "duration", res.Duration.Round(time.Millisecond), "elapsed", e.Elapsed.Round(time.Millisecond))
		}
		if p.progress != nil {
			p.progress(e)
		}
	})
	var err error
	if up {
		err = r.Upgrade(ctx, target)
	} else {
		err = r.Downgrade(ctx, target)
	}
	if err != nil {
		if running != "" {
			err = &RevisionError{Revision: running, Direction: dir, Err: err}
		}
		return results, prefixed(verb+" to "+target, err)
	}
	return results, nil
}

// Current returns the revisions recorded in the database's version table, sorted (none
// for a new database).
func (p *Provider) Current(ctx context.Context) ([]string, error) {
	cur, err := p.runner().Current(ctx)
	if err != nil {
		return nil, prefixed("current", err)
	}
	return cur, nil
}

// Heads returns the repository's head revisions, sorted.
func (p *Provider) Heads() []string { return p.repo.Heads() }

// Pending returns the revisions an Upgrade to "heads" would run, parents first.
func (p *Provider) Pending(ctx context.Context) ([]string, error) {
	cur, err := p.Current(ctx)
	if err != nil {
		return nil, err
	}
	if err := p.runner().known(cur); err != nil {
		return nil, prefixed("pending", err)
	}
	have := p.repo.Ancestors(cur...)
	var out []string
	for _, rev := range p.repo.Ordered() {
		if !have[rev.ID] {
			out = append(out, rev.ID)
		}
	}
	return out, nil
}
