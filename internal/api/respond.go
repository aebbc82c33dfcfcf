package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/microblog/microblog/internal/database"
)

// errorBody is every error's JSON: the status's reason phrase, and for a refused input a
// message saying which field is wrong and why.
type errorBody struct {
	Error   string `json:"error"`
	Message string `json:"message,omitempty"`
}

// encode renders v as the response body: compact JSON and a line feed, as Flask's
// jsonify writes it. Struct fields are declared in key order, so keys come out sorted,
// as Flask sorts them.
func encode(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // "&" stays "&" in the avatar URL, as Flask writes it
	if err := enc.Encode(v); err != nil {
		// Only our own types are encoded; none can fail.
		panic(fmt.Sprintf("api: encode %T: %v", v, err))
	}
	return b.Bytes()
}

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body := encode(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

// writeError writes the JSON error for status, with message when not empty.
func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, errorBody{Error: http.StatusText(status), Message: message})
}

// badRequest is the 400 for a refused input; message names the field.
func badRequest(w http.ResponseWriter, message string) {
	writeError(w, http.StatusBadRequest, message)
}

// writeGET answers a GET (or HEAD) with v and its entity tag, or with 304 Not Modified
// when the client's If-None-Match already names that tag. The tag is a digest of the
// body, so it changes exactly when the representation does; Cache-Control asks caches
// to check back every time, and to keep answers to themselves (they depend on the
// bearer token).
func writeGET(w http.ResponseWriter, r *http.Request, v any) {
	w.Header().Set("Vary", "Authorization")
	writeTagged(w, r, encode(v), "private, no-cache")
}

// writeTagged answers a GET with body, its entity tag and cacheControl, or with 304.
func writeTagged(w http.ResponseWriter, r *http.Request, body []byte, cacheControl string) {
	sum := sha256.Sum256(body)
	tag := `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
	h := w.Header()
	h.Set("ETag", tag)
	h.Set("Cache-Control", cacheControl)
	if noneMatch(r.Header.Values("If-None-Match"), tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// noneMatch reports whether an If-None-Match header lists tag, or is "*". The
// comparison is weak (RFC 9110 §13.1.2): W/"x" matches "x".
func noneMatch(headers []string, tag string) bool {
	for _, h := range headers {
		for _, t := range strings.Split(h, ",") {
			t = strings.TrimSpace(t)
			if t == "*" || strings.TrimPrefix(t, "W/") == tag {
				return true
			}
		}
	}
	return false
}

// methods answers a request whose method the path does not serve: a JSON 405 with the
// methods it does serve (the tutorial answers with Werkzeug's HTML page).
func methods(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		writeError(w, http.StatusMethodNotAllowed, "")
	}
}

// notFound is the 404: JSON or the site's HTML page, as the client prefers (wantsJSON).
func (a *API) notFound(w http.ResponseWriter, r *http.Request) {
	a.negotiated(w, r, http.StatusNotFound)
}

// negotiated writes the JSON error for status, or the site's HTML page when the client
// prefers HTML, as the tutorial's app-wide 404 and 500 handlers do.
func (a *API) negotiated(w http.ResponseWriter, r *http.Request, status int) {
	if !wantsJSON(r.Header.Values("Accept")) && a.ErrorPage != nil {
		a.ErrorPage(w, r, status)
		return
	}
	writeError(w, status, "")
}

// serverError rolls the request's database work back and answers: 503 while the
// database cannot be reached, 400 for text no column can hold (the backstop of the
// field checks), 500 otherwise.
func (a *API) serverError(w http.ResponseWriter, r *http.Request, err error) {
	if s := session(r); s != nil {
		s.Rollback(context.WithoutCancel(r.Context()))
	}
	switch {
	case database.IsUnavailable(err):
		a.Log.Warn("api: database unavailable", "err", err, "route", r.Pattern, "request_id", requestID(r))
		w.Header().Set("Retry-After", "5")
		writeError(w, http.StatusServiceUnavailable, "the database cannot be reached; try again in a few seconds")
	case errors.Is(err, database.ErrInvalidText):
		badRequest(w, "the request holds characters that are not allowed")
	default:
		a.Log.Error("api: internal error", "err", err, "method", r.Method, "route", r.Pattern, "path", r.URL.Path, "request_id", requestID(r))
		if a.ReportError != nil {
			a.ReportError(err, r)
		}
		a.negotiated(w, r, http.StatusInternalServerError)
	}
}

// Busy answers a request that cannot be served now: its password hashing could not
// start because every hashing slot is taken (password.ErrBusy), or the server's read
// queue is full (package web's admission): 503, to be tried again shortly.
func Busy(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "5")
	writeError(w, http.StatusServiceUnavailable, "the server is busy; try again in a few seconds")
}
