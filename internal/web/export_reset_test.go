package web

import "time"

// SetResetClock makes a's password-reset tokens read the time from now, so that tests
// can see a token expire without waiting for it.
func SetResetClock(a *App, now func() time.Time) { a.resets.now = now }
