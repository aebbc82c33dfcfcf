package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/store"
	"github.com/microblog/microblog/internal/translate"
)

// Limits of POST /translate (the original had none: an open proxy to a paid API).
const (
	// maxTranslateText is the longest text translated, in bytes: a post is 140
	// characters, at most 560 bytes of UTF-8.
	maxTranslateText = 4 << 10
	// maxTranslateBody bounds the JSON request (the text may be escaped).
	maxTranslateBody = 16 << 10
	// translationsPerUser in translateWindow, cache hits included.
	translationsPerUser = 60
	translateWindow     = 10 * time.Minute
	// translationCacheEntries and translationCacheBytes bound the translation cache.
	translationCacheEntries = 10000
	translationCacheBytes   = 8 << 20
)

// translateRequest is the body the Translate link posts, as the original's translate().
type translateRequest struct {
	Text           *string `json:"text"`
	SourceLanguage *string `json:"source_language"`
	DestLanguage   *string `json:"dest_language"`
}

// translateText is POST /translate: {"text", "source_language", "dest_language"} in,
// {"text": translation} out. The service's failures keep the original's sentences, in
// both "text" (what the original's script shows) and "error", with 503 when no service
// is configured and 502 when it failed.
func (a *App) translateText(w http.ResponseWriter, r *http.Request) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		jsonError(w, http.StatusUnsupportedMediaType, a.T(r, "The request must be JSON (Content-Type: application/json)."))
		return
	}
	req, refused := readTranslateRequest(r)
	if refused != accepted {
		jsonError(w, http.StatusBadRequest, a.refusalMessage(r, refused))
		return
	}
	src, ok1 := translate.Normalize(*req.SourceLanguage)
	dst, ok2 := translate.Normalize(*req.DestLanguage)
	if !ok1 || !ok2 {
		jsonError(w, http.StatusBadRequest, a.T(r, "The language cannot be translated."))
		return
	}
	me := currentUser(r)
	now := time.Now().UTC()
	ok, until, err := store.Hit(r.Context(), a.db, "translate:"+strconv.FormatInt(me.ID, 10), a.translateLimit, translateWindow, now)
	if err != nil {
		// The count lives in the database: a JSON answer here, not the HTML error page.
		status := http.StatusInternalServerError
		if database.IsUnavailable(err) {
			status = http.StatusServiceUnavailable
		}
		a.log.Error("translate: count for the rate limit", "err", err, "request_id", requestID(r))
		jsonError(w, status, a.T(r, "An unexpected error has occurred"))
		return
	}
	if !ok {
		wait := until.Sub(now)
		w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
		a.log.Warn("rate limited", "key", "translate:"+strconv.FormatInt(me.ID, 10), "request_id", requestID(r))
		jsonError(w, http.StatusTooManyRequests, a.N(r, "Too many attempts. Please try again in %d minute.", "Too many attempts. Please try again in %d minutes.", max(int(math.Ceil(wait.Minutes())), 1)))
		return
	}
	if src == dst { // pt to pt_BR: nothing to translate, nothing to pay for
		writeJSON(w, http.StatusOK, map[string]string{"text": *req.Text})
		return
	}
	text, err := a.translator.Translate(r.Context(), *req.Text, src, dst)
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, map[string]string{"text": text})
	case errors.Is(err, translate.ErrNotConfigured):
		msg := a.T(r, "Error: the translation service is not configured.")
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"text": msg, "error": msg})
	default:
		a.log.Warn("translation failed", "err", err, "from", src, "to", dst, "request_id", requestID(r))
		msg := a.T(r, "Error: the translation service failed.")
		writeJSON(w, http.StatusBadGateway, map[string]string{"text": msg, "error": msg})
	}
}

// refusal is why a translation request is refused.
type refusal int

const (
	accepted refusal = iota
	tooLong
	badCharacters
	notJSON
	missingFields
)

// refusalMessage is the message for a refused request, in the reader's language.
func (a *App) refusalMessage(r *http.Request, why refusal) string {
	switch why {
	case tooLong:
		return a.T(r, "The text is too long to translate.")
	case badCharacters:
		return a.T(r, "The request holds characters that are not allowed.")
	case notJSON:
		return a.T(r, "The request is not valid JSON.")
	default:
		return a.T(r, "The request needs text, source_language and dest_language.")
	}
}

// readTranslateRequest reads and checks the JSON body.
func readTranslateRequest(r *http.Request) (translateRequest, refusal) {
	var req translateRequest
	body, err := io.ReadAll(io.LimitReader(r.Body, maxTranslateBody+1))
	if err != nil || len(body) > maxTranslateBody {
		return req, tooLong
	}
	// encoding/json would turn invalid UTF-8 into U+FFFD without a word.
	if !utf8.Valid(body) {
		return req, badCharacters
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil || dec.More() {
		return req, notJSON
	}
	if req.Text == nil || req.SourceLanguage == nil || req.DestLanguage == nil || strings.TrimSpace(*req.Text) == "" {
		return req, missingFields
	}
	if len(*req.Text) > maxTranslateText {
		return req, tooLong
	}
	if !translatableText(*req.Text) {
		return req, badCharacters
	}
	return req, accepted
}

// translatableText reports whether s holds no control characters but line breaks and
// tabs (JSON can carry a NUL as \u0000, and lone surrogates as U+FFFD).
func translatableText(s string) bool {
	return strings.IndexFunc(s, func(c rune) bool {
		return c == utf8.RuneError || (unicode.IsControl(c) && c != '\n' && c != '\r' && c != '\t')
	}) < 0
}
