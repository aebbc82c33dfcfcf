// Package scratch is a throwaway application for the migration engine's end-to-end
// tests: its own models (not microblog's), mounted under `db` as an application would,
// on the database at DATABASE_URL. SCRATCH_MODELS=users gives the User model only,
// account the Account model only; anything else User and Post. Command scratchapp runs
// it; the testscript tests of migratecmd run it as a command of their own.
package scratch

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/uptrace/bun"

	"github.com/microblog/microblog/migrate/bunschema"
	"github.com/microblog/microblog/migrate/internal/dburl"
	"github.com/microblog/microblog/migrate/migratecmd"
	"github.com/microblog/microblog/migrate/schema"
)

// User is the chapter-4 user.
type User struct {
	bun.BaseModel `bun:"table:user"`
	ID            int64   `bun:"id,pk,autoincrement"`
	Username      string  `bun:"username,type:varchar(64),notnull" migrate:"index,unique"`
	Email         string  `bun:"email,type:varchar(120),notnull" migrate:"index,unique"`
	PasswordHash  *string `bun:"password_hash,type:varchar(256)"`
}

// Post is the chapter-4 post.
type Post struct {
	bun.BaseModel `bun:"table:post"`
	ID            int64     `bun:"id,pk,autoincrement"`
	Body          string    `bun:"body,type:varchar(140),notnull"`
	Timestamp     time.Time `bun:"timestamp,notnull" migrate:"index"`
	UserID        int64     `bun:"user_id,notnull" migrate:"index"`
	Author        *User     `bun:"rel:belongs-to,join:user_id=id"`
}

// Account is User renamed, for the rename-detection tests.
type Account struct {
	bun.BaseModel `bun:"table:account"`
	ID            int64   `bun:"id,pk,autoincrement"`
	Username      string  `bun:"username,type:varchar(64),notnull" migrate:"index,unique"`
	Email         string  `bun:"email,type:varchar(120),notnull" migrate:"index,unique"`
	PasswordHash  *string `bun:"password_hash,type:varchar(256)"`
}

// killer returns a statement hook that SIGKILLs this process at its n-th call (n from
// the environment variable; 0 never), to test recovery from a crash at that point.
func killer(env string) func(string) {
	n, _ := strconv.Atoi(os.Getenv(env))
	calls := 0
	return func(string) {
		calls++
		if calls == n {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {} // the signal is on its way
		}
	}
}

// Main runs the scratch application with os.Args and returns its exit code.
func Main() int {
	db := migratecmd.NewCommand(migratecmd.Options{
		Trace:    killer("SCRATCH_KILL_BEFORE"),
		Executed: killer("SCRATCH_KILL_AFTER"),
		Models: func() (*schema.Schema, error) {
			switch os.Getenv("SCRATCH_MODELS") {
			case "users":
				return bunschema.FromModels((*User)(nil))
			case "account":
				return bunschema.FromModels((*Account)(nil))
			}
			return bunschema.FromModels((*User)(nil), (*Post)(nil))
		},
		Open: func(ctx context.Context) (*sql.DB, string, error) {
			return dburl.Open(ctx, os.Getenv("DATABASE_URL"))
		},
	})
	cmd := &cobra.Command{Use: "scratchapp"}
	cmd.AddCommand(db)
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	cmd.SetArgs(os.Args[1:])
	if err := cmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		return 1
	}
	return 0
}
