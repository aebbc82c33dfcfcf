package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

func newHealthcheckCommand(stdio IO) *cobra.Command {
	var addr string
	var ready bool
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "healthcheck",
		Short: "Ask a running server whether it is alive (or ready, with --ready); exit 0 if so",
		Long: `Ask the server that "microblog run" started on this machine for GET /healthz (the
process is up) or, with --ready, GET /readyz (database reachable, schema at head, job
queue reachable), print its answer, and exit 0 on 200, 1 otherwise. It is the container
image's HEALTHCHECK: the image has no curl. Without --addr it asks 127.0.0.1 at PORT
when that is set, else 127.0.0.1:5000.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("addr") {
				cfg, err := loadConfig(stdio)
				if err != nil {
					return err
				}
				if cfg.Port > 0 {
					addr = fmt.Sprintf("127.0.0.1:%d", cfg.Port)
				}
			}
			path := "/healthz"
			if ready {
				path = "/readyz"
			}
			url := "http://" + addr + path
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if err != nil {
				return usageError{fmt.Errorf("healthcheck: --addr %q: %w", addr, err)}
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return fmt.Errorf("healthcheck: %w", err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
			if err != nil {
				return fmt.Errorf("healthcheck: GET %s: %w", url, err)
			}
			fmt.Fprintln(stdio.Stdout, strings.TrimSpace(string(body)))
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("healthcheck: GET %s: %s", url, resp.Status)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:5000", "host:port of the server; default 127.0.0.1:$PORT when PORT is set")
	cmd.Flags().BoolVar(&ready, "ready", false, "check readiness (/readyz) instead of liveness (/healthz)")
	cmd.Flags().DurationVar(&timeout, "timeout", 5*time.Second, "give up after this long")
	return cmd
}
