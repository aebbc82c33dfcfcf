package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxBodyBytes bounds a request body: the largest (a new user) is well under 1 KB.
const maxBodyBytes = 64 << 10

// withID reads the path's {id} as Flask's <int:id> does (ASCII digits, no sign); any
// other value is a routing 404, answered before authentication as in the tutorial.
func (a *API) withID(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s := r.PathValue("id")
		if s == "" || strings.Trim(s, "0123456789") != "" {
			a.notFound(w, r)
			return
		}
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil { // beyond int64: no row has it
			a.notFound(w, r)
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), keyID, id)))
	}
}

// jsonObject reads the request body as one JSON object, keys to raw values. It answers
// the request itself and returns false when the body is not one: 415 without a JSON
// content type (as Flask's get_json), 413 over maxBodyBytes, 400 for a body that is
// not valid UTF-8, not JSON, or JSON but not an object ("null" included, which the
// tutorial answers with a 500).
func jsonObject(w http.ResponseWriter, r *http.Request) (map[string]json.RawMessage, bool) {
	if !isJSON(r.Header.Get("Content-Type")) {
		writeError(w, http.StatusUnsupportedMediaType, "the body must be JSON, sent with Content-Type: application/json")
		return nil, false
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "the body is larger than "+strconv.Itoa(maxBodyBytes)+" bytes")
			return nil, false
		}
		badRequest(w, "the body could not be read")
		return nil, false
	}
	if !utf8.Valid(body) {
		badRequest(w, "the body is not valid UTF-8")
		return nil, false
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		if json.Valid(trimmed) {
			badRequest(w, "the body must be a JSON object")
		} else {
			badRequest(w, "the body is not valid JSON")
		}
		return nil, false
	}
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if err := dec.Decode(&obj); err != nil {
		badRequest(w, "the body is not valid JSON")
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		badRequest(w, "the body holds more than one JSON value")
		return nil, false
	}
	return obj, true
}

// isJSON reports whether a Content-Type is JSON: application/json or application/*+json,
// as Flask's is_json decides.
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
}

// stringField reads obj[name] as a JSON string. present is false when the key is
// absent; ok is false, with the 400 written, when it is there but not a string (or
// null, unless nullable: then present is true and *value nil).
func stringField(w http.ResponseWriter, obj map[string]json.RawMessage, name string, nullable bool) (value *string, present, ok bool) {
	raw, present := obj[name]
	if !present {
		return nil, false, true
	}
	if nullable && string(raw) == "null" {
		return nil, true, true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil || string(raw) == "null" {
		if nullable {
			badRequest(w, name+" must be a string or null")
		} else {
			badRequest(w, name+" must be a string")
		}
		return nil, true, false
	}
	return &s, true, true
}
