package web

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/testdb"
)

// Text the database layer refused (NUL, invalid UTF-8) that no form check caught is the
// user's mistake: a 400 page and an info line, never a 500, an error line or an e-mail.
func TestInvalidTextIsABadRequestNotAFailure(t *testing.T) {
	db := testdb.Migrated(t, database.SQLite)
	cfg, err := config.Load(func(string) (string, bool) { return "", false }, "")
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	a, err := New(db, cfg, slog.New(slog.NewTextHandler(&logs, nil)), testdb.Queue(t, db))
	if err != nil {
		t.Fatal(err)
	}
	_, queryErr := db.SQL.Exec("SELECT ?", "a\x00b")
	w := httptest.NewRecorder()
	a.serverError(w, httptest.NewRequest("GET", "/explore", nil), fmt.Errorf("store: find: %w", queryErr))
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "characters that are not allowed") {
		t.Errorf("got %d\n%s", w.Code, w.Body.String())
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("logged as an error:\n%s", logs.String())
	}
}
