package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/web"
)

// Reads beyond MAX_ACTIVE_READS wait for a turn; one that waits longer than
// READ_QUEUE_TIMEOUT is a 503 with Retry-After (a short page, or the API's JSON error);
// a read whose turn comes in time is served; writes never queue.
func TestReadsWaitForATurn(t *testing.T) {
	s, app, logs := newDialectSite(t, database.SQLite, func(c *config.Config) {
		c.MaxActiveReads, c.ReadQueueTimeout = 2, 300*time.Millisecond
	})
	b := signedIn(t, s, "susan", false)
	expect(t, "home with free slots", b.get("/index"), http.StatusOK, "")

	release := web.HoldReadSlots(app, 2)
	start := time.Now()
	p := b.get("/explore")
	if waited := time.Since(start); p.status != http.StatusServiceUnavailable || waited < 300*time.Millisecond {
		t.Fatalf("read with every slot taken: %d after %v, want 503 after the 300ms queue timeout", p.status, waited)
	}
	if p.header.Get("Retry-After") == "" || !strings.Contains(p.body, "Microblog is busy") {
		t.Errorf("busy page: Retry-After %q, body %q", p.header.Get("Retry-After"), p.body)
	}
	if got := logs.lines("read refused: waited too long for its turn"); len(got) != 1 {
		t.Errorf("log lines for the refused read: %q", got)
	}

	// The API's reads queue too, and are refused in the API's error format.
	req, _ := http.NewRequest("GET", s.srv.URL+"/api/users/1", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body struct{ Error, Message string }
	json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || body.Error != "Service Unavailable" || resp.Header.Get("Retry-After") == "" {
		t.Errorf("API read with every slot taken: %d %+v", resp.StatusCode, body)
	}

	// A write is not queued: the post is stored while every read slot is taken.
	expect(t, "post while reads are full", b.post("/index", url.Values{"post": {"written while busy"}}), http.StatusFound, "/index")

	// A read that gets its turn within the timeout is served: a slot frees after 100ms.
	go func() { time.Sleep(100 * time.Millisecond); release() }()
	p = b.get("/index")
	expect(t, "home once a slot frees", p, http.StatusOK, "")
	if !strings.Contains(p.body, "written while busy") {
		t.Errorf("the post written while reads were full is not on the home page")
	}
}

// A client that leaves while its read waits takes no slot and gets no answer: the
// slots are all free again afterwards.
func TestReadLeftWhileQueuedTakesNoSlot(t *testing.T) {
	s, app, _ := newDialectSite(t, database.SQLite, func(c *config.Config) {
		c.MaxActiveReads, c.ReadQueueTimeout = 1, 10*time.Second
	})
	b := signedIn(t, s, "susan", false)
	release := web.HoldReadSlots(app, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", s.srv.URL+"/explore", nil)
	if _, err := b.c.Do(req); err == nil {
		t.Fatal("a read with every slot taken answered before the client gave up")
	}
	release()
	// Were the abandoned read still holding or waiting for the slot, this would wait
	// for it; with one slot free it is served at once.
	done := make(chan page, 1)
	go func() { done <- b.get("/explore") }()
	select {
	case p := <-done:
		expect(t, "explore after the client left", p, http.StatusOK, "")
	case <-time.After(5 * time.Second):
		t.Fatal("the abandoned read kept its slot")
	}
}
