package migrate_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/migratetest"
)

// goStyle checks an engine error's text: one "migrate: " prefix, then lower case, and
// nothing of the application or of Alembic's wording.
func goStyle(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	rest, ok := strings.CutPrefix(msg, "migrate: ")
	if !ok || strings.HasPrefix(rest, "migrate: ") || rest == "" || unicode.IsUpper([]rune(rest)[0]) {
		t.Errorf("error %q: want one %q prefix and a lower-case message", msg, "migrate: ")
	}
	for _, bad := range []string{"microblog", "Can't locate", "Multiple", "didn't produce", "Path doesn't exist"} {
		if strings.Contains(msg, bad) {
			t.Errorf("error %q has %q", msg, bad)
		}
	}
}

// TestRepoErrorsAreSentinels: each way a target can fail to name revisions gives an error
// that errors.Is matches to its sentinel and errors.As opens to its details.
func TestRepoErrorsAreSentinels(t *testing.T) {
	a := rev("abc111000000", nil, "ta")
	b := rev("abc222000000", []string{a.ID}, "tb")
	c := rev("cde333000000", []string{a.ID}, "tc")
	b.BranchLabels = []string{"feature"}
	repo, err := migrate.LoadRepo(repoFS(t, a, b, c), "migrations")
	if err != nil {
		t.Fatal(err)
	}
	linear, err := migrate.LoadRepo(repoFS(t, a, b), "migrations")
	if err != nil {
		t.Fatal(err)
	}

	_, err = migrate.LoadRepo(fstest.MapFS{"README": {Data: []byte("x")}}, "nowhere")
	var noRepo *migrate.NoRepositoryError
	if !errors.Is(err, migrate.ErrNoRepository) || !errors.As(err, &noRepo) || noRepo.Dir != "nowhere" {
		t.Errorf("LoadRepo without versions/: %v", err)
	} else {
		goStyle(t, err)
	}

	for _, target := range []string{"ffff", "head-x"} {
		_, err = repo.Resolve(target, nil)
		var unknown *migrate.UnknownRevisionError
		if !errors.Is(err, migrate.ErrUnknownRevision) || !errors.As(err, &unknown) || unknown.ID != target || unknown.Recorded {
			t.Errorf("Resolve(%q): %v", target, err)
		} else {
			goStyle(t, err)
		}
	}

	_, err = repo.Lookup("abc")
	var ambiguous *migrate.AmbiguousRevisionError
	if !errors.Is(err, migrate.ErrAmbiguousRevision) || !errors.As(err, &ambiguous) || ambiguous.Prefix != "abc" || !slices.Equal(ambiguous.Matches, []string{a.ID, b.ID}) {
		t.Errorf("Lookup(abc): %v", err)
	} else {
		goStyle(t, err)
	}

	for _, target := range []string{"head", "head-1", "abc1@head"} {
		_, err = repo.Resolve(target, nil)
		var heads *migrate.MultipleHeadsError
		if !errors.Is(err, migrate.ErrMultipleHeads) || !errors.As(err, &heads) || !slices.Equal(heads.Heads, []string{b.ID, c.ID}) {
			t.Errorf("Resolve(%q) with two heads: %v", target, err)
		} else {
			goStyle(t, err)
		}
	}
	if got, err := repo.Resolve("feature@head", nil); err != nil || !slices.Equal(got, []string{b.ID}) {
		t.Errorf("feature@head = %v, %v", got, err)
	}

	for _, c := range []struct {
		target  string
		current []string
		steps   int
	}{{"+3", nil, 3}, {"-1", nil, 1}, {"-2", []string{a.ID}, 2}, {"+1", []string{b.ID, c.ID}, 1}} {
		r := linear
		if len(c.current) > 1 {
			r = repo
		}
		_, err = r.Resolve(c.target, c.current)
		var rel *migrate.RelativeRevisionError
		if !errors.Is(err, migrate.ErrRelativeRevision) || !errors.As(err, &rel) || rel.Target != c.target || rel.Steps != c.steps {
			t.Errorf("Resolve(%q) from %v: %v", c.target, c.current, err)
		} else {
			goStyle(t, err)
		}
	}
}

// TestRunErrorsAreSentinels: the same errors come out of real runs, through the Runner
// and the Provider (one "migrate: " prefix), on every dialect.
func TestRunErrorsAreSentinels(t *testing.T) {
	a := rev("aaaa00000001", nil, "ta")
	b := rev("bbbb00000001", []string{a.ID}, "tb")
	c := rev("cccc00000001", []string{a.ID}, "tc")
	forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
		ctx := context.Background()
		two := repoFS(t, a, b, c)
		r := runner(t, db, two)
		if err := r.Upgrade(ctx, "deadbeef0000"); !errors.Is(err, migrate.ErrUnknownRevision) {
			t.Errorf("upgrade to an unknown revision: %v", err)
		}
		p, err := migrate.NewProvider(db.SQL, db.Dialect, two)
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Upgrade(ctx, "head")
		var heads *migrate.MultipleHeadsError
		if !errors.Is(err, migrate.ErrMultipleHeads) || !errors.As(err, &heads) || len(heads.Heads) != 2 {
			t.Errorf("Provider upgrade to head with two heads: %v", err)
		} else if goStyle(t, err); !strings.HasPrefix(err.Error(), "migrate: upgrade to head: target head is ambiguous") {
			t.Errorf("error %q", err)
		}
		if _, err := p.Upgrade(ctx, "heads"); err != nil {
			t.Fatal(err)
		}
		if _, err := p.Downgrade(ctx, "-2"); !errors.Is(err, migrate.ErrRelativeRevision) {
			t.Errorf("downgrade -2 with two current heads: %v", err)
		}

		// A repository that lacks a revision the database records.
		short := runner(t, db, repoFS(t, a, b))
		err = short.Upgrade(ctx, "heads")
		var unknown *migrate.UnknownRevisionError
		if !errors.Is(err, migrate.ErrUnknownRevision) || !errors.As(err, &unknown) || unknown.ID != c.ID || !unknown.Recorded || unknown.Dir != "migrations" {
			t.Errorf("upgrade with a revision missing from the repository: %v", err)
		} else {
			goStyle(t, err)
		}
		pShort, err := migrate.NewProvider(db.SQL, db.Dialect, repoFS(t, a, b))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pShort.Pending(ctx); !errors.Is(err, migrate.ErrUnknownRevision) || !strings.HasPrefix(err.Error(), "migrate: pending: the database records revision "+c.ID) {
			t.Errorf("Pending with a revision missing from the repository: %v", err)
		}

		if _, err := migrate.NewProvider(db.SQL, db.Dialect, fstest.MapFS{}); !errors.Is(err, migrate.ErrNoRepository) {
			t.Errorf("NewProvider without versions/: %v", err)
		} else if goStyle(t, err); !strings.HasPrefix(err.Error(), "migrate: new provider: migrations is not") {
			t.Errorf("error %q", err)
		}
	})
}

// TestRevisionFileErrorsKeepTheirCause: an op that does not fit the schema is reported
// with file and line, and errors.As still finds what the engine found wrong.
func TestRevisionFileErrorsKeepTheirCause(t *testing.T) {
	a := rev("aaaa00000001", nil, "ta")
	bad := handRevision("bbbb00000001", a.ID, []*migrate.Op{{Kind: migrate.OpDropColumn, Table: "ta", ColName: "nope"}}, nil)
	repo, err := migrate.LoadRepo(repoFS(t, a, bad), "migrations")
	if err != nil {
		t.Fatal(err)
	}
	_, err = repo.SchemaAt(bad.ID)
	if err == nil || !strings.Contains(err.Error(), `no column "nope"`) || errors.Unwrap(err) == nil {
		t.Errorf("SchemaAt through a bad op: %v (unwraps to %v)", err, errors.Unwrap(err))
	}
}

// TestRefusalBeforeAnyChangeKeepsItsGuardErrors: an upgrade refused before any change
// lists every failed check in its text, and errors.As still finds each *GuardError.
func TestRefusalBeforeAnyChangeKeepsItsGuardErrors(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
		ctx := context.Background()
		first := chain(t, sch(aboutMe(140)))[0]
		narrow := handRevision("rev002", first.ID, []*migrate.Op{narrowOp(6)}, []*migrate.Op{widenOp(8)})
		r := runner(t, db, repoFS(t, first, narrow))
		if err := r.Upgrade(ctx, first.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL.Exec("INSERT INTO " + quoteFor(db, "user") + " (username, about_me) VALUES ('susan', '0123456789')"); err != nil {
			t.Fatal(err)
		}
		err := r.Upgrade(ctx, "head")
		var guard *migrate.GuardError
		if !errors.As(err, &guard) || guard.Count != 1 || guard.Revision.ID != narrow.ID {
			t.Fatalf("refused upgrade: %v (guard %+v)", err, guard)
		}
		if !strings.HasPrefix(err.Error(), "upgrade refused before any change") || !strings.Contains(err.Error(), guard.Error()) {
			t.Errorf("error %q", err)
		}
	})
}
