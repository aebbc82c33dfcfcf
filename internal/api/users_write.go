package api

import (
	"errors"
	"net/http"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/password"
	"github.com/microblog/microblog/internal/store"
	"github.com/microblog/microblog/internal/username"
)

// The tutorial's messages, kept word for word.
const (
	msgMissingFields = "must include username, email and password fields"
	msgUsernameTaken = "please use a different username"
	msgEmailTaken    = "please use a different email address"
)

// createUser is POST /api/users: a new account, no authentication. The body is checked
// with the registration form's rules (username rule, e-mail format, password policy,
// lengths), and registrations count against the same per-address limit as the form's.
func (a *API) createUser(w http.ResponseWriter, r *http.Request) {
	obj, ok := jsonObject(w, r)
	if !ok {
		return
	}
	if !a.allow(w, r, registerKeyPrefix+a.ClientIP(r), a.Limits.RegistrationsPerAddress, a.Limits.RegistrationWindow) {
		return
	}
	_, hasName := obj["username"]
	_, hasEmail := obj["email"]
	_, hasPassword := obj["password"]
	if !hasName || !hasEmail || !hasPassword {
		badRequest(w, msgMissingFields)
		return
	}
	name, _, ok1 := stringField(w, obj, "username", false)
	if !ok1 {
		return
	}
	email, _, ok2 := stringField(w, obj, "email", false)
	if !ok2 {
		return
	}
	pw, _, ok3 := stringField(w, obj, "password", false)
	if !ok3 {
		return
	}
	about, _, ok4 := stringField(w, obj, "about_me", true)
	if !ok4 {
		return
	}
	ctx, s := r.Context(), session(r)
	u := &models.User{}
	if !a.setUsername(w, r, u, trimmed(*name), nil) || !a.setEmail(w, r, u, trimmed(*email), nil) {
		return
	}
	if err := a.Passwords.Check(*pw, u.Username, u.Email); err != nil {
		badRequest(w, "password: "+err.Error())
		return
	}
	if !setAboutMe(w, u, about) {
		return
	}
	hash, err := a.Hasher.Hash(ctx, *pw)
	if errors.Is(err, password.ErrBusy) {
		Busy(w)
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	u.PasswordHash = &hash
	s.Add(u)
	if !a.commitUser(w, r) {
		return
	}
	d, err := a.userDict(ctx, s, u, nil)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	w.Header().Set("Location", userPath(u.ID))
	writeJSON(w, http.StatusCreated, d)
}

// updateUser is PUT /api/users/<id>: the caller changes its own username, email or
// about_me (password is ignored, as in the tutorial). Another user's id is a 403,
// whether or not that user exists (the tutorial checks this first).
func (a *API) updateUser(w http.ResponseWriter, r *http.Request) {
	me := caller(r)
	if me.ID != pathID(r) {
		writeError(w, http.StatusForbidden, "")
		return
	}
	obj, ok := jsonObject(w, r)
	if !ok {
		return
	}
	name, hasName, ok1 := stringField(w, obj, "username", false)
	if !ok1 {
		return
	}
	email, hasEmail, ok2 := stringField(w, obj, "email", false)
	if !ok2 {
		return
	}
	about, hasAbout, ok3 := stringField(w, obj, "about_me", true)
	if !ok3 {
		return
	}
	// An unchanged value is kept even if it predates today's rules, as the forms keep it.
	if hasName && trimmed(*name) != me.Username && !a.setUsername(w, r, me, trimmed(*name), me) {
		return
	}
	if hasEmail && trimmed(*email) != me.Email && !a.setEmail(w, r, me, trimmed(*email), me) {
		return
	}
	if hasAbout && !setAboutMe(w, me, about) {
		return
	}
	if !a.commitUser(w, r) {
		return
	}
	d, err := a.userDict(r.Context(), session(r), me, me)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// setUsername gives u the name if the username rule takes it and nobody else has it or
// a look-alike of it (me: the user renaming itself, nil for a new user).
func (a *API) setUsername(w http.ResponseWriter, r *http.Request, u *models.User, name string, me *models.User) bool {
	checked, err := username.Check(name)
	if err != nil {
		if username.IsInvalid(err) {
			badRequest(w, "username: "+err.Error())
			return false
		}
		a.serverError(w, r, err)
		return false
	}
	taken, err := store.UsernameTaken(r.Context(), session(r), checked, me)
	if err != nil {
		a.serverError(w, r, err)
		return false
	}
	if taken {
		badRequest(w, msgUsernameTaken)
		return false
	}
	store.Rename(u, checked)
	return true
}

// setEmail gives u the address if it is well formed and no other user has it, in any case.
func (a *API) setEmail(w http.ResponseWriter, r *http.Request, u *models.User, email string, me *models.User) bool {
	if err := checkEmail(email); err != nil {
		badRequest(w, err.Error())
		return false
	}
	other, err := store.UserByEmail(r.Context(), session(r), email)
	if err != nil && !errors.Is(err, store.ErrNoUser) {
		a.serverError(w, r, err)
		return false
	}
	if other != nil && (me == nil || other.ID != me.ID) {
		badRequest(w, msgEmailTaken)
		return false
	}
	u.Email = email
	return true
}

// setAboutMe sets about_me: a string (trimmed; empty clears it) or null.
func setAboutMe(w http.ResponseWriter, u *models.User, about *string) bool {
	if about == nil {
		u.AboutMe = nil
		return true
	}
	v := trimmed(*about)
	if err := checkAboutMe(v); err != nil {
		badRequest(w, err.Error())
		return false
	}
	if v == "" {
		u.AboutMe = nil
	} else {
		u.AboutMe = &v
	}
	return true
}

// commitUser commits the request's session; a unique violation means another request
// took the name or address between the check and the write: the tutorial's 400.
func (a *API) commitUser(w http.ResponseWriter, r *http.Request) bool {
	s := session(r)
	err := s.Commit(r.Context())
	if err == nil {
		return true
	}
	if database.IsUnique(err) {
		s.Rollback(r.Context())
		badRequest(w, msgUsernameTaken)
		return false
	}
	a.serverError(w, r, err)
	return false
}
