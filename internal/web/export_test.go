package web

import "time"

// SetErrorMailWindow shortens the error e-mail window for tests.
func SetErrorMailWindow(a *App, d time.Duration) {
	if a.errorMails != nil {
		a.errorMails.window = d
	}
}

// SetTranslateLimit sets how many translations one user may ask for in the window.
func SetTranslateLimit(a *App, n int) { a.translateLimit = n }
