package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/microblog/microblog/internal/server"
	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrations"
)

// readinessChecks are what GET /readyz checks once the application is open: the database
// answers, it is at this binary's head revision (not behind, as after a `db downgrade`,
// nor ahead, as when a newer release migrated it), and the job queue answers.
func readinessChecks(env *environment) ([]server.Check, error) {
	repo, err := migrate.LoadRepo(migrations.FS, migrations.Dir)
	if err != nil {
		return nil, fmt.Errorf("readiness: %w", err)
	}
	heads := slices.Sorted(slices.Values(repo.Heads()))
	runner := &migrate.Runner{DB: env.db.SQL, Dialect: env.db.Dialect, Repo: repo}
	return []server.Check{
		{Name: "database", Run: func(ctx context.Context) error {
			if err := env.db.SQL.PingContext(ctx); err != nil {
				return errors.New("no answer from the database")
			}
			return nil
		}},
		{Name: "schema", Run: func(ctx context.Context) error {
			current, err := runner.Current(ctx)
			if err != nil {
				return errors.New("cannot read the database's revision")
			}
			if !slices.Equal(current, heads) {
				return fmt.Errorf("database at revision %s, this binary's head is %s", orBase(current), strings.Join(heads, ","))
			}
			return nil
		}},
		{Name: "queue", Run: func(ctx context.Context) error {
			if err := env.queue.Ping(ctx); err != nil {
				return fmt.Errorf("no answer from the %s job queue", env.queue.Backend())
			}
			return nil
		}},
	}, nil
}

func orBase(revs []string) string {
	if len(revs) == 0 {
		return "<base>"
	}
	return strings.Join(revs, ",")
}
