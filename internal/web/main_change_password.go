package web

import (
	"errors"
	"net/http"

	"github.com/microblog/microblog/internal/i18n"
	"github.com/microblog/microblog/internal/password"
	"github.com/microblog/microblog/internal/password/strength"
	"github.com/microblog/microblog/internal/store"
)

// changePasswordTitle is the page's title and heading, a message id.
const changePasswordTitle = "Change Password"

func changePasswordPage() formPage {
	return formPage{
		Heading: i18n.M("Change Password"),
		Fields: []*field{
			{Name: "current_password", Label: i18n.M("Current password"), Type: "password", Required: true, Autofocus: true, Autocomplete: "current-password"},
			{Name: "password", Label: i18n.M("New password"), Type: "password", Max: strength.MaxLength, Required: true, Autocomplete: "new-password"},
			{Name: "password2", Label: i18n.M("Repeat new password"), Type: "password", Max: strength.MaxLength, Required: true, Autocomplete: "new-password"},
		},
		Submit: i18n.M("Change Password"),
	}
}

func (a *App) changePasswordForm(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	a.render(w, r, http.StatusOK, "form", changePasswordTitle, changePasswordPage())
}

// changePassword sets a new password for the signed-in user, who must give the current
// one. That check counts as a sign-in attempt on the account, under the sign-in policy's
// limits and delays (ratelimit.go), so that a session left open is no way around them.
// On success every other session of the account is signed out, its notification
// streams included (session_password.go), and this one goes on under a new session id.
func (a *App) changePassword(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	ctx, s, me := r.Context(), dbSession(r), currentUser(r)
	page := changePasswordPage()
	current, pw, pw2 := page.Fields[0], page.Fields[1], page.Fields[2]
	current.Value, pw.Value, pw2.Value = r.PostFormValue("current_password"), r.PostFormValue("password"), r.PostFormValue("password2")
	required(current)
	if required(pw) {
		if err := a.passwords.Check(pw.Value, me.Username, me.Email); err != nil {
			pw.failWith(err)
		} else if pw.Value == current.Value {
			pw.Error = i18n.M("The new password must differ from the current one.")
		}
	}
	if required(pw2) && pw.Value != pw2.Value {
		pw2.Error = i18n.M("Field must be equal to password.")
	}
	if current.Error != "" || pw.Error != "" || pw2.Error != "" {
		a.render(w, r, http.StatusOK, "form", changePasswordTitle, page)
		return
	}

	ok, answered := a.confirmPassword(w, r, me, current.Value, page, changePasswordTitle)
	if answered {
		return
	}
	if !ok {
		a.log.Info("password change refused: wrong current password", "user_id", me.ID, "request_id", requestID(r))
		current.Error = i18n.M("Your current password is not correct.")
		a.render(w, r, http.StatusOK, "form", changePasswordTitle, page)
		return
	}

	hash, err := a.hasher.Hash(ctx, pw.Value)
	if errors.Is(err, password.ErrBusy) {
		a.busy(w, r, page, changePasswordTitle)
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	// Replaced only if it is still the hash just checked: a change or reset meanwhile
	// has already signed this session out.
	changed, err := store.ReplacePassword(ctx, s, me.ID, me.PasswordHash, hash)
	if err == nil {
		err = s.Commit(ctx)
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if !changed {
		a.log.Info("password change lost to a concurrent change", "user_id", me.ID, "request_id", requestID(r))
		http.Redirect(w, r, "/index", http.StatusFound)
		return
	}
	// A new session id for the new password, bound to it: this session stays signed in,
	// the others no longer match the account's password.
	if err := a.sessions.RenewToken(ctx); err != nil {
		a.serverError(w, r, err)
		return
	}
	updated := *me
	updated.PasswordHash = &hash
	a.bindSession(ctx, &updated)
	a.log.Info("password changed", "user_id", me.ID, "request_id", requestID(r))
	a.flash(r, a.T(r, "Your password has been changed."))
	http.Redirect(w, r, userPath("/user/", me.Username), http.StatusFound)
}
