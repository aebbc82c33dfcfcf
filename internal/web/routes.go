package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/microblog/microblog/internal/i18n"
	"github.com/microblog/microblog/internal/metrics"
)

// Handler is the application's route table behind its middleware.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /static/", a.assets)
	mux.HandleFunc("GET /favicon.ico", serveFavicon)
	mux.HandleFunc("GET /avatar/{hash}/{size}", serveAvatar) // local avatars: no session, no database
	// A stream outlives the page middleware's buffering and database session; it reads
	// the session itself (notificationStream).
	mux.HandleFunc("GET /notifications/stream", a.notificationStream)
	// The REST API authenticates by bearer token and never reads the session cookie, so
	// it stays outside the session, CSRF and form middleware (package api).
	mux.Handle("/api/", a.admit(compress(a.gzip, a.api), apiBusy))

	app := http.NewServeMux()
	app.HandleFunc("GET /{$}", a.loginRequired(a.index))
	app.HandleFunc("GET /index", a.loginRequired(a.index))
	app.HandleFunc("POST /{$}", a.loginRequired(a.createPost))
	app.HandleFunc("POST /index", a.loginRequired(a.createPost))
	app.HandleFunc("GET /explore", a.loginRequired(a.explore))
	app.HandleFunc("GET /search", a.loginRequired(a.search))
	app.HandleFunc("GET /user/{username}", a.loginRequired(a.userProfile))
	app.HandleFunc("GET /user/{username}/popup", a.loginRequired(a.userPopup))
	app.HandleFunc("GET /edit_profile", a.loginRequired(a.editProfileForm))
	app.HandleFunc("POST /edit_profile", a.loginRequired(a.editProfile))
	app.HandleFunc("GET /delete_account", a.loginRequired(a.deleteAccountForm))
	app.HandleFunc("POST /delete_account", a.loginRequired(a.deleteAccount))
	app.HandleFunc("POST /post/{id}/delete", a.loginRequired(a.deletePost))
	app.HandleFunc("GET /change_password", a.loginRequired(a.changePasswordForm))
	app.HandleFunc("POST /change_password", a.loginRequired(a.changePassword))
	app.HandleFunc("POST /follow/{username}", a.loginRequired(a.follow))
	app.HandleFunc("POST /unfollow/{username}", a.loginRequired(a.unfollow))
	app.HandleFunc("GET /send_message/{recipient}", a.loginRequired(a.sendMessageForm))
	app.HandleFunc("POST /send_message/{recipient}", a.loginRequired(a.sendMessage))
	app.HandleFunc("GET /messages", a.loginRequired(a.messages))
	app.HandleFunc("GET /messages/sent", a.loginRequired(a.sentMessages))
	app.HandleFunc("GET /notifications", a.apiLoginRequired(a.notifications))
	app.HandleFunc("POST /export_posts", a.loginRequired(a.exportPosts))
	app.HandleFunc("POST /translate", a.apiLoginRequired(a.translateText))
	app.HandleFunc("GET /auth/login", a.anonymousOnly(a.loginForm))
	app.HandleFunc("POST /auth/login", a.anonymousOnly(a.login))
	app.HandleFunc("POST /auth/logout", a.logout)
	app.HandleFunc("GET /auth/register", a.anonymousOnly(a.registerForm))
	app.HandleFunc("POST /auth/register", a.anonymousOnly(a.register))
	app.HandleFunc("GET /auth/reset_password_request", a.anonymousOnly(a.resetRequestForm))
	app.HandleFunc("POST /auth/reset_password_request", a.anonymousOnly(a.resetRequest))
	app.HandleFunc("GET /auth/reset_password/{token}", a.anonymousOnly(a.resetPasswordForm))
	app.HandleFunc("POST /auth/reset_password/{token}", a.anonymousOnly(a.resetPassword))
	app.HandleFunc("POST /language", a.setLanguage)
	app.HandleFunc("/", a.notFound)

	// Cross-origin form posts are refused (Go's Sec-Fetch-Site / Origin check), so the
	// forms need no CSRF tokens.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(a.crossOrigin))
	// metrics.Routed passes each mux's pattern out to the metrics (when they are on).
	protected := cop.Handler(a.loadAndSave(a.requestContext(a.language(a.checkInput(metrics.Routed(app))))))
	// The front cache answers a repeated page before admission: it reads nothing.
	mux.Handle("/", a.front(a.admit(compress(a.gzip, protected), pageBusy)))
	return securityHeaders(a.cfg.Avatars, a.arrive(metrics.Routed(mux)))
}

// crossOrigin answers a form post refused as cross-origin: the 403 page, in the
// browser's language (the session is not read for a refused request).
func (a *App) crossOrigin(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusForbidden, "error", i18n.M("Forbidden"), errorPage{Heading: i18n.M("Forbidden"),
		Lines: []string{i18n.M("The form was sent from another site, so it was refused. Go back to the page and send it again.")}})
}

// localPath accepts only a path on this site for the post-login redirect: it must start
// with one "/" (not "//" or "/\", which browsers treat as another host) and carry no
// scheme or host.
func localPath(next string) bool {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return false
	}
	u, err := url.Parse(next)
	return err == nil && u.Scheme == "" && u.Host == "" && !strings.ContainsAny(next, "\r\n\t")
}
