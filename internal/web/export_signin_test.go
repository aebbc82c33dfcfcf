package web

import (
	"context"
	"sync"
	"time"

	"github.com/microblog/microblog/internal/password"
)

// Exported for the tests of package web_test only.

// Delays records the sign-in delays an App asked for, instead of sleeping them.
type Delays struct {
	mu sync.Mutex
	d  []time.Duration
}

// Take returns the delays asked for since the last Take.
func (l *Delays) Take() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	d := l.d
	l.d = nil
	return d
}

// RecordSigninDelays makes a record the delays it asks for instead of waiting them.
func (a *App) RecordSigninDelays() *Delays {
	l := &Delays{}
	a.sleep = func(_ context.Context, d time.Duration) error {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.d = append(l.d, d)
		return nil
	}
	return l
}

// SetHasher replaces a's password hasher.
func (a *App) SetHasher(h *password.Hasher) { a.hasher = h }

// SetSigninLimits replaces the sign-in policy's numbers (smaller ones keep the tests'
// password checks few); the delay's bound stays SigninMaxDelay.
func (a *App) SetSigninLimits(perAddress, perPair, slowAfter int, slowStep time.Duration) {
	a.signin = signinLimits{perAddress, perPair, slowAfter, slowStep, signinMaxDelay}
}

// The sign-in policy's defaults.
const (
	SigninPerAddress = signinPerAddress
	SigninPerPair    = signinPerPair
	SigninSlowAfter  = signinSlowAfter
	SigninSlowStep   = signinSlowStep
	SigninMaxDelay   = signinMaxDelay
	BusyMessage      = busyMessage
)

// SigninDelay is the delay of an attempt after failures, under the default policy.
func SigninDelay(failures int) time.Duration {
	return defaultSigninLimits().delay(failures)
}
