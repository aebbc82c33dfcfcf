// Package config reads microblog's settings from environment variables, with the
// tutorial's names, and from an optional .env file, and validates them. Variables set in
// the environment win over the .env file, as with python-dotenv.
package config

import (
	"fmt"
	"net/mail"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Environments. Production refuses to start without a real SECRET_KEY.
const (
	Development = "development"
	Production  = "production"
	Testing     = "testing"
)

// DefaultSecretKey is the tutorial's development key; it is refused in production.
const DefaultSecretKey = "you-will-never-guess"

// Config is the validated configuration.
type Config struct {
	Env string // MICROBLOG_ENV: development (default), production or testing

	SecretKey   string // SECRET_KEY
	ServerName  string // SERVER_NAME
	DatabaseURL string // DATABASE_URL; empty means SQLite app.db
	LogToStdout bool   // LOG_TO_STDOUT
	// LogFormat (LOG_FORMAT: text, the default, or json): how log records are written;
	// json is one object per line (log/slog's JSONHandler) for log collectors.
	LogFormat string

	// Port (PORT, the PaaS convention; 0 when unset): `microblog run` without --addr
	// listens on every interface at this port instead of 127.0.0.1:5000.
	Port int
	// ShutdownTimeout (SHUTDOWN_TIMEOUT, a Go duration, default 25s): on SIGTERM or
	// SIGINT, how long requests in flight and running background jobs get to finish
	// before they are cut.
	ShutdownTimeout time.Duration
	// DatabaseWait (DATABASE_WAIT, a Go duration, default 60s; 0 to fail at once): how
	// long `run` and `worker` keep trying to reach a database server (and Redis) that is
	// still starting, as the tutorial's boot.sh does.
	DatabaseWait time.Duration
	// MaxActiveReads (MAX_ACTIVE_READS, default 0: four per CPU the process may use): how
	// many GET and HEAD requests of pages and of the API are served at once; more wait
	// their turn in arrival order. Reads are CPU and database work: running more of them
	// at once than the machine has cores for serves none sooner, holds a database
	// connection (and its cache) and a rendering's memory for each, and makes every
	// answer slower (docs/performance.md).
	MaxActiveReads int
	// ReadQueueTimeout (READ_QUEUE_TIMEOUT, a Go duration, default 10s): how long a read
	// waits for its turn before it is answered 503 with Retry-After.
	ReadQueueTimeout time.Duration

	MailServer   string // MAIL_SERVER; empty disables e-mail
	MailPort     int    // MAIL_PORT, default 25
	MailUseTLS   bool   // MAIL_USE_TLS
	MailUsername string // MAIL_USERNAME
	MailPassword string // MAIL_PASSWORD
	Admins       []string

	Languages       []string // LANGUAGES, default en,es,pt_BR
	PostsPerPage    int      // POSTS_PER_PAGE, default 25
	MSTranslatorKey string   // MS_TRANSLATOR_KEY: Microsoft Translator, chosen when set
	// MSTranslatorRegion (MS_TRANSLATOR_REGION, default westus, which the tutorial
	// hard-codes): the Azure region of the Translator resource.
	MSTranslatorRegion string
	// MSTranslatorEndpoint (MS_TRANSLATOR_ENDPOINT, default the global endpoint
	// https://api.cognitive.microsofttranslator.com): another endpoint, e.g. a regional one.
	MSTranslatorEndpoint string
	// LibreTranslateURL (LIBRETRANSLATE_URL, e.g. http://localhost:5000): a LibreTranslate
	// server, used when MS_TRANSLATOR_KEY is not set.
	LibreTranslateURL string
	// LibreTranslateKey (LIBRETRANSLATE_KEY): its API key, for servers that require one.
	LibreTranslateKey string

	// TrustedProxies (TRUSTED_PROXIES: comma-separated addresses or CIDR prefixes) are
	// the reverse proxies whose X-Forwarded-For and X-Forwarded-Proto headers are
	// believed; from any other peer those headers are ignored. Empty: believe no one.
	TrustedProxies []netip.Prefix
	// SessionCookieSecure (SESSION_COOKIE_SECURE, Flask's name) marks the session cookie
	// Secure, for sites served over HTTPS.
	SessionCookieSecure bool
	// SessionIdleTimeout (SESSION_IDLE_TIMEOUT, a Go duration, default 24h): a session
	// without "Remember Me" ends after this long without a request.
	SessionIdleTimeout time.Duration
	// RememberCookieDuration (REMEMBER_COOKIE_DURATION, Flask-Login's name, a Go
	// duration, default 720h = 30 days): how long a "Remember Me" sign-in lasts.
	RememberCookieDuration time.Duration
	// PasswordMinLength (PASSWORD_MIN_LENGTH, default 8): the shortest password accepted
	// for new passwords.
	PasswordMinLength int
	// Avatars (AVATARS: gravatar, the default, or local): where avatar images come from;
	// local ones are drawn by the app and need no network.
	Avatars string

	// RedisURL (REDIS_URL, e.g. redis://localhost:6379/0): when set, background jobs go
	// through Redis (asynq) whatever the database; MySQL/MariaDB always need it.
	RedisURL string
	// BaseURL (BASE_URL, e.g. https://microblog.example.com): the site's public address,
	// from which links in e-mails are built. Empty: https://SERVER_NAME when SERVER_NAME
	// is set, else (development and testing only) the address the request came to.
	BaseURL string
	// JobRescueAfter (JOB_RESCUE_AFTER, a Go duration, default 10m): a background job
	// whose worker died is tried again after this long on the River queue (SQLite,
	// PostgreSQL). It must be longer than any job runs.
	JobRescueAfter time.Duration
	// JobQueue (JOB_QUEUE, default microblog-tasks, the tutorial's): the queue's name.
	// Processes with the same database (and Redis) and queue name share their jobs; two
	// sites sharing one Redis server need different names.
	JobQueue string
	// MetricsAddr (METRICS_ADDR, e.g. 127.0.0.1:9100): a separate address on which
	// `microblog run` and `microblog worker` serve Prometheus metrics at /metrics.
	MetricsAddr string
	// MetricsToken (METRICS_TOKEN, 32 characters or more): a bearer token the metrics
	// require; without METRICS_ADDR they are then served at /metrics on the site's own
	// address. Neither set: no metrics endpoint (see docs/metrics.md).
	MetricsToken string
}

// Lookup finds a variable, as os.LookupEnv does.
type Lookup func(name string) (string, bool)

// Error is an invalid setting: the variable, where it came from, and what was expected.
type Error struct {
	Var    string
	Value  string
	Source string // "environment" or the .env file's path
	Want   string
}

func (e *Error) Error() string {
	return fmt.Sprintf("config: %s=%q (from %s): %s", e.Var, e.Value, e.Source, e.Want)
}

// Load reads the configuration from env, falling back to the variables of the .env file
// at envFile (ignored when it does not exist; "" to skip it).
func Load(env Lookup, envFile string) (*Config, error) {
	file, err := readDotEnv(envFile)
	if err != nil {
		return nil, err
	}
	r := reader{env: env, file: file, fileName: envFile}
	c := &Config{
		Env:             r.str("MICROBLOG_ENV", Development),
		SecretKey:       r.str("SECRET_KEY", ""),
		ServerName:      r.str("SERVER_NAME", ""),
		DatabaseURL:     r.str("DATABASE_URL", ""),
		MailServer:      r.str("MAIL_SERVER", ""),
		MailUsername:    r.str("MAIL_USERNAME", ""),
		MailPassword:    r.str("MAIL_PASSWORD", ""),
		MSTranslatorKey: r.str("MS_TRANSLATOR_KEY", ""),
	}
	c.LogToStdout = r.boolean("LOG_TO_STDOUT")
	c.LogFormat = strings.ToLower(r.str("LOG_FORMAT", "text"))
	c.Port = r.integer("PORT", 0, 1, 65535, "a TCP port number, 1 to 65535")
	c.ShutdownTimeout = r.duration("SHUTDOWN_TIMEOUT", 25*time.Second, time.Second, time.Hour)
	c.DatabaseWait = r.duration("DATABASE_WAIT", time.Minute, 0, 24*time.Hour)
	c.MaxActiveReads = r.integer("MAX_ACTIVE_READS", 0, 0, 100000, "a whole number of requests, 0 (four per CPU) to 100000")
	c.ReadQueueTimeout = r.duration("READ_QUEUE_TIMEOUT", 10*time.Second, time.Millisecond, time.Hour)
	c.MailUseTLS = r.boolean("MAIL_USE_TLS")
	c.MailPort = r.integer("MAIL_PORT", 25, 1, 65535, "a TCP port number, 1 to 65535")
	c.PostsPerPage = r.integer("POSTS_PER_PAGE", 25, 1, 1000, "a whole number of posts per page, 1 to 1000")
	c.Admins = r.list("ADMINS", "your-email@example.com")
	c.Languages = r.list("LANGUAGES", "en,es,pt_BR")
	c.TrustedProxies = r.prefixes("TRUSTED_PROXIES")
	c.SessionCookieSecure = r.boolean("SESSION_COOKIE_SECURE")
	c.SessionIdleTimeout = r.duration("SESSION_IDLE_TIMEOUT", 24*time.Hour, time.Minute, 365*24*time.Hour)
	c.RememberCookieDuration = r.duration("REMEMBER_COOKIE_DURATION", 30*24*time.Hour, time.Minute, 400*24*time.Hour)
	c.PasswordMinLength = r.integer("PASSWORD_MIN_LENGTH", 8, 8, 64, "a whole number of characters, 8 to 64")
	c.Avatars = r.str("AVATARS", "gravatar")
	c.RedisURL = r.str("REDIS_URL", "")
	c.BaseURL = strings.TrimRight(r.str("BASE_URL", ""), "/")
	c.JobRescueAfter = r.duration("JOB_RESCUE_AFTER", 10*time.Minute, time.Second, 7*24*time.Hour)
	c.JobQueue = r.str("JOB_QUEUE", "microblog-tasks")
	c.MSTranslatorRegion = r.str("MS_TRANSLATOR_REGION", "westus")
	c.MSTranslatorEndpoint = strings.TrimRight(r.str("MS_TRANSLATOR_ENDPOINT", "https://api.cognitive.microsofttranslator.com"), "/")
	c.LibreTranslateURL = strings.TrimRight(r.str("LIBRETRANSLATE_URL", ""), "/")
	c.LibreTranslateKey = r.str("LIBRETRANSLATE_KEY", "")
	c.MetricsAddr = r.str("METRICS_ADDR", "")
	c.MetricsToken = r.str("METRICS_TOKEN", "")
	if r.err != nil {
		return nil, r.err
	}
	return c, c.validate(r)
}

// jobQueueName is what both queues accept as a queue name.
var jobQueueName = regexp.MustCompile(`^[a-z0-9]+(?:[_-][a-z0-9]+)*$`)

func (c *Config) validate(r reader) error {
	switch c.Env {
	case Development, Production, Testing:
	default:
		return r.bad("MICROBLOG_ENV", "one of development, production, testing")
	}
	if c.Env == Production && (c.SecretKey == "" || c.SecretKey == DefaultSecretKey) {
		return r.bad("SECRET_KEY", "a long random secret is required when MICROBLOG_ENV=production (generate one with: openssl rand -hex 32)")
	}
	if c.SecretKey == "" {
		c.SecretKey = DefaultSecretKey
	}
	for _, a := range c.Admins {
		if addr, err := mail.ParseAddress(a); err != nil || addr.Address != a {
			return r.bad("ADMINS", fmt.Sprintf("comma-separated e-mail addresses; %q is not one", a))
		}
	}
	for _, l := range c.Languages {
		if !validLanguage(l) {
			return r.bad("LANGUAGES", fmt.Sprintf("comma-separated language codes such as en,es,pt_BR; %q is not one", l))
		}
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return r.bad("LOG_FORMAT", "text or json")
	}
	if c.Avatars != "gravatar" && c.Avatars != "local" {
		return r.bad("AVATARS", "gravatar or local")
	}
	if len(c.Languages) == 0 {
		return r.bad("LANGUAGES", "at least one language code")
	}
	if c.RedisURL != "" {
		if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
			return r.bad("REDIS_URL", "a Redis URL such as redis://localhost:6379/0")
		}
	}
	if len(c.JobQueue) > 64 || !jobQueueName.MatchString(c.JobQueue) {
		return r.bad("JOB_QUEUE", "1 to 64 lower-case letters and digits, separated by single _ or - (e.g. microblog-tasks)")
	}
	if !azureRegion.MatchString(c.MSTranslatorRegion) {
		return r.bad("MS_TRANSLATOR_REGION", "an Azure region name such as westus or westeurope")
	}
	if !serviceURL(c.MSTranslatorEndpoint) {
		return r.bad("MS_TRANSLATOR_ENDPOINT", "an http(s) address such as https://api.cognitive.microsofttranslator.com")
	}
	if c.LibreTranslateURL != "" && !serviceURL(c.LibreTranslateURL) {
		return r.bad("LIBRETRANSLATE_URL", "the http(s) address of a LibreTranslate server such as http://localhost:5000")
	}
	if c.MetricsAddr != "" {
		if _, err := netip.ParseAddrPort(c.MetricsAddr); err != nil {
			return r.bad("METRICS_ADDR", "an IP address and port such as 127.0.0.1:9100 (the metrics are for the monitoring network, not the public)")
		}
	}
	if c.MetricsToken != "" && (len(c.MetricsToken) < 32 || !metricsToken.MatchString(c.MetricsToken)) {
		return r.bad("METRICS_TOKEN", "32 or more characters, letters, digits or - . _ ~ + / = (generate one with: openssl rand -hex 32)")
	}
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return r.bad("BASE_URL", "the site's public address such as https://microblog.example.com")
		}
	} else if c.ServerName != "" {
		c.BaseURL = "https://" + c.ServerName
	} else if c.Env == Production {
		return r.bad("BASE_URL", "the site's public address such as https://microblog.example.com (or SERVER_NAME) when MICROBLOG_ENV=production: links in e-mails are never built from a request's Host header")
	}
	return nil
}

// metricsToken is what a bearer token may hold without quoting.
var metricsToken = regexp.MustCompile(`^[A-Za-z0-9._~+/=-]+$`)

// azureRegion is what an Azure region name looks like (westus, westeurope, global).
var azureRegion = regexp.MustCompile(`^[a-z][a-z0-9]{1,39}$`)

// serviceURL reports whether s is an http(s) address with a host and no query.
func serviceURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.RawQuery == "" && u.Fragment == "" && u.User == nil
}

func validLanguage(l string) bool {
	lang, region, hasRegion := strings.Cut(strings.ReplaceAll(l, "-", "_"), "_")
	if len(lang) < 2 || len(lang) > 3 || strings.ToLower(lang) != lang {
		return false
	}
	for _, r := range lang {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return !hasRegion || (len(region) >= 2 && len(region) <= 4)
}

// reader looks variables up in the environment first, then the .env file, and keeps the
// first error.
type reader struct {
	env      Lookup
	file     map[string]string
	fileName string
	err      error
}

func (r *reader) lookup(name string) (value, source string, ok bool) {
	if v, ok := r.env(name); ok {
		return v, "environment", true
	}
	if v, ok := r.file[name]; ok {
		return v, r.fileName, true
	}
	return "", "", false
}

func (r *reader) bad(name, want string) error {
	v, src, _ := r.lookup(name)
	if src == "" {
		src = "default"
	}
	if name == "SECRET_KEY" || name == "MAIL_PASSWORD" || name == "METRICS_TOKEN" {
		v = strings.Repeat("*", min(len(v), 8))
	}
	return &Error{Var: name, Value: v, Source: src, Want: want}
}

func (r *reader) fail(name, want string) {
	if r.err == nil {
		r.err = r.bad(name, want)
	}
}

func (r *reader) str(name, def string) string {
	if v, _, ok := r.lookup(name); ok {
		return strings.TrimSpace(v)
	}
	return def
}

func (r *reader) boolean(name string) bool {
	v, _, ok := r.lookup(name)
	if !ok {
		return false
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "on", "y", "t":
		return true
	case "", "0", "false", "no", "off", "n", "f":
		return false
	}
	r.fail(name, "a boolean: 1, true, yes, on, or 0, false, no, off")
	return false
}

func (r *reader) integer(name string, def, lo, hi int, want string) int {
	v, _, ok := r.lookup(name)
	if !ok || strings.TrimSpace(v) == "" {
		return def
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < lo || n > hi {
		r.fail(name, want)
		return def
	}
	return n
}

func (r *reader) list(name, def string) []string {
	v := r.str(name, def)
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func (r *reader) duration(name string, def, lo, hi time.Duration) time.Duration {
	v, _, ok := r.lookup(name)
	if !ok || strings.TrimSpace(v) == "" {
		return def
	}
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d < lo || d > hi {
		r.fail(name, fmt.Sprintf("a duration such as 30m, 24h or 720h, from %v to %v", lo, hi))
		return def
	}
	return d
}

// prefixes reads comma-separated IP addresses or CIDR prefixes; a bare address is a
// prefix of its full length.
func (r *reader) prefixes(name string) []netip.Prefix {
	var out []netip.Prefix
	for _, item := range r.list(name, "") {
		p, err := netip.ParsePrefix(item)
		if err != nil {
			a, aerr := netip.ParseAddr(item)
			if aerr != nil {
				r.fail(name, fmt.Sprintf("comma-separated IP addresses or CIDR prefixes such as 127.0.0.1,10.0.0.0/8; %q is not one", item))
				return nil
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		out = append(out, p.Masked())
	}
	return out
}
