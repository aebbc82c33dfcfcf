package migrate_test

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log"

	_ "modernc.org/sqlite" // registers "sqlite"

	"github.com/microblog/microblog/migrate"
)

//go:embed testdata/provider
var revisions embed.FS

// An application embeds its migrations directory and brings the database to head at
// start-up.
func Example() {
	db, err := sql.Open("sqlite", "file:example?mode=memory&cache=shared")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	source, _ := fs.Sub(revisions, "testdata/provider") // holds versions/
	p, err := migrate.NewProvider(db, migrate.SQLite, source)
	if err != nil {
		log.Fatal(err)
	}
	results, err := p.Upgrade(context.Background(), "heads")
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range results {
		fmt.Printf("%s %s %q: %d statement(s)\n", r.Direction, r.Revision, r.Message, r.Statements)
	}
	current, _ := p.Current(context.Background())
	fmt.Println("current:", current)
	// Output:
	// upgrade a1b2c3d4e5f6 "notes": 1 statement(s)
	// upgrade b7c8d9e0f1a2 "note authors": 2 statement(s)
	// current: [b7c8d9e0f1a2]
}
