// Package web is microblog's web application: the route table, middleware, one handler
// per file, html/template pages and the embedded static files.
package web

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/klauspost/compress/gzip"

	"github.com/microblog/microblog/internal/api"
	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/i18n"
	"github.com/microblog/microblog/internal/jobs"
	"github.com/microblog/microblog/internal/langdetect"
	"github.com/microblog/microblog/internal/mail"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/password"
	"github.com/microblog/microblog/internal/password/strength"
	"github.com/microblog/microblog/internal/store"
	"github.com/microblog/microblog/internal/translate"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// templateFuncs are the helpers every template may call.
var templateFuncs = template.FuncMap{
	// userURL is the escaped path of a user's page: {{userURL "/user/" .Username}}.
	"userURL": userPath,
	// readBy pairs a post with the reader's language, for its Translate link:
	// {{template "post" (readBy . $.Lang)}}.
	"readBy": readBy,
	// postFor pairs a post with the page's view: its reader's language, and a Delete
	// button when the reader wrote it: {{template "post" (postFor . $)}}.
	"postFor": postFor,
}

// App is the web application and everything its handlers share.
type App struct {
	db       *database.DB
	cfg      *config.Config
	log      *slog.Logger
	sessions *scs.SessionManager
	store    *SessionStore
	// pages are the page templates by language code, then page name.
	pages map[string]map[string]*template.Template
	// catalogs are the translations; matcher picks a language from Accept-Language.
	catalogs *i18n.Catalogs
	matcher  *i18n.Matcher
	// languages are the languages served (LANGUAGES), the first the fallback.
	languages []i18n.Language
	mailer    *mail.Sender
	// passwords is the rule for new passwords.
	passwords strength.Policy
	// errorMails throttles error e-mails to ADMINS; nil without a mail server.
	errorMails *errorMails
	// hasher bounds the password checks running at once (the others queue).
	hasher *password.Hasher
	// sleep waits out sign-in delays; tests replace it to see the delays asked for.
	sleep func(context.Context, time.Duration) error
	// signin holds the sign-in policy's numbers.
	signin signinLimits
	// queue runs background jobs: e-mails, exports.
	queue jobs.Queue
	// outage turns requests failing while the database is unreachable into 503s,
	// logged once per outage.
	outage *outage
	// resets issues and checks password-reset tokens.
	resets *resetTokens
	// binding ties signed-in sessions to the password they signed in with.
	binding *passwordBinding
	// mails are the e-mail templates.
	mails *mail.Templates
	// hub feeds the notification streams (notify_hub.go).
	hub *hub
	// messageLimit is how many messages one user may send in messageWindow.
	messageLimit int
	// streamHeartbeat is how often an idle notification stream sends a heartbeat.
	streamHeartbeat time.Duration
	// detector detects the language of new posts.
	detector *langdetect.Detector
	// translator translates posts for the Translate link, through a cache.
	translator translate.Translator
	// translateLimit is how many translations one user may ask for in translateWindow.
	translateLimit int
	// api serves the REST API under /api/ (package api).
	api http.Handler
	// assets serves the static files under plain and content-hashed names.
	assets *staticAssets
	// gzip holds the writers that compress pages and API answers (compress.go).
	gzip *gzipPool
	// pageCache remembers rendered pages, compressed (page_cache.go).
	pageCache *pageCache
	// frontCache answers repeated pages while the database is unchanged (front_cache.go).
	frontCache *frontCache
	// reads is the admission queue of page and API reads (admission.go).
	reads *admission
	// keysetFrom is the offset from which post listings link their pages by keyset
	// (pages_keyset.go).
	keysetFrom int
}

// New builds the application; its background jobs go to q.
func New(db *database.DB, cfg *config.Config, log *slog.Logger, q jobs.Queue) (*App, error) {
	a := &App{db: db, cfg: cfg, log: log, queue: q, store: NewSessionStore(db), mailer: mail.New(cfg),
		passwords: strength.Policy{MinLength: cfg.PasswordMinLength}, signin: defaultSigninLimits()}
	a.hasher, a.sleep = password.NewHasher(password.DefaultConcurrency(), passwordQueueWait), sleepContext
	a.outage = newOutage(log, db)
	a.detector = langdetect.New()
	a.translator = translate.NewCache(translate.New(cfg), translationCacheEntries, translationCacheBytes)
	a.translateLimit = translationsPerUser
	a.hub, a.messageLimit, a.streamHeartbeat = newHub(db, log), messagesPerSender, streamHeartbeat
	var err error
	if a.resets, err = newResetTokens(cfg.SecretKey); err != nil {
		return nil, err
	}
	if a.binding, err = newPasswordBinding(cfg.SecretKey); err != nil {
		return nil, err
	}
	if a.catalogs, err = i18n.Load(); err != nil {
		return nil, err
	}
	if a.languages, err = servedLanguages(cfg.Languages); err != nil {
		return nil, err
	}
	a.matcher = i18n.NewMatcher(a.languages...)
	if a.mails, err = mail.ParseTemplates(emailFS, "templates/email/*", a.catalogs); err != nil {
		return nil, err
	}
	a.gzip = newGzipPool(gzip.BestSpeed)
	a.reads = newAdmission(cfg.MaxActiveReads, cfg.ReadQueueTimeout)
	// Keep as many idle connections as the reads admitted at once can use (a read may
	// hold two: its queries and the session's), so that the pool does not close and
	// reopen them under load — database/sql keeps 2 by default, and a new SQLite
	// connection starts with an empty page cache and parses the schema again.
	db.SQL.SetMaxIdleConns(2*a.reads.size() + 2)
	if a.assets, err = newStaticAssets(staticFiles()); err != nil {
		return nil, err
	}
	a.pageCache = newPageCache(pageCacheBytes)
	a.frontCache = newFrontCache(frontCacheBytes)
	a.keysetFrom = store.TimelineDepth
	if a.pages, err = parsePages(a.catalogs, cfg.Avatars, a.assets, newPostFragments(postFragmentBytes)); err != nil {
		return nil, err
	}
	sm := scs.New()
	sm.Store = a.store
	// The absolute limit of every session, counted from sign-in; "Remember Me" sessions
	// last exactly this long. The idle timeout of the others is applied by loadAndSave
	// (scs's own IdleTimeout would rewrite the session row at every request).
	sm.Lifetime = cfg.RememberCookieDuration
	sm.Cookie.Name = "microblog_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = cfg.SessionCookieSecure
	sm.Cookie.Persist = false // a browser-session cookie unless the user ticks "Remember Me"
	a.sessions = sm
	if a.api, err = a.newAPI(api.Limits{}); err != nil {
		return nil, err
	}
	if a.mailer.Configured() && len(cfg.Admins) > 0 {
		a.errorMails = newErrorMails(a.mailer, cfg.Admins, log)
		a.errorMails.enqueue = a.enqueueMail
	}
	return a, nil
}

// SweepSessions deletes expired sessions, expired API tokens, stale rate-limit counts and
// expired materialized timelines every interval until ctx ends.
func (a *App) SweepSessions(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := a.store.DeleteExpired(ctx); err != nil {
				a.log.Error("sweep sessions", "err", err)
			} else if n > 0 {
				a.log.Info("swept expired sessions", "count", n)
			}
			if n, err := store.DeleteExpiredAPITokens(ctx, a.db, time.Now().UTC()); err != nil {
				a.log.Error("sweep API tokens", "err", err)
			} else if n > 0 {
				a.log.Info("swept expired API tokens", "count", n)
			}
			// Rate-limit counts outlive their window by a day at most.
			if n, err := store.DeleteStaleRateLimits(ctx, a.db, time.Now().UTC().Add(-maxLimitWindow-24*time.Hour)); err != nil {
				a.log.Error("sweep rate limits", "err", err)
			} else if n > 0 {
				a.log.Info("swept stale rate-limit counts", "count", n)
			}
			if n, err := store.DeleteExpiredTimelines(ctx, a.db, time.Now()); err != nil {
				a.log.Error("sweep timelines", "err", err)
			} else if n > 0 {
				a.log.Info("swept expired timelines", "count", n)
			}
		}
	}
}

// CloseStreams ends every open notification stream and refuses new ones. The server
// calls it when it shuts down: open streams would hold the graceful shutdown.
func (a *App) CloseStreams() { a.hub.close() }

// view is what every page template receives.
type view struct {
	// Title is a message id, translated when shown.
	Title string
	// Here is the page's path and query, where the language menu returns.
	Here string
	// Languages are the language menu's choices.
	Languages []i18n.Language
	Me        *models.User
	Flashes   []string
	Data      any
	// Unread is the signed-in user's unread message count, for the navbar's badge.
	Unread int
	// Tasks are the signed-in user's background tasks in progress, one alert each.
	Tasks []taskAlert
	// Lang is the reader's language, a code such as en or pt_BR; posts in another
	// language show a Translate link into it.
	Lang string
	// Query is the words searched for, shown again in the navbar's search box.
	Query string
}

// pageNames are the page templates, each parsed with base.html (user_popup is a
// fragment, executed as "popup" without the layout).
var pageNames = []string{"index", "user", "form", "error", "messages", "user_popup", "search"}

// parsePages parses every page once per language, with T and N bound to it and static
// naming the hashed URLs of assets.
func parsePages(c *i18n.Catalogs, avatars string, assets *staticAssets, fragments *postFragments) (map[string]map[string]*template.Template, error) {
	pages := map[string]map[string]*template.Template{}
	for _, l := range i18n.Languages() {
		pages[l.Code] = map[string]*template.Template{}
		for _, page := range pageNames {
			var t *template.Template
			// postHTML renders a post with this set's "post" template, through the cache
			// of rendered posts: {{postHTML (postFor . $)}}.
			postHTML := func(p postView) (template.HTML, error) { return fragments.render(t, l.Code, p) }
			t, err := template.New(page).Funcs(templateFuncs).Funcs(avatarFuncs(avatars)).Funcs(assets.funcs()).Funcs(pageFuncs(c.Localizer(l))).
				Funcs(template.FuncMap{"postHTML": postHTML}).
				ParseFS(templateFS, "templates/base.html", "templates/"+page+".html")
			if err != nil {
				return nil, fmt.Errorf("web: templates: %w", err)
			}
			pages[l.Code][page] = t
		}
	}
	return pages, nil
}

// render writes page with data, taking pending flashes from the session.
func (a *App) render(w http.ResponseWriter, r *http.Request, status int, page, title string, data any) {
	v := view{Title: title, Here: r.URL.RequestURI(), Languages: a.languages, Me: currentUser(r), Flashes: a.takeFlashes(r), Data: data,
		Lang: a.localizer(r).Lang.Code}
	if r.URL.Path == "/search" {
		v.Query = r.URL.Query().Get("q")
	}
	v.Unread, v.Tasks = a.userExtras(r, status)
	t := a.pages[a.localizer(r).Lang.Code][page]
	if key, ok := pageKey(r, status, page, v); ok {
		if gz, ok := a.pageCache.get(key); ok {
			if err := writePage(w, r, status, gz, nil, a.gzip); err == nil {
				frontPage(r, status, gz)
				return
			}
			// Nothing is written yet (the kept page would not open): rendered again.
		}
		plain, gz, kept, err := a.pageCache.render(status, key, a.gzip, func(b *bytes.Buffer) error { return t.ExecuteTemplate(b, "base", v) })
		if err == nil {
			writePage(w, r, status, gz, plain, a.gzip) // has plain: cannot fail
			if kept {
				frontPage(r, status, gz)
			}
			return
		}
		// Nothing is written yet: the page is rendered again the plain way, which logs.
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := t.ExecuteTemplate(w, "base", v); err != nil {
		a.log.Error("render", "page", page, "err", err, "request_id", requestID(r))
	}
}

func (a *App) flash(r *http.Request, msg string) {
	flashes, _ := a.sessions.Get(r.Context(), "flashes").([]string)
	a.sessions.Put(r.Context(), "flashes", append(flashes, msg))
}

// takeFlashes pops the pending flashes. Only requests that went through requestContext
// (which carries the request id) have a loaded session; the error page for a session that
// failed to load has no flashes to show.
func (a *App) takeFlashes(r *http.Request) []string {
	if requestID(r) == "" {
		return nil
	}
	flashes, _ := a.sessions.Pop(r.Context(), "flashes").([]string)
	return flashes
}

func (a *App) notFound(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusNotFound, "error", i18n.M("Not Found"), errorPage{Heading: i18n.M("Not Found")})
}

// serverError rolls the request's database session back, logs, and shows the 500 page,
// or the 503 page when the database cannot be reached.
func (a *App) serverError(w http.ResponseWriter, r *http.Request, err error) {
	if s := dbSession(r); s != nil {
		s.Rollback(context.WithoutCancel(r.Context()))
	}
	if database.IsUnavailable(err) {
		a.unavailable(w, r, err)
		return
	}
	if errors.Is(err, database.ErrInvalidText) {
		// Forms refuse such text with their own errors; this is the backstop for any
		// value that reached a query without a check: the user's mistake, not a failure.
		a.log.Info("refused text that cannot be stored unchanged", "err", err, "route", r.Pattern, "request_id", requestID(r))
		a.badRequest(w, r, i18n.M("The request holds characters that are not allowed."))
		return
	}
	a.log.Error("internal error", "err", err, "method", r.Method, "route", r.Pattern, "path", r.URL.Path, "request_id", requestID(r))
	a.mailError(err, r)
	a.internalErrorPage(w, r)
}

// internalErrorPage writes the 500 page.
func (a *App) internalErrorPage(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusInternalServerError, "error", i18n.M("Error"), errorPage{
		Heading: i18n.M("An unexpected error has occurred"),
		Lines:   []string{i18n.M("The administrator has been notified. Sorry for the inconvenience!")},
	})
}

type errorPage struct {
	Heading string
	Lines   []string
}

// staticFiles is the embedded static/ tree.
func staticFiles() fs.FS {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return sub
}

// mailError e-mails an internal error to the administrators when a mail server is set,
// as the tutorial's SMTPHandler does, throttled by errorMails; it never delays or fails
// the response.
func (a *App) mailError(err error, r *http.Request) {
	if a.errorMails == nil {
		return
	}
	body := fmt.Sprintf("Error: %v\nRequest: %s %s\nRoute: %s\nRequest id: %s\nTime: %s\n",
		err, r.Method, r.URL.Path, r.Pattern, requestID(r), time.Now().UTC().Format(time.RFC3339))
	a.errorMails.report(r.Pattern+" "+err.Error(), body)
}
