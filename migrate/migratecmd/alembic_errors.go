package migratecmd

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/microblog/microblog/migrate"
)

// alembicError is an engine error in Alembic's words; errors.Is and errors.As still see
// the engine's error through it.
type alembicError struct {
	msg string
	err error
}

func (e *alembicError) Error() string { return e.msg }
func (e *alembicError) Unwrap() error { return e.err }

// alembicWording rewords the engine errors that Alembic prints with a message of its own
// (reference/flask-migrate-cli.md, "Errors") in Alembic's words, leaving any context
// around them as it is. The engine says the same in Go's style (migrate.ErrUnknownRevision
// and the like); only the command line copies Alembic.
func alembicWording(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	reword := func(engine error, alembic string) {
		msg = strings.Replace(msg, engine.Error(), alembic, 1)
	}
	var noRepo *migrate.NoRepositoryError
	if errors.As(err, &noRepo) {
		reword(noRepo, fmt.Sprintf("Path doesn't exist: '%s'.  Please use the 'init' command to create a new scripts folder.", noRepo.Dir))
	}
	var unknown *migrate.UnknownRevisionError
	if errors.As(err, &unknown) {
		if unknown.Recorded {
			reword(unknown, fmt.Sprintf("Can't locate revision identified by '%s' (recorded in %s but not in %s)", unknown.ID, migrate.VersionTable, unknown.Dir))
		} else {
			reword(unknown, fmt.Sprintf("Can't locate revision identified by '%s'", unknown.ID))
		}
	}
	var ambiguous *migrate.AmbiguousRevisionError
	if errors.As(err, &ambiguous) {
		reword(ambiguous, fmt.Sprintf("Multiple revisions start with '%s': %s", ambiguous.Prefix, strings.Join(ambiguous.Matches, ", ")))
	}
	var heads *migrate.MultipleHeadsError
	if errors.As(err, &heads) && heads.Target == "head" {
		reword(heads, "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads")
	}
	var relative *migrate.RelativeRevisionError
	if errors.As(err, &relative) && len(relative.Current) < 2 && relative.MergePoint == "" {
		reword(relative, fmt.Sprintf("Relative revision %s didn't produce %d migrations", relative.Target, relative.Steps))
	}
	if msg == err.Error() {
		return err
	}
	return &alembicError{msg: msg, err: err}
}

// rewordErrors makes every command under cmd return its engine errors in Alembic's words
// (alembicWording): the one place where the command line words the engine's errors.
func rewordErrors(cmd *cobra.Command) {
	if run := cmd.RunE; run != nil {
		cmd.RunE = func(cmd *cobra.Command, args []string) error {
			return alembicWording(run(cmd, args))
		}
	}
	for _, sub := range cmd.Commands() {
		rewordErrors(sub)
	}
}
