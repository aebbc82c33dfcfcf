package web

import (
	"errors"
	"net/http"

	"github.com/microblog/microblog/internal/store"
)

func loginPage(username string) formPage {
	return formPage{
		Heading: "Sign In",
		Fields: []*field{
			{Name: "username", Label: "Username", Type: "text", Value: username, Required: true, Autofocus: true},
			{Name: "password", Label: "Password", Type: "password", Required: true},
			{Name: "remember_me", Label: "Remember Me", Type: "checkbox"},
		},
		Submit: "Sign In",
		Links:  []link{{Before: "New User?", URL: "/auth/register", Text: "Click to Register!"}},
	}
}

func (a *App) loginForm(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "form", "Sign In", loginPage(""))
}

func (a *App) login(w http.ResponseWriter, r *http.Request) {
	page := loginPage(value(r, "username"))
	page.Fields[1].Value = r.PostFormValue("password")
	if !required(page.Fields[0]) || !required(page.Fields[1]) {
		a.render(w, r, http.StatusOK, "form", "Sign In", page)
		return
	}
	if !a.allow(w, r, page, "Sign In", loginWindow, map[string]int{
		"login-ip:" + clientIP(r):                       loginPerIP,
		accountKey("login-user:", page.Fields[0].Value): loginPerAccount,
	}) {
		return
	}
	ctx := r.Context()
	s := dbSession(r)
	u, err := store.UserByUsername(ctx, s, page.Fields[0].Value)
	if err != nil && !errors.Is(err, store.ErrNoUser) {
		a.serverError(w, r, err)
		return
	}
	if u == nil || !u.CheckPassword(page.Fields[1].Value) {
		a.flash(r, "Invalid username or password")
		http.Redirect(w, r, "/auth/login", http.StatusFound)
		return
	}
	// CheckPassword may have replaced a Werkzeug hash with an argon2id one.
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
	a.sessions.RememberMe(ctx, r.PostFormValue("remember_me") != "")
	next := r.URL.Query().Get("next")
	if !localPath(next) {
		next = "/index"
	}
	http.Redirect(w, r, next, http.StatusFound)
}
