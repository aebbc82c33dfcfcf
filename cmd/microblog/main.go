// Command microblog is the microblog application: the web server and its database tools.
// See README.md, or run `microblog --help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/microblog/microblog/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Env: os.LookupEnv})
	stop()
	os.Exit(code)
}
