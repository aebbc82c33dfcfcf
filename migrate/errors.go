package migrate

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors of the engine. Callers test for them with errors.Is; the typed errors
// below (errors.As) say which revision or target was at fault. The engine words them in
// Go's style; a command line that copies Alembic's messages (package migratecmd) maps them
// to Alembic's wording where Alembic prints them.
var (
	// ErrNoRepository: the directory given as a repository has no versions/ folder.
	ErrNoRepository = errors.New("no migration repository")
	// ErrUnknownRevision: no revision has the id, prefix or branch label given, or the
	// database records a revision the repository does not have.
	ErrUnknownRevision = errors.New("unknown revision")
	// ErrAmbiguousRevision: a revision id prefix matches several revisions.
	ErrAmbiguousRevision = errors.New("ambiguous revision prefix")
	// ErrMultipleHeads: a target such as "head" names one head, but there are several.
	ErrMultipleHeads = errors.New("multiple head revisions")
	// ErrRelativeRevision: a relative target (+N, -N, head-N) cannot be reached.
	ErrRelativeRevision = errors.New("relative revision out of reach")
)

// NoRepositoryError is returned by LoadRepo when Dir has no versions/ folder; it matches
// ErrNoRepository.
type NoRepositoryError struct{ Dir string }

func (e *NoRepositoryError) Error() string {
	return fmt.Sprintf("migrate: %s is not a migration repository (it has no versions directory)", e.Dir)
}

// Is makes a *NoRepositoryError match ErrNoRepository.
func (e *NoRepositoryError) Is(target error) bool { return target == ErrNoRepository }

// UnknownRevisionError names a revision the repository does not have; it matches
// ErrUnknownRevision. Recorded is set when the id comes from the database's version
// table (the database is ahead of, or on another history than, repository Dir).
type UnknownRevisionError struct {
	ID       string
	Recorded bool
	Dir      string
}

func (e *UnknownRevisionError) Error() string {
	if e.Recorded {
		return fmt.Sprintf("migrate: the database records revision %s (in %s), which %s has no file for", e.ID, VersionTable, e.Dir)
	}
	return fmt.Sprintf("migrate: no revision has the id, prefix or branch label %q", e.ID)
}

// Is makes an *UnknownRevisionError match ErrUnknownRevision.
func (e *UnknownRevisionError) Is(target error) bool { return target == ErrUnknownRevision }

// AmbiguousRevisionError is a revision id prefix that several revisions start with; it
// matches ErrAmbiguousRevision. Matches is sorted.
type AmbiguousRevisionError struct {
	Prefix  string
	Matches []string
}

func (e *AmbiguousRevisionError) Error() string {
	return fmt.Sprintf("migrate: revision prefix %q is ambiguous: %s", e.Prefix, strings.Join(e.Matches, ", "))
}

// Is makes an *AmbiguousRevisionError match ErrAmbiguousRevision.
func (e *AmbiguousRevisionError) Is(target error) bool { return target == ErrAmbiguousRevision }

// MultipleHeadsError is a target meant to name one head ("head", "head-N", "X@head") when
// there are several; it matches ErrMultipleHeads. Heads is sorted.
type MultipleHeadsError struct {
	Target string
	Heads  []string
}

func (e *MultipleHeadsError) Error() string {
	if e.Target == "head" {
		return fmt.Sprintf("migrate: target head is ambiguous: %d heads (%s); name a revision, use <branch>@head, or heads for all of them", len(e.Heads), strings.Join(e.Heads, ", "))
	}
	return fmt.Sprintf("migrate: target %s matches %d heads (%s); name one of them", e.Target, len(e.Heads), strings.Join(e.Heads, ", "))
}

// Is makes a *MultipleHeadsError match ErrMultipleHeads.
func (e *MultipleHeadsError) Is(target error) bool { return target == ErrMultipleHeads }

// RelativeRevisionError is a relative target (+N, -N, head-N) that cannot be reached; it
// matches ErrRelativeRevision. Steps is N. Current is set when the database has several
// current heads to count from, MergePoint when going down would cross a merge; when
// neither is set the history has fewer than N revisions that way.
type RelativeRevisionError struct {
	Target     string
	Steps      int
	Current    []string
	MergePoint string
}

func (e *RelativeRevisionError) Error() string {
	switch {
	case len(e.Current) > 1:
		return fmt.Sprintf("migrate: relative revision %s is ambiguous with several current heads (%s)", e.Target, strings.Join(e.Current, ", "))
	case e.MergePoint != "":
		return fmt.Sprintf("migrate: relative revision %s crosses the merge point %s; name the target revision", e.Target, e.MergePoint)
	}
	return fmt.Sprintf("migrate: relative revision %s: fewer than %d revisions that way", e.Target, e.Steps)
}

// Is makes a *RelativeRevisionError match ErrRelativeRevision.
func (e *RelativeRevisionError) Is(target error) bool { return target == ErrRelativeRevision }

// prefixed wraps err with context in front of its text, keeping one "migrate: " prefix
// when err already starts with it.
func prefixed(context string, err error) error {
	return &messageError{msg: "migrate: " + context + ": " + strings.TrimPrefix(err.Error(), "migrate: "), err: err}
}
