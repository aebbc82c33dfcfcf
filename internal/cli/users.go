package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/mail"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/password"
	"github.com/microblog/microblog/internal/password/strength"
	"github.com/microblog/microblog/internal/store"
	"github.com/microblog/microblog/internal/username"
)

// newUsersCommand is `microblog users`: accounts for operators — the first one, and
// support work — with the registration form's rules.
func newUsersCommand(stdio IO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "users",
		Short: "Create, list, disable and enable accounts, and set passwords",
		Long: `Manage accounts from the command line, with the same rules as the web forms
(username, e-mail address, password policy). Passwords are read from the terminal
without echo, or with --password-stdin from standard input (one line): never from a
flag, which other users of the machine could read. Pending revisions are applied first,
as "microblog run" does.`,
	}
	cmd.AddCommand(newUsersCreate(stdio), newUsersList(stdio), newUsersSetPassword(stdio),
		newUsersSetDisabled(stdio, true), newUsersSetDisabled(stdio, false))
	return cmd
}

// usersDB opens the database at head for a users command; its log goes to stderr.
func usersDB(ctx context.Context, stdio IO) (*database.DB, int, error) {
	cfg, err := loadConfig(stdio)
	if err != nil {
		return nil, 0, err
	}
	log := slog.New(slog.NewTextHandler(stdio.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	db, err := openDatabase(ctx, cfg, log)
	if err != nil {
		return nil, 0, err
	}
	return db, cfg.PasswordMinLength, nil
}

func newUsersCreate(stdio IO) *cobra.Command {
	var fromStdin bool
	cmd := &cobra.Command{
		Use:   "create USERNAME EMAIL",
		Short: "Create an account (the password is asked for)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, minLen, err := usersDB(ctx, stdio)
			if err != nil {
				return fmt.Errorf("users create: %w", err)
			}
			defer db.Close()
			s := db.NewSession()
			defer s.Close()
			name, email := args[0], args[1]
			if name, err = username.Check(name); err != nil {
				return fmt.Errorf("users create: username %q: %w", args[0], err)
			}
			if taken, err := store.UsernameTaken(ctx, s, name, nil); err != nil {
				return fmt.Errorf("users create: %w", err)
			} else if taken {
				return fmt.Errorf("users create: username %q: taken (by this name or one that looks the same)", name)
			}
			if err := mail.CheckAddress(email); err != nil {
				return fmt.Errorf("users create: e-mail: %w", err)
			}
			if _, err := store.UserByEmail(ctx, s, email); err == nil {
				return fmt.Errorf("users create: e-mail %q: another account has it", email)
			} else if !errors.Is(err, store.ErrNoUser) {
				return fmt.Errorf("users create: %w", err)
			}
			plain, err := readNewPassword(stdio, fromStdin)
			if err != nil {
				return fmt.Errorf("users create: %w", err)
			}
			if err := (strength.Policy{MinLength: minLen}).Check(plain, name, email); err != nil {
				return fmt.Errorf("users create: password: %w", err)
			}
			hash, err := password.Hash(plain)
			if err != nil {
				return fmt.Errorf("users create: %w", err)
			}
			u := &models.User{Username: name, Email: email, PasswordHash: &hash}
			if err := s.Add(u); err != nil {
				return fmt.Errorf("users create: %w", err)
			}
			if err := s.Commit(ctx); err != nil {
				if database.IsUnique(err) {
					return fmt.Errorf("users create: username %q or e-mail %q: taken meanwhile", name, email)
				}
				return fmt.Errorf("users create: %w", err)
			}
			fmt.Fprintf(stdio.Stdout, "Created user %s (id %d).\n", printable(u.Username), u.ID)
			return nil
		},
	}
	cmd.Flags().BoolVar(&fromStdin, "password-stdin", false, "read the password from standard input (one line) instead of the terminal")
	return cmd
}

func newUsersList(stdio IO) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List every account: id, username, e-mail, last seen, disabled",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			db, _, err := usersDB(ctx, stdio)
			if err != nil {
				return fmt.Errorf("users list: %w", err)
			}
			defer db.Close()
			s := db.NewSession()
			defer s.Close()
			users, err := store.Users(ctx, s)
			if err != nil {
				return fmt.Errorf("users list: %w", err)
			}
			if asJSON {
				return writeUsersJSON(stdio.Stdout, users)
			}
			return writeUsersTable(stdio.Stdout, users)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array instead of a table")
	return cmd
}

// userJSON is one account in `users list --json`.
type userJSON struct {
	ID         int64      `json:"id"`
	Username   string     `json:"username"`
	Email      string     `json:"email"`
	LastSeen   *time.Time `json:"last_seen"`
	Disabled   bool       `json:"disabled"`
	DisabledAt *time.Time `json:"disabled_at"`
}

func writeUsersJSON(w io.Writer, users []*models.User) error {
	out := make([]userJSON, 0, len(users))
	for _, u := range users {
		out = append(out, userJSON{ID: u.ID, Username: u.Username, Email: u.Email, LastSeen: utc(u.LastSeen), Disabled: u.Disabled(), DisabledAt: utc(u.DisabledAt)})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("users list: %w", err)
	}
	return nil
}

func writeUsersTable(w io.Writer, users []*models.User) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUSERNAME\tEMAIL\tLAST SEEN\tDISABLED")
	for _, u := range users {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", u.ID, printable(u.Username), printable(u.Email), stamp(u.LastSeen), stamp(u.DisabledAt))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("users list: %w", err)
	}
	return nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Second)
	return &u
}

func stamp(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// printable quotes a value that holds anything but graphic characters (a row from the
// Flask microblog may hold any text), so that a table cell cannot move the terminal's
// cursor or hide in blanks.
func printable(s string) string {
	if s == "" {
		return strconv.Quote(s)
	}
	for _, r := range s {
		if !unicode.IsGraphic(r) || unicode.IsSpace(r) || r == '"' {
			return strconv.QuoteToGraphic(s)
		}
	}
	return s
}

func newUsersSetPassword(stdio IO) *cobra.Command {
	var fromStdin bool
	cmd := &cobra.Command{
		Use:   "set-password USERNAME",
		Short: "Give an account a new password; its web sessions and API token end",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, minLen, err := usersDB(ctx, stdio)
			if err != nil {
				return fmt.Errorf("users set-password: %w", err)
			}
			defer db.Close()
			s := db.NewSession()
			defer s.Close()
			u, err := store.UserByUsername(ctx, s, args[0])
			if err != nil {
				return fmt.Errorf("users set-password: %w", err)
			}
			plain, err := readNewPassword(stdio, fromStdin)
			if err != nil {
				return fmt.Errorf("users set-password: %w", err)
			}
			if err := (strength.Policy{MinLength: minLen}).Check(plain, u.Username, u.Email); err != nil {
				return fmt.Errorf("users set-password: password: %w", err)
			}
			hash, err := password.Hash(plain)
			if err != nil {
				return fmt.Errorf("users set-password: %w", err)
			}
			// As a reset does: the sessions signed in with the old hash end at their next
			// request (their fingerprint no longer matches), and the API token is revoked.
			changed, err := store.ReplacePassword(ctx, s, u.ID, u.PasswordHash, hash)
			if err == nil {
				err = s.Commit(ctx)
			}
			if err != nil {
				return fmt.Errorf("users set-password: %w", err)
			}
			if !changed {
				return fmt.Errorf("users set-password: the password of %s changed meanwhile; nothing done, try again", printable(u.Username))
			}
			fmt.Fprintf(stdio.Stdout, "Password of %s set; their sessions are signed out.\n", printable(u.Username))
			return nil
		},
	}
	cmd.Flags().BoolVar(&fromStdin, "password-stdin", false, "read the password from standard input (one line) instead of the terminal")
	return cmd
}

func newUsersSetDisabled(stdio IO, disable bool) *cobra.Command {
	use, short, done, already := "enable USERNAME", "Let a disabled account sign in again", "enabled", "is not disabled"
	if disable {
		use, short, done, already = "disable USERNAME", "Stop an account from signing in or using the API; its sessions end", "disabled", "is already disabled"
	}
	name := strings.Fields(use)[0]
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, _, err := usersDB(ctx, stdio)
			if err != nil {
				return fmt.Errorf("users %s: %w", name, err)
			}
			defer db.Close()
			s := db.NewSession()
			defer s.Close()
			u, err := store.UserByUsername(ctx, s, args[0])
			if err != nil {
				return fmt.Errorf("users %s: %w", name, err)
			}
			var at *time.Time
			if disable {
				now := time.Now().UTC()
				at = &now
			}
			changed, err := store.SetDisabled(ctx, s, u.ID, at)
			if err == nil {
				err = s.Commit(ctx)
			}
			if err != nil {
				return fmt.Errorf("users %s: %w", name, err)
			}
			if !changed {
				fmt.Fprintf(stdio.Stdout, "User %s %s; nothing done.\n", printable(u.Username), already)
				return nil
			}
			fmt.Fprintf(stdio.Stdout, "User %s %s.\n", printable(u.Username), done)
			return nil
		},
	}
}

// maxPasswordInput bounds what is read for a password: the policy's longest plus room
// for a line ending, and a little more so that a longer one is refused by the policy.
const maxPasswordInput = 4 * strength.MaxLength

// readNewPassword reads a new password: one line of standard input with fromStdin;
// otherwise from the terminal, without echo, twice.
func readNewPassword(stdio IO, fromStdin bool) (string, error) {
	if fromStdin {
		b, err := io.ReadAll(io.LimitReader(stdio.Stdin, maxPasswordInput+1))
		if err != nil {
			return "", fmt.Errorf("read password from stdin: %w", err)
		}
		if len(b) > maxPasswordInput {
			return "", fmt.Errorf("password from stdin: longer than %d bytes", maxPasswordInput)
		}
		line := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
		if strings.ContainsAny(line, "\r\n") {
			return "", errors.New("password from stdin: more than one line; give the password alone on one line")
		}
		if line == "" {
			return "", errors.New("password from stdin: empty")
		}
		return line, nil
	}
	f, ok := stdio.Stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", usageError{errors.New("standard input is not a terminal: give the password on standard input with --password-stdin")}
	}
	fmt.Fprint(stdio.Stderr, "Password: ")
	first, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(stdio.Stderr)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	fmt.Fprint(stdio.Stderr, "Repeat password: ")
	second, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(stdio.Stderr)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	if string(first) != string(second) {
		return "", errors.New("the passwords differ")
	}
	if len(first) == 0 {
		return "", errors.New("empty password")
	}
	return string(first), nil
}
