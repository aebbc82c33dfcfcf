package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/microblog/microblog/internal/i18n"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/password"
	"github.com/microblog/microblog/internal/store"
)

func loginPage(username string) formPage {
	return formPage{
		Heading: i18n.M("Sign In"),
		Fields: []*field{
			{Name: "username", Label: i18n.M("Username"), Type: "text", Value: username, Required: true, Autofocus: true},
			{Name: "password", Label: i18n.M("Password"), Type: "password", Required: true},
			{Name: "remember_me", Label: i18n.M("Remember Me"), Type: "checkbox"},
		},
		Submit: i18n.M("Sign In"),
		Links: []link{
			{Before: i18n.M("New User?"), URL: "/auth/register", Text: i18n.M("Click to Register!")},
			{Before: i18n.M("Forgot Your Password?"), URL: "/auth/reset_password_request", Text: i18n.M("Click to Reset It")},
		},
	}
}

func (a *App) loginForm(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "form", i18n.M("Sign In"), loginPage(""))
}

func (a *App) login(w http.ResponseWriter, r *http.Request) {
	page := loginPage(value(r, "username"))
	page.Fields[1].Value = r.PostFormValue("password")
	if !required(page.Fields[0]) || !plainText(page.Fields[0], false) || !required(page.Fields[1]) {
		a.render(w, r, http.StatusOK, "form", i18n.M("Sign In"), page)
		return
	}
	ctx := r.Context()
	name, plain := page.Fields[0].Value, page.Fields[1].Value
	now := time.Now().UTC()
	at, err := a.countSignin(ctx, clientIP(r), name, now)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if at.refused != "" {
		a.tooMany(w, r, page, i18n.M("Sign In"), at.refused, at.wait)
		return
	}
	if at.delay > 0 {
		if err := a.sleep(ctx, at.delay); err != nil {
			return // the client went away
		}
	}
	s := dbSession(r)
	u, err := store.UserByUsername(ctx, s, name)
	if err != nil && !errors.Is(err, store.ErrNoUser) {
		a.serverError(w, r, err)
		return
	}
	ok, err := a.checkPassword(ctx, u, plain)
	switch {
	case errors.Is(err, password.ErrBusy):
		a.refundSignin(ctx, r, at, now) // never checked: not a failure
		a.busy(w, r, page, i18n.M("Sign In"))
		return
	case ctx.Err() != nil:
		return // the client went away while its check was queued
	case err != nil:
		a.serverError(w, r, err)
		return
	case !ok || u.Disabled():
		// A disabled account gets the wrong password's answer, after the same password
		// check, and counts as a failed sign-in: the page tells a guesser nothing about
		// the account (docs/users.md).
		a.flash(r, a.T(r, "Invalid username or password"))
		http.Redirect(w, r, "/auth/login", http.StatusFound)
		return
	}
	a.refundSignin(ctx, r, at, now)
	// checkPassword may have replaced a Werkzeug hash with an argon2id one.
	if err := s.Commit(ctx); err != nil {
		a.serverError(w, r, err)
		return
	}
	// A new session id at login, so that a session fixed before login is worthless.
	if err := a.sessions.RenewToken(ctx); err != nil {
		a.serverError(w, r, err)
		return
	}
	a.sessions.Put(ctx, "user_id", u.ID)
	a.bindSession(ctx, u)
	a.sessions.RememberMe(ctx, r.PostFormValue("remember_me") != "")
	next := r.URL.Query().Get("next")
	if !localPath(next) {
		next = "/index"
	}
	http.Redirect(w, r, next, http.StatusFound)
}

// checkPassword reports whether plain is u's password, through the App's bounded
// hasher. An unknown user, or one without a password, costs one verification as well
// (against a stand-in hash), so that the response time does not tell which names exist.
// A Werkzeug hash, or a weaker argon2id one, is replaced by a new hash (the caller
// commits it); a stored hash that cannot be read never matches and is logged.
func (a *App) checkPassword(ctx context.Context, u *models.User, plain string) (bool, error) {
	if u == nil || u.PasswordHash == nil {
		return false, a.hasher.VerifyAbsent(ctx, plain)
	}
	ok, rehash, err := a.hasher.Verify(ctx, *u.PasswordHash, plain)
	if errors.Is(err, password.ErrMalformed) {
		a.log.Error("unreadable password hash", "user_id", u.ID, "err", err)
		return false, nil
	}
	if err != nil || !ok {
		return false, err
	}
	if rehash {
		if h, err := a.hasher.Hash(ctx, plain); err == nil {
			u.PasswordHash = &h
		}
	}
	return true, nil
}
