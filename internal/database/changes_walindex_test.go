package database_test

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/testdb"
)

// changeChildEnv makes the test binary, run again by TestChangeVersionReadsTheWALIndex,
// act as another process on the database: "write URL" commits one row, "read URL" only
// reads.
const changeChildEnv = "MICROBLOG_TEST_CHANGE_CHILD"

// On a SQLite file in WAL mode the change version is answered from the WAL index header
// while nothing is committed — no `PRAGMA data_version` at all — and still moves after a
// commit by another process (a second SQLite library instance with a mapping of its own),
// whose closing never unlinks the mapped file.
func TestChangeVersionReadsTheWALIndex(t *testing.T) {
	ctx := context.Background()
	if child := os.Getenv(changeChildEnv); child != "" {
		changeChild(t, child, os.Getenv(changeChildEnv+"_URL"))
		return
	}
	db := testdb.Migrated(t, database.SQLite)
	url := db.URL // a file path: nothing to mask
	version := func() uint64 { t.Helper(); return mustVersion(t, db) }
	v := version()
	looks, mapped := database.ChangeLooks(db)
	if !mapped {
		if runtime.GOOS == "linux" {
			t.Fatal("the watch did not map the WAL index on Linux")
		}
		t.Skipf("the WAL index is not mapped on %s", runtime.GOOS)
	}
	for range 200 {
		if got := version(); got != v {
			t.Fatalf("version %d, want %d: nothing was committed", got, v)
		}
	}
	if now, _ := database.ChangeLooks(db); now != looks {
		t.Fatalf("200 calls with nothing committed asked SQLite %d times, want 0", now-looks)
	}
	other := func(mode string) {
		t.Helper()
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestChangeVersionReadsTheWALIndex$", "-test.count=1")
		cmd.Env = append(os.Environ(), changeChildEnv+"="+mode, changeChildEnv+"_URL="+url)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("the other process (%s): %v\n%s", mode, err, out)
		}
	}
	for i := range 3 {
		other("write")
		got := version()
		if got == v {
			t.Fatalf("commit %d by another process: version still %d", i+1, v)
		}
		v = got
		if again := version(); again != v {
			t.Fatalf("asked again after commit %d: version %d, want %d", i+1, again, v)
		}
	}
	// A process that only reads may still rewrite the header (SQLite rebuilds the WAL
	// index when it finds it wanting), which costs one look more and nothing else. What
	// must hold: no other process unlinked the -shm file under the mapping (the watch's
	// connection holds the database's shared lock, so none can think itself the last).
	other("read")
	if runtime.GOOS == "linux" {
		maps, err := os.ReadFile("/proc/self/maps")
		if err != nil {
			t.Fatal(err)
		}
		shm := strings.TrimPrefix(url, "sqlite:///") + "-shm"
		found := false
		for _, line := range strings.Split(string(maps), "\n") {
			if strings.Contains(line, shm) {
				found = true
				if strings.HasSuffix(line, "(deleted)") {
					t.Fatalf("the mapped WAL index was unlinked: %s", line)
				}
			}
		}
		if !found {
			t.Fatalf("%s is not mapped", shm)
		}
	}
	v = version()
	// The same pool's own commit moves it too.
	if _, err := db.SQL.ExecContext(ctx, `UPDATE "user" SET about_me = 'moved'`); err != nil {
		t.Fatal(err)
	}
	if got := version(); got == v {
		t.Fatal("the pool's own commit left the version")
	}
}

// changeChild is the other process: it opens the database with a SQLite of its own.
func changeChild(t *testing.T, mode, url string) {
	ctx := context.Background()
	db, err := database.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.SQL.QueryRowContext(ctx, `SELECT count(*) FROM "user"`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if mode == "write" {
		if _, err := db.SQL.ExecContext(ctx, `INSERT INTO "user" (username, email) VALUES (?, ?)`,
			"child"+string(rune('a'+n)), "child"+string(rune('a'+n))+"@example.com"); err != nil {
			t.Fatal(err)
		}
	}
}
