// Package server runs microblog's HTTP server: explicit timeouts, liveness and readiness
// checks, and a graceful shutdown when its context ends. It listens before the
// application is open, so that health probes get answers while the database is still
// being waited for, and serves the application once it is mounted.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/microblog/microblog/internal/cork"
)

// DefaultShutdownTimeout bounds a graceful shutdown when Options.ShutdownTimeout is zero.
const DefaultShutdownTimeout = 25 * time.Second

// Options configures a Server.
type Options struct {
	Addr string
	Log  *slog.Logger
	// Handler serves the application's pages; nil until Mount is called, meanwhile
	// every page answers 503 "starting".
	Handler http.Handler
	// Ready are the checks of GET /readyz (see Check): until Mount, typically one
	// that reports how the start-up is going.
	Ready []Check
	// OnShutdown, when set, is called as the graceful shutdown begins, to end
	// long-lived responses (notification streams) that would otherwise hold it until
	// its timeout.
	OnShutdown func()
	// ShutdownTimeout bounds how long requests in flight may take to finish once the
	// server's context ends (default DefaultShutdownTimeout); then they are cut.
	ShutdownTimeout time.Duration
}

// mounted is what the server serves: replaced as a whole by Mount.
type mounted struct {
	handler    http.Handler
	ready      []Check
	onShutdown func()
}

// Server is the HTTP server.
type Server struct {
	opts   Options
	mux    *http.ServeMux
	app    atomic.Pointer[mounted]
	health *healthState
	url    atomic.Pointer[string] // where Serve listens, once it does
}

// New builds the server and its route table.
func New(opts Options) *Server {
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = DefaultShutdownTimeout
	}
	s := &Server{opts: opts, mux: http.NewServeMux(), health: newHealthState(opts.Log)}
	s.app.Store(&mounted{handler: opts.Handler, ready: opts.Ready, onShutdown: opts.OnShutdown})
	s.mux.HandleFunc("GET /healthz", s.live)
	s.mux.HandleFunc("GET /readyz", s.ready)
	s.mux.HandleFunc("/", s.page)
	return s
}

// Mount hands the server the open application: its pages, its readiness checks and what
// to call when the shutdown begins. It logs "listening" (with the URL) once the server
// both listens and has the application: the line that says pages are served.
func (s *Server) Mount(handler http.Handler, ready []Check, onShutdown func()) {
	s.app.Store(&mounted{handler: handler, ready: ready, onShutdown: onShutdown})
	if u := s.url.Load(); u != nil {
		s.opts.Log.Info("listening", "url", *u)
	}
}

// ServeHTTP serves a request through the route table.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// page serves the application, or 503 while it is not mounted yet.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	if h := s.app.Load().handler; h != nil {
		h.ServeHTTP(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Retry-After", "5")
	w.WriteHeader(http.StatusServiceUnavailable)
	fmt.Fprintln(w, "microblog is starting; try again in a few seconds")
}

// ListenAndServe serves until ctx ends, then shuts down gracefully (see Serve).
func (s *Server) ListenAndServe(ctx context.Context) error {
	ln, err := s.Listen()
	if err != nil {
		return err
	}
	return s.Serve(ctx, ln)
}

// Listen opens the server's listening socket, so that a caller can listen before the
// application is ready and serve meanwhile.
func (s *Server) Listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", s.opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("server: listen: %w", err)
	}
	return ln, nil
}

// Serve serves on ln until ctx ends. Then it stops accepting connections at once, lets
// requests in flight finish for up to ShutdownTimeout, cuts those still running, and
// returns.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           cork.Handler(s), // a page sent with cork.Send leaves once the request is over
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.opts.Log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		ConnContext:       cork.ConnContext,
	}
	hs.RegisterOnShutdown(func() {
		if f := s.app.Load().onShutdown; f != nil {
			f()
		}
	})
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(cork.Listen(ln)) }()
	url := "http://" + ln.Addr().String()
	s.url.Store(&url)
	if s.app.Load().handler != nil {
		s.opts.Log.Info("listening", "url", url)
	} else {
		s.opts.Log.Info("accepting connections; pages answer 503 until the application is open (see /readyz)", "url", url)
	}
	select {
	case err := <-errc:
		return fmt.Errorf("server: %w", err)
	case <-ctx.Done():
	}
	s.opts.Log.Info("shutting down: no new connections; requests in flight may finish", "timeout", s.opts.ShutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		if !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("server: shutdown: %w", err)
		}
		s.opts.Log.Warn("shutdown timeout reached: requests still running are cut", "timeout", s.opts.ShutdownTimeout.String())
		hs.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("server: %w", err)
	}
	s.opts.Log.Info("server stopped")
	return nil
}
