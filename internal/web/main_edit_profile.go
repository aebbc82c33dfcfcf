package web

import (
	"net/http"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/i18n"
	"github.com/microblog/microblog/internal/store"
)

func editProfilePage(username, about string) formPage {
	return formPage{
		Heading: i18n.M("Edit Profile"),
		Fields: []*field{
			{Name: "username", Label: i18n.M("Username"), Type: "text", Value: username, Max: 64, Required: true, Autofocus: true},
			{Name: "about_me", Label: i18n.M("About me"), Type: "textarea", Value: about, Max: 140},
		},
		Submit: i18n.M("Submit"),
		Links: []link{{URL: "/change_password", Text: i18n.M("Change your password")},
			{Before: i18n.M("Leaving Microblog?"), URL: "/delete_account", Text: i18n.M("Delete your account")}},
	}
}

func (a *App) editProfileForm(w http.ResponseWriter, r *http.Request) {
	me := currentUser(r)
	about := ""
	if me.AboutMe != nil {
		about = *me.AboutMe
	}
	a.render(w, r, http.StatusOK, "form", i18n.M("Edit Profile"), editProfilePage(me.Username, about))
}

func (a *App) editProfile(w http.ResponseWriter, r *http.Request) {
	ctx, s, me := r.Context(), dbSession(r), currentUser(r)
	page := editProfilePage(value(r, "username"), value(r, "about_me"))
	username, about := page.Fields[0], page.Fields[1]
	// An unchanged name is kept even if it predates the username rule.
	if required(username) && maxLen(username, 64) && username.Value != me.Username {
		if err := checkNewUsername(ctx, s, username, me); err != nil {
			a.serverError(w, r, err)
			return
		}
	}
	if plainText(about, true) && !maxLen(about, 140) {
		about.Error = i18n.M("Field must be between 0 and 140 characters long.")
	}
	if username.Error != "" || about.Error != "" {
		a.render(w, r, http.StatusOK, "form", i18n.M("Edit Profile"), page)
		return
	}
	if username.Value != me.Username {
		store.Rename(me, username.Value)
	}
	if about.Value == "" {
		me.AboutMe = nil
	} else {
		me.AboutMe = &about.Value
	}
	if err := s.Commit(ctx); err != nil {
		if database.IsUnique(err) {
			s.Rollback(ctx)
			username.Error = i18n.M("Please use a different username.")
			a.render(w, r, http.StatusOK, "form", i18n.M("Edit Profile"), page)
			return
		}
		a.serverError(w, r, err)
		return
	}
	a.flash(r, a.T(r, "Your changes have been saved."))
	http.Redirect(w, r, "/edit_profile", http.StatusFound)
}
