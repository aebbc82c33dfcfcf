package web

import (
	"fmt"
	"net/http"

	"github.com/microblog/microblog/internal/api"
	"github.com/microblog/microblog/internal/models"
)

// newAPI builds the REST API (package api) with the App's shared parts: the password
// hasher and policy, the sign-in's password fingerprints (so a password change ends the
// user's API tokens as it ends its sessions), avatars, client addresses, language
// detection, the HTML error pages for browsers and the error e-mails.
func (a *App) newAPI(limits api.Limits) (http.Handler, error) {
	h, err := api.New(api.Options{
		Limits: limits,
		DB:     a.db, Log: a.log, Hasher: a.hasher, Passwords: a.passwords,
		Fingerprint: a.binding.fingerprint,
		Avatar:      a.avatarURL,
		ClientIP:    clientIP,
		Detect:      a.detector.Detect,
		ErrorPage:   a.apiErrorPage,
		ReportError: a.mailError,
	})
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	return h.Handler(), nil
}

// avatarURL is the user's avatar as the pages show it (AVATARS).
func (a *App) avatarURL(u *models.User, size int) string {
	if a.cfg.Avatars == avatarsLocal {
		return localAvatarURL(u, size)
	}
	return u.Avatar(size)
}

// apiErrorPage is the HTML 404 or 500 page for an API request from a client that
// prefers HTML (a browser), as the tutorial's app-wide handlers answer. The request
// carries no session: the page is drawn for an anonymous visitor.
func (a *App) apiErrorPage(w http.ResponseWriter, r *http.Request, status int) {
	if status == http.StatusNotFound {
		a.notFound(w, r)
		return
	}
	a.internalErrorPage(w, r)
}
