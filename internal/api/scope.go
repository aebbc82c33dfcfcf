package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
)

type ctxKey int

const (
	keySession ctxKey = iota
	keyRequestID
	keyUser
	keyToken
	keyID
)

func session(r *http.Request) *database.Session {
	s, _ := r.Context().Value(keySession).(*database.Session)
	return s
}

func requestID(r *http.Request) string { id, _ := r.Context().Value(keyRequestID).(string); return id }

// caller is the user whose token authenticated the request.
func caller(r *http.Request) *models.User {
	u, _ := r.Context().Value(keyUser).(*models.User)
	return u
}

// pathID is the {id} of the request's path, as withID read it.
func pathID(r *http.Request) int64 { id, _ := r.Context().Value(keyID).(int64); return id }

// scope gives each API request an id, a database session (rolled back unless a
// handler committed), a bound on its body, an access log line, and turns a panic into
// the 500 answer.
func (a *API) scope(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 8)
		rand.Read(b)
		ctx := context.WithValue(r.Context(), keyRequestID, hex.EncodeToString(b))
		s := a.DB.NewSession()
		defer s.Close()
		r = r.WithContext(context.WithValue(ctx, keySession, s))
		r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		defer func() {
			a.Log.Info("api request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
				"duration_ms", time.Since(start).Milliseconds(), "request_id", requestID(r))
		}()
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				a.serverError(rec, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// statusRecorder remembers the status a handler wrote, for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
