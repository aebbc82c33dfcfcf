package database_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microblog/microblog/internal/database"
)

func TestParseURL(t *testing.T) {
	cases := []struct {
		url, dialect, dsnHas, redacted string
	}{
		{"", "sqlite", "file:app.db?_pragma=busy_timeout(10000)&", "app.db"},
		{"sqlite:///data/mb.db", "sqlite", "file:data/mb.db?", "sqlite:///data/mb.db"},
		{"sqlite:////tmp/mb.db", "sqlite", "file:/tmp/mb.db?", "sqlite:////tmp/mb.db"},
		{"sqlite://", "sqlite", "file::memory:?", "sqlite://"},
		{"postgres://bob:s3cret@db:5432/mb?sslmode=disable", "postgres", "postgres://bob:s3cret@db:5432/mb?sslmode=disable", "postgres://bob:xxxxx@db:5432/mb?sslmode=disable"},
		{"postgresql://bob@db/mb", "postgres", "postgres://bob@db/mb", "postgres://bob@db/mb"},
		{"mysql://root:pw@127.0.0.1:3306/mb", "mysql", "root:pw@tcp(127.0.0.1:3306)/mb?", "mysql://root:xxxxx@127.0.0.1:3306/mb"},
		{"mysql+pymysql://root@db/mb", "mysql", "root@tcp(db:3306)/mb?", "mysql://root@db/mb"},
	}
	for _, c := range cases {
		got, err := database.ParseURL(c.url)
		if err != nil {
			t.Errorf("ParseURL(%q): %v", c.url, err)
			continue
		}
		if got.Dialect != c.dialect || !strings.Contains(got.DSN, c.dsnHas) || got.Redacted != c.redacted {
			t.Errorf("ParseURL(%q) = %+v, want dialect %s, DSN containing %q, shown as %q", c.url, got, c.dialect, c.dsnHas, c.redacted)
		}
	}
	// SQLite must wait for locks before switching to WAL, and take the write lock at BEGIN.
	def, _ := database.ParseURL("")
	if bt, wal := strings.Index(def.DSN, "busy_timeout"), strings.Index(def.DSN, "journal_mode"); bt > wal {
		t.Errorf("busy_timeout must come before journal_mode in %q", def.DSN)
	}
	for _, want := range []string{"_txlock=immediate", "foreign_keys(1)", "_journal_mode=WAL"} {
		if !strings.Contains(def.DSN, want) {
			t.Errorf("default SQLite DSN %q lacks %s", def.DSN, want)
		}
	}
}

func TestParseURLErrorsAreOneClearLineWithoutThePassword(t *testing.T) {
	cases := map[string]string{
		"localhost/mb":                       "want sqlite:///FILE, postgres://… or mysql://…",
		"oracle://scott:tiger@db/orcl":       `unsupported scheme "oracle"`,
		"postgres://bob:s3cret@/mb":          "no host",
		"postgres://bob:s3cret@db:5432":      "no database name",
		"mysql://root:s3cret@db:3306":        "no database name",
		"postgres://bob:s3cret@db:port/mb":   "invalid port",
		"sqlite:///app.db?mode=ro":           "take no query parameters",
		"mysql://root:s3cret@[::1:3306/mb":   "",
		"postgres://bob:s3cret@db:99999x/mb": "",
	}
	for url, want := range cases {
		_, err := database.ParseURL(url)
		if err == nil {
			t.Errorf("ParseURL(%q) accepted a bad URL", url)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, want) || strings.Contains(msg, "s3cret") || strings.Contains(msg, "\n") || !strings.Contains(msg, "DATABASE_URL") {
			t.Errorf("ParseURL(%q) error %q: want one line naming DATABASE_URL, containing %q, without the password", url, msg, want)
		}
	}
}

func TestOpenUnreachableServerIsOneLine(t *testing.T) {
	ctx := context.Background()
	for _, url := range []string{
		"postgres://bob:s3cret@127.0.0.1:1/mb?sslmode=disable&connect_timeout=2",
		"mysql://root:s3cret@127.0.0.1:1/mb",
	} {
		_, err := database.Open(ctx, url)
		if err == nil {
			t.Fatalf("Open(%q) succeeded", url)
		}
		msg := err.Error()
		if !strings.Contains(msg, "cannot connect to") || strings.Contains(msg, "s3cret") || strings.Contains(msg, "\n") || !strings.Contains(msg, "xxxxx") {
			t.Errorf("Open(%q) error %q: want one line, password masked", url, msg)
		}
	}
}

func TestOpenDefaultCreatesAppDBWithWAL(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chdir(wd) })
	db, err := database.Open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode string
	var fk, timeout, sync int
	ctx := context.Background()
	db.SQL.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode)
	db.SQL.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk)
	db.SQL.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&timeout)
	db.SQL.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync)
	if mode != "wal" || fk != 1 || timeout < 1000 || sync != 1 {
		t.Errorf("journal_mode=%s foreign_keys=%d busy_timeout=%d synchronous=%d; want wal, 1, >=1000, 1 (NORMAL)", mode, fk, timeout, sync)
	}
	if _, err := os.Stat(filepath.Join(dir, "app.db")); err != nil {
		t.Errorf("no app.db in the working directory: %v", err)
	}
}
