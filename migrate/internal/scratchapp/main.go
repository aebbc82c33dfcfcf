// Command scratchapp is a throwaway application for the migration engine's end-to-end
// tests: see package scratch.
package main

import (
	"os"

	"github.com/microblog/microblog/migrate/internal/scratch"
)

func main() { os.Exit(scratch.Main()) }
