package web

import (
	"errors"
	"net/http"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/i18n"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/password"
	"github.com/microblog/microblog/internal/password/strength"
	"github.com/microblog/microblog/internal/store"
)

func registerPage() formPage {
	return formPage{
		Heading: i18n.M("Register"),
		Fields: []*field{
			{Name: "username", Label: i18n.M("Username"), Type: "text", Max: 64, Required: true, Autofocus: true},
			{Name: "email", Label: i18n.M("Email"), Type: "email", Max: 120, Required: true},
			{Name: "password", Label: i18n.M("Password"), Type: "password", Max: strength.MaxLength, Required: true},
			{Name: "password2", Label: i18n.M("Repeat Password"), Type: "password", Max: strength.MaxLength, Required: true},
		},
		Submit: i18n.M("Register"),
	}
}

func (a *App) registerForm(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "form", i18n.M("Register"), registerPage())
}

func (a *App) register(w http.ResponseWriter, r *http.Request) {
	page := registerPage()
	username, email, pw, pw2 := page.Fields[0], page.Fields[1], page.Fields[2], page.Fields[3]
	username.Value, email.Value = value(r, "username"), value(r, "email")
	pw.Value, pw2.Value = r.PostFormValue("password"), r.PostFormValue("password2")
	if !a.allow(w, r, page, i18n.M("Register"), "register-ip:"+clientIP(r), registerPerIP, registerWindow) {
		return
	}
	ctx := r.Context()
	s := dbSession(r)
	if required(username) && maxLen(username, 64) {
		if err := checkNewUsername(ctx, s, username, nil); err != nil {
			a.serverError(w, r, err)
			return
		}
	}
	if required(email) && maxLen(email, 120) && validEmail(email) {
		if _, err := store.UserByEmail(ctx, s, email.Value); err == nil {
			email.Error = i18n.M("Please use a different email address.")
		} else if !errors.Is(err, store.ErrNoUser) {
			a.serverError(w, r, err)
			return
		}
	}
	if required(pw) {
		if err := a.passwords.Check(pw.Value, username.Value, email.Value); err != nil {
			pw.failWith(err)
		}
	}
	if required(pw2) && pw.Value != pw2.Value {
		pw2.Error = i18n.M("Field must be equal to password.")
	}
	for _, f := range page.Fields {
		if f.Error != "" {
			a.render(w, r, http.StatusOK, "form", i18n.M("Register"), page)
			return
		}
	}
	// Hashed through the App's Hasher, so registrations share the bound on concurrent
	// argon2 work with sign-ins.
	hash, err := a.hasher.Hash(ctx, pw.Value)
	if errors.Is(err, password.ErrBusy) {
		a.busy(w, r, page, i18n.M("Register"))
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	u := &models.User{Username: username.Value, Email: email.Value, PasswordHash: &hash}
	s.Add(u)
	if err := s.Commit(ctx); err != nil {
		if database.IsUnique(err) { // taken between the check and the insert
			s.Rollback(ctx)
			username.Error = i18n.M("Please use a different username.")
			a.render(w, r, http.StatusOK, "form", i18n.M("Register"), page)
			return
		}
		a.serverError(w, r, err)
		return
	}
	a.flash(r, a.T(r, "Congratulations, you are now a registered user!"))
	http.Redirect(w, r, "/auth/login", http.StatusFound)
}
