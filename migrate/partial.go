package migrate

import (
	"fmt"
	"strings"
)

// partialError is a failure inside a step whose statements commit one by one (MySQL and
// MariaDB commit each DDL statement; `transactional: false` revisions on every dialect):
// the statements before the failing one stay applied, so the run must not say that
// nothing of the revision was applied (issue 13, defect 4).
type partialError struct {
	applied []string // first lines of the statements that are applied
	total   int
	err     error
}

func (e *partialError) Error() string { return e.err.Error() }
func (e *partialError) Unwrap() error { return e.err }

// messageError is an error whose whole text is msg, wrapping err (which msg quotes).
type messageError struct {
	msg string
	err error
}

func (e *messageError) Error() string { return e.msg }
func (e *messageError) Unwrap() error { return e.err }

// partialMessage is the run's report of a step that failed half-way.
func partialMessage(verb, rev, path string, pe *partialError) string {
	if len(pe.applied) == 0 {
		return fmt.Sprintf("%s %s (%s) failed at its first statement, nothing of it was applied: %v", verb, rev, path, pe.err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s (%s) failed at statement %d of %d; statements 1 to %d are applied and stay applied (each committed on its own), and the version table still says the revision has not run:\n",
		verb, rev, path, len(pe.applied)+1, pe.total, len(pe.applied))
	for i, s := range pe.applied {
		fmt.Fprintf(&b, "  %d. %s\n", i+1, s)
	}
	fmt.Fprintf(&b, "%v\nFix the cause and run %s again: it resumes at statement %d. If the revision file itself is wrong, undo the applied statements by hand, delete the revision's row from %s, then correct the file.",
		pe.err, verb, len(pe.applied)+1, ProgressTable)
	return b.String()
}
