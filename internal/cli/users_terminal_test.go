//go:build linux

package cli_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/microblog/microblog/internal/cli"
	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/testdb"
)

// openPTY opens a pseudo-terminal: the controller (what a terminal emulator holds) and
// the terminal the command reads.
func openPTY(t *testing.T) (controller, tty *os.File) {
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
	return controller, tty
}

// output collects what a terminal shows until it is closed.
type output struct {
	syncBuffer
	done chan struct{}
}

func readAll(controller *os.File) *output {
	o := &output{done: make(chan struct{})}
	go func() {
		defer close(o.done)
		io.Copy(&o.syncBuffer, controller) // ends with EIO once the terminal is closed
	}()
	return o
}

// typeWhenEchoOff waits until the terminal's echo is off — the command is reading a
// password — and types line.
func typeWhenEchoOff(t *testing.T, controller, tty *os.File, line string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		tio, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
		if err != nil {
			t.Fatal(err)
		}
		if tio.Lflag&unix.ECHO == 0 {
			if _, err := controller.WriteString(line); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatal("the command never turned the terminal's echo off")
}

// Without --password-stdin the password is read from the terminal, twice, with echo
// off: what was typed never shows on the terminal, and echo is back on afterwards.
// Two different entries are refused.
func TestUsersPasswordFromTerminalWithoutEcho(t *testing.T) {
	env := map[string]string{"DATABASE_URL": testdb.URL(t, database.SQLite)}
	runOnTTY := func(first, second string, args ...string) (int, string, string) {
		t.Helper()
		controller, tty := openPTY(t)
		shown := readAll(controller)
		var out, errb syncBuffer
		code := make(chan int, 1)
		go func() {
			code <- cli.Main(context.Background(), args, cli.IO{Stdin: tty, Stdout: &out, Stderr: &errb,
				Env: func(k string) (string, bool) { v, ok := env[k]; return v, ok }, EnvFile: filepath.Join(t.TempDir(), ".env")})
		}()
		typeWhenEchoOff(t, controller, tty, first+"\n")
		for deadline := time.Now().Add(10 * time.Second); !strings.Contains(errb.String(), "Repeat password: ") && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
		typeWhenEchoOff(t, controller, tty, second+"\n")
		c := <-code
		if tio, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS); err != nil || tio.Lflag&unix.ECHO == 0 {
			t.Errorf("echo not restored after the password was read (%v)", err)
		}
		// What the terminal showed: nothing typed may be there. Closing the terminal
		// ends the controller's reader.
		tty.Close()
		select {
		case <-shown.done:
		case <-time.After(10 * time.Second):
			t.Fatal("the terminal's output never ended")
		}
		if s := shown.String(); strings.Contains(s, first) || strings.Contains(s, second) {
			t.Errorf("the terminal echoed the password: %q", s)
		}
		return c, out.String(), errb.String()
	}

	code, out, errOut := runOnTTY(usersPassword, usersPassword, "users", "create", "susan", "susan@example.com")
	if code != 0 || out != "Created user susan (id 1).\n" || !strings.Contains(errOut, "Password: ") {
		t.Fatalf("create from the terminal: exit %d, %q, %q", code, out, errOut)
	}
	code, out, errOut = runOnTTY(usersPassword2, usersPassword2+"x", "users", "set-password", "susan")
	if code != 1 || out != "" || !strings.Contains(errOut, "the passwords differ") {
		t.Errorf("two different entries: exit %d, %q, %q; want 1 and 'the passwords differ'", code, out, errOut)
	}
	code, out, _ = runOnTTY(usersPassword2, usersPassword2, "users", "set-password", "susan")
	if code != 0 || out != "Password of susan set; their sessions are signed out.\n" {
		t.Errorf("set-password from the terminal: exit %d, %q", code, out)
	}
}
