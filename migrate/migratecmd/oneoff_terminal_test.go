//go:build linux

package migratecmd_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/microblog/microblog/migrate/internal/migratetest"
	"github.com/microblog/microblog/migrate/schema"
)

// openTerminal opens a pseudo-terminal: the controller (what a terminal emulator holds)
// and the terminal a command reads.
func openTerminal(t *testing.T) (controller, tty *os.File) {
	t.Helper()
	return openTerminalTo(t, io.Discard) // the terminal's echo
}

// openTerminalTo opens a pseudo-terminal like openTerminal and copies what the terminal
// shows (the command's output and the echo of what is typed) into screen.
func openTerminalTo(t *testing.T, screen io.Writer) (controller, tty *os.File) {
	t.Helper()
	controller, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { controller.Close() })
	if err := unix.IoctlSetPointerInt(int(controller.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(controller.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tty.Close() })
	go io.Copy(screen, controller) // ends with EIO once the terminal is closed
	return controller, tty
}

// lockedBuffer is a bytes.Buffer safe to read while the command writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// On a terminal db migrate asks for each value, as Django's makemigrations does: the
// answers go into the revision; Enter at the first question stops without a file.
func TestOneOffValueQuestionOnATerminal(t *testing.T) {
	url := migratetest.URL(t, "sqlite") // autogenerate reads no database; this one is never opened
	dir := t.TempDir()
	models := sch(users())
	get := func() (*schema.Schema, error) { return models, nil }
	if _, stderr, err := runDB(t, dir, url, get, strings.NewReader(""), "init"); err != nil {
		t.Fatal(stderr)
	}
	if _, stderr, err := runDB(t, dir, url, get, strings.NewReader(""), "migrate", "-m", "users", "--rev-id", "rev001"); err != nil {
		t.Fatal(stderr)
	}
	models = usersWithKarma()

	ask := func(answers ...string) (string, error) {
		controller, tty := openTerminal(t)
		var stderr lockedBuffer
		done := make(chan error, 1)
		go func() {
			_, errOut, err := runDB(t, dir, url, get, tty, "migrate", "-m", "karma", "--rev-id", "rev002")
			stderr.Write([]byte(errOut))
			done <- err
		}()
		for _, a := range answers {
			if _, err := controller.WriteString(a + "\n"); err != nil {
				t.Fatal(err)
			}
		}
		select {
		case err := <-done:
			return stderr.String(), err
		case <-time.After(30 * time.Second):
			t.Fatal("db migrate did not finish after its answers")
		}
		return "", nil
	}

	stderr, err := ask("")
	if err == nil || !strings.Contains(err.Error(), "--default user.karma=VALUE") {
		t.Errorf("Enter at the question: err = %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, `Column "user"."karma" is NOT NULL without a default, and the rows "user" already has need a value.`) {
		t.Errorf("question not asked:\n%s", stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "migrations", "versions", "rev002_karma.yaml")); err == nil {
		t.Fatal("a revision was written after Enter")
	}

	stderr, err = ask("7", "CURRENT_TIMESTAMP")
	if err != nil {
		t.Fatalf("answered questions: %v\n%s", err, stderr)
	}
	if n := strings.Count(stderr, "Type a one-off value for them"); n != 2 {
		t.Errorf("%d questions, want 2:\n%s", n, stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, "migrations", "versions", "rev002_karma.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`UPDATE "user" SET "karma" = 7 WHERE "karma" IS NULL`, `UPDATE "user" SET "joined" = CURRENT_TIMESTAMP WHERE "joined" IS NULL`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("revision lacks the answer: %q\n%s", want, data)
		}
	}
}
