package web

import (
	"github.com/microblog/microblog/internal/api"
	"time"

	"github.com/microblog/microblog/internal/translate"
)

// SetErrorMailWindow shortens the error e-mail window for tests.
func SetErrorMailWindow(a *App, d time.Duration) {
	if a.errorMails != nil {
		a.errorMails.window = d
	}
}

// SetTranslateLimit sets how many translations one user may ask for in the window.
func SetTranslateLimit(a *App, n int) { a.translateLimit = n }

// SetTranslator replaces the App's translator (and its cache).
func SetTranslator(a *App, t translate.Translator) { a.translator = t }

// SetAPILimits rebuilds the App's REST API with the rate limits l (zero fields: defaults).
func SetAPILimits(a *App, l api.Limits) error {
	h, err := a.newAPI(l)
	if err == nil {
		a.api = h
	}
	return err
}

// HoldReadSlots takes n of the App's admission slots, as n reads in progress would; the
// function returned gives them back.
func HoldReadSlots(a *App, n int) func() {
	for range n {
		a.reads.slots <- struct{}{}
	}
	return func() {
		for range n {
			a.reads.leave()
		}
	}
}

// KeepPasswordPages makes a's password hasher keep the pages of each hash for the next
// one instead of returning them to the operating system (password.Hasher.KeepPages): the
// tests hash hundreds of times in one process, and handing 64 MiB back after each hash
// made every next one fault it in again. Hashing itself, its slots and its timing are
// the server's.
func (a *App) KeepPasswordPages() { a.hasher.KeepPages() }

// SetSessionClock replaces the clock of the session store, which the front cache reads
// too.
func SetSessionClock(a *App, now func() time.Time) { a.store.now = now }

// SetKeysetFrom sets the offset from which post listings link their pages by keyset.
func SetKeysetFrom(a *App, offset int) { a.keysetFrom = offset }
