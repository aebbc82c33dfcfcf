package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/password"
)

// confirmPassword checks that plain is the signed-in user me's password before a
// sensitive change (a new password, deleting the account). The check is a sign-in
// attempt on the account as far as the sign-in policy goes (ratelimit.go): counted,
// delayed and refused as one, and taken back when it succeeds, so that a session left
// open is no way around the limits. It is made on a copy of me: checkPassword may
// rehash a Werkzeug hash into the user it is given, which must not be written over a
// new hash or into a row being deleted.
//
// When answered is true the request has been answered (429, busy, 500) or the client
// went away; otherwise ok tells whether the password is right, and the caller answers.
func (a *App) confirmPassword(w http.ResponseWriter, r *http.Request, me *models.User, plain string, page formPage, title string) (ok, answered bool) {
	ctx := r.Context()
	now := time.Now().UTC()
	at, err := a.countSignin(ctx, clientIP(r), me.Username, now)
	if err != nil {
		a.serverError(w, r, err)
		return false, true
	}
	if at.refused != "" {
		a.tooMany(w, r, page, title, at.refused, at.wait)
		return false, true
	}
	if at.delay > 0 {
		if err := a.sleep(ctx, at.delay); err != nil {
			return false, true // the client went away
		}
	}
	checked := *me
	ok, err = a.checkPassword(ctx, &checked, plain)
	switch {
	case errors.Is(err, password.ErrBusy):
		a.refundSignin(ctx, r, at, now) // never checked: not a failure
		a.busy(w, r, page, title)
		return false, true
	case ctx.Err() != nil:
		return false, true // the client went away while its check was queued
	case err != nil:
		a.serverError(w, r, err)
		return false, true
	case ok:
		a.refundSignin(ctx, r, at, now)
	}
	return ok, false
}
