package api

import (
	"cmp"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/password"
	"github.com/microblog/microblog/internal/password/strength"
)

// Options are what the API needs from the application that mounts it.
type Options struct {
	DB  *database.DB
	Log *slog.Logger
	// Hasher runs password checks and hashes, shared with the web sign-in so that both
	// are bounded together.
	Hasher *password.Hasher
	// Passwords is the rule for new passwords (the registration form's).
	Passwords strength.Policy
	// Fingerprint is the fingerprint of a user's password hash that signed-in web
	// sessions carry: a token issued under one fingerprint dies with it.
	Fingerprint func(*models.User) string
	// Avatar is the URL of a user's avatar at a size in pixels.
	Avatar func(u *models.User, size int) string
	// ClientIP is the client's address, for rate limits.
	ClientIP func(*http.Request) string
	// Detect detects the language of a new post ("" when unknown).
	Detect func(string) string
	// ErrorPage writes the site's HTML page for status (404 or 500), for clients that
	// prefer HTML (see wantsJSON).
	ErrorPage func(w http.ResponseWriter, r *http.Request, status int)
	// ReportError is told of every unexpected error (a 500), after it is logged: the
	// web app e-mails it to the administrators. May be nil.
	ReportError func(err error, r *http.Request)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// TokenLifetime is how long a token lives; 0 means an hour, the tutorial's.
	TokenLifetime time.Duration
	// Limits are the rate limits; zero fields take the defaults.
	Limits Limits
}

// Limits are the API's rate limits, each a number of attempts in a window.
type Limits struct {
	// TokensPerAddress bounds POST /api/tokens from one client address.
	TokensPerAddress int
	// TokensPerAccount bounds POST /api/tokens naming one account from one address.
	TokensPerAccount int
	// TokenWindow is the window of both token limits.
	TokenWindow time.Duration
	// RegistrationsPerAddress bounds POST /api/users from one address, counted together
	// with the web registration form (one key).
	RegistrationsPerAddress int
	// RegistrationWindow is its window.
	RegistrationWindow time.Duration
}

// Default limits.
const (
	defaultTokenLifetime    = time.Hour
	defaultTokensPerAddress = 30
	defaultTokensPerAccount = 10
	defaultTokenWindow      = 15 * time.Minute
	defaultRegistrations    = 10 // the web form's registerPerIP
	defaultRegisterWindow   = time.Hour
	// registerKeyPrefix is the web registration form's rate-limit key: the API and the
	// form share one budget per address.
	registerKeyPrefix = "register-ip:"
)

// API serves the REST API.
type API struct {
	Options
}

// New returns the API with o's dependencies, defaults filled in. DB, Log, Hasher and
// Fingerprint are required.
func New(o Options) (*API, error) {
	if o.DB == nil || o.Log == nil || o.Hasher == nil || o.Fingerprint == nil {
		return nil, errors.New("api: Options need DB, Log, Hasher and Fingerprint")
	}
	if o.Avatar == nil {
		o.Avatar = (*models.User).Avatar
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.TokenLifetime == 0 {
		o.TokenLifetime = defaultTokenLifetime
	}
	l := &o.Limits
	l.TokensPerAddress = cmp.Or(l.TokensPerAddress, defaultTokensPerAddress)
	l.TokensPerAccount = cmp.Or(l.TokensPerAccount, defaultTokensPerAccount)
	l.TokenWindow = cmp.Or(l.TokenWindow, defaultTokenWindow)
	l.RegistrationsPerAddress = cmp.Or(l.RegistrationsPerAddress, defaultRegistrations)
	l.RegistrationWindow = cmp.Or(l.RegistrationWindow, defaultRegisterWindow)
	if o.ClientIP == nil {
		o.ClientIP = func(r *http.Request) string {
			host, _, err := net.SplitHostPort(r.RemoteAddr)
			if err != nil {
				return r.RemoteAddr
			}
			return host
		}
	}
	if o.Detect == nil {
		o.Detect = func(string) string { return "" }
	}
	return &API{Options: o}, nil
}

// Handler is the API's route table, for paths under /api/.
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	// Ids are matched before anything else, as Flask's <int:id> converter does: a path
	// whose id is not an unsigned integer is a routing 404, before authentication.
	// Each path also has a handler without a method: the JSON 405 with its Allow header.
	mux.HandleFunc("POST /api/tokens", a.createToken)
	mux.HandleFunc("DELETE /api/tokens", a.tokenRequired(a.revokeToken))
	mux.HandleFunc("/api/tokens", methods("DELETE, POST"))

	mux.HandleFunc("GET /api/users", a.tokenRequired(a.listUsers))
	mux.HandleFunc("POST /api/users", a.createUser)
	mux.HandleFunc("/api/users", methods("GET, HEAD, POST"))
	mux.HandleFunc("GET /api/users/{id}", a.withID(a.tokenRequired(a.getUser)))
	mux.HandleFunc("PUT /api/users/{id}", a.withID(a.tokenRequired(a.updateUser)))
	mux.HandleFunc("/api/users/{id}", a.withID(methods("GET, HEAD, PUT")))
	mux.HandleFunc("GET /api/users/{id}/followers", a.withID(a.tokenRequired(a.listFollowers)))
	mux.HandleFunc("/api/users/{id}/followers", a.withID(methods("GET, HEAD")))
	mux.HandleFunc("GET /api/users/{id}/following", a.withID(a.tokenRequired(a.listFollowing)))
	mux.HandleFunc("/api/users/{id}/following", a.withID(methods("GET, HEAD")))
	mux.HandleFunc("GET /api/users/{id}/posts", a.withID(a.tokenRequired(a.listUserPosts)))
	mux.HandleFunc("/api/users/{id}/posts", a.withID(methods("GET, HEAD")))

	mux.HandleFunc("POST /api/posts", a.tokenRequired(a.createPost))
	mux.HandleFunc("/api/posts", methods("POST"))
	mux.HandleFunc("GET /api/posts/{id}", a.withID(a.tokenRequired(a.getPost)))
	mux.HandleFunc("DELETE /api/posts/{id}", a.withID(a.tokenRequired(a.deletePost)))
	mux.HandleFunc("/api/posts/{id}", a.withID(methods("DELETE, GET, HEAD")))
	mux.HandleFunc("GET /api/feed", a.tokenRequired(a.feed))
	mux.HandleFunc("/api/feed", methods("GET, HEAD"))

	mux.HandleFunc("GET /api/openapi.json", a.openAPI)
	mux.HandleFunc("/api/openapi.json", methods("GET, HEAD"))
	mux.HandleFunc("/api/", a.notFound)
	return a.scope(mux)
}
