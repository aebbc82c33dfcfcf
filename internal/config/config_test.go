package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/config"
)

func env(vars map[string]string) config.Lookup {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func TestDefaultsAreTheTutorials(t *testing.T) {
	c, err := config.Load(env(nil), "")
	if err != nil {
		t.Fatal(err)
	}
	if c.SecretKey != "you-will-never-guess" || c.DatabaseURL != "" || c.MailPort != 25 || c.PostsPerPage != 25 ||
		strings.Join(c.Languages, ",") != "en,es,pt_BR" || strings.Join(c.Admins, ",") != "your-email@example.com" || c.Env != "development" {
		t.Errorf("defaults = %+v", c)
	}
}

func TestEnvironmentWinsOverDotEnv(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, ".env")
	os.WriteFile(file, []byte("# settings\nSECRET_KEY=from-file\nMAIL_SERVER=smtp.example.com\nexport MAIL_PORT=587\nADMINS=\"a@example.com, b@example.com\"\n"), 0o600)
	c, err := config.Load(env(map[string]string{"SECRET_KEY": "from-env"}), file)
	if err != nil {
		t.Fatal(err)
	}
	if c.SecretKey != "from-env" || c.MailServer != "smtp.example.com" || c.MailPort != 587 || len(c.Admins) != 2 || c.Admins[1] != "b@example.com" {
		t.Errorf("config = %+v", c)
	}
}

func TestBadValuesNameTheVariableAndSource(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, ".env")
	os.WriteFile(file, []byte("POSTS_PER_PAGE=lots\n"), 0o600)
	cases := []struct {
		vars map[string]string
		want string
	}{
		{map[string]string{"MAIL_PORT": "smtp"}, `MAIL_PORT="smtp" (from environment): a TCP port number`},
		{map[string]string{"MAIL_PORT": "70000"}, `MAIL_PORT="70000"`},
		{map[string]string{"MAIL_USE_TLS": "maybe"}, `MAIL_USE_TLS="maybe" (from environment): a boolean`},
		{map[string]string{"ADMINS": "root@example.com, not-an-address"}, `ADMINS=`},
		{map[string]string{"LANGUAGES": "en,Spanish"}, `"Spanish" is not one`},
		{map[string]string{"MICROBLOG_ENV": "prod"}, `MICROBLOG_ENV="prod"`},
		{map[string]string{"MICROBLOG_ENV": "production"}, `SECRET_KEY="" (from default): a long random secret is required`},
		{map[string]string{"MICROBLOG_ENV": "production", "SECRET_KEY": "you-will-never-guess"}, `SECRET_KEY="********" (from environment)`},
	}
	for _, c := range cases {
		_, err := config.Load(env(c.vars), "")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Load(%v) error = %v, want it to contain %q", c.vars, err, c.want)
		}
	}
	_, err := config.Load(env(nil), file)
	if err == nil || !strings.Contains(err.Error(), `POSTS_PER_PAGE="lots" (from `+file+`)`) {
		t.Errorf("bad value in .env: error %v does not name the file", err)
	}
	if _, err := config.Load(env(map[string]string{"MICROBLOG_ENV": "production", "SECRET_KEY": "0123456789abcdef0123456789abcdef"}), ""); err == nil || !strings.Contains(err.Error(), "BASE_URL") {
		t.Errorf("production without BASE_URL or SERVER_NAME: error %v, want one naming BASE_URL", err)
	}
	for _, vars := range []map[string]string{{"BASE_URL": "https://example.com/"}, {"SERVER_NAME": "example.com"}} {
		vars["MICROBLOG_ENV"], vars["SECRET_KEY"] = "production", "0123456789abcdef0123456789abcdef"
		c, err := config.Load(env(vars), "")
		if err != nil {
			t.Errorf("production with a real key and %v: %v", vars, err)
		} else if c.BaseURL != "https://example.com" {
			t.Errorf("production with %v: BaseURL = %q, want https://example.com", vars, c.BaseURL)
		}
	}
	for name, v := range map[string]string{"BASE_URL": "example.com", "REDIS_URL": "localhost:6379", "JOB_RESCUE_AFTER": "soon", "JOB_QUEUE": "my queue"} {
		if _, err := config.Load(env(map[string]string{name: v}), ""); err == nil || !strings.Contains(err.Error(), name+"=") {
			t.Errorf("%s=%q: error %v, want one naming the variable", name, v, err)
		}
	}
}

func TestDotEnvSyntaxErrorNamesTheLine(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, ".env")
	os.WriteFile(file, []byte("SECRET_KEY=abc\nMAIL_SERVER=localhost\nBAD LINE HERE\nMAIL_PORT=25\n"), 0o600)
	_, err := config.Load(env(nil), file)
	if err == nil || !strings.Contains(err.Error(), file+":3:") || strings.Contains(err.Error(), "MAIL_PORT") {
		t.Fatalf("error = %v, want it to name %s:3 and not dump the file", err, file)
	}
}

func TestMissingDotEnvIsFine(t *testing.T) {
	if _, err := config.Load(env(nil), filepath.Join(t.TempDir(), ".env")); err != nil {
		t.Fatal(err)
	}
}

// Deployment settings: PORT, LOG_FORMAT, SHUTDOWN_TIMEOUT, DATABASE_WAIT,
// MAX_ACTIVE_READS and READ_QUEUE_TIMEOUT, with their
// defaults, and bad values named.
func TestDeploymentSettings(t *testing.T) {
	c, err := config.Load(env(nil), "")
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 0 || c.LogFormat != "text" || c.ShutdownTimeout != 25*time.Second || c.DatabaseWait != time.Minute {
		t.Errorf("defaults: PORT %d, LOG_FORMAT %q, SHUTDOWN_TIMEOUT %v, DATABASE_WAIT %v", c.Port, c.LogFormat, c.ShutdownTimeout, c.DatabaseWait)
	}
	if c.MaxActiveReads != 0 || c.ReadQueueTimeout != 10*time.Second {
		t.Errorf("defaults: MAX_ACTIVE_READS %d, READ_QUEUE_TIMEOUT %v", c.MaxActiveReads, c.ReadQueueTimeout)
	}
	c, err = config.Load(env(map[string]string{"PORT": "8080", "LOG_FORMAT": "JSON", "SHUTDOWN_TIMEOUT": "5s", "DATABASE_WAIT": "0"}), "")
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 8080 || c.LogFormat != "json" || c.ShutdownTimeout != 5*time.Second || c.DatabaseWait != 0 {
		t.Errorf("set: PORT %d, LOG_FORMAT %q, SHUTDOWN_TIMEOUT %v, DATABASE_WAIT %v", c.Port, c.LogFormat, c.ShutdownTimeout, c.DatabaseWait)
	}
	for _, bad := range []struct{ name, value, want string }{
		{"PORT", "http", `PORT="http" (from environment): a TCP port number`},
		{"PORT", "0", `PORT="0"`},
		{"PORT", "65536", `PORT="65536"`},
		{"LOG_FORMAT", "logfmt", `LOG_FORMAT="logfmt" (from environment): text or json`},
		{"LOG_FORMAT", "js\x00on", `LOG_FORMAT="js\x00on"`},
		{"SHUTDOWN_TIMEOUT", "25", `SHUTDOWN_TIMEOUT="25" (from environment): a duration`},
		{"SHUTDOWN_TIMEOUT", "0s", `SHUTDOWN_TIMEOUT="0s"`},
		{"SHUTDOWN_TIMEOUT", "2h", `SHUTDOWN_TIMEOUT="2h"`},
		{"DATABASE_WAIT", "-1s", `DATABASE_WAIT="-1s"`},
		{"DATABASE_WAIT", "forever", `DATABASE_WAIT="forever"`},
		{"MAX_ACTIVE_READS", "-1", `MAX_ACTIVE_READS="-1" (from environment): a whole number of requests`},
		{"MAX_ACTIVE_READS", "many", `MAX_ACTIVE_READS="many"`},
		{"READ_QUEUE_TIMEOUT", "10", `READ_QUEUE_TIMEOUT="10" (from environment): a duration`},
		{"READ_QUEUE_TIMEOUT", "0s", `READ_QUEUE_TIMEOUT="0s"`},
	} {
		_, err := config.Load(env(map[string]string{bad.name: bad.value}), "")
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s=%q: error %v, want it to contain %q", bad.name, bad.value, err, bad.want)
		}
	}
}

// The metrics endpoint is off unless configured, and its settings are checked: an
// address with a port, a token long enough not to be guessed, never echoed back.
func TestMetricsSettings(t *testing.T) {
	c, err := config.Load(env(nil), "")
	if err != nil || c.MetricsAddr != "" || c.MetricsToken != "" {
		t.Fatalf("defaults: %+v, %v; want no metrics endpoint", c, err)
	}
	token := "0123456789abcdef0123456789abcdef"
	c, err = config.Load(env(map[string]string{"METRICS_ADDR": "127.0.0.1:9100", "METRICS_TOKEN": token}), "")
	if err != nil || c.MetricsAddr != "127.0.0.1:9100" || c.MetricsToken != token {
		t.Fatalf("valid settings: %+v, %v", c, err)
	}
	for _, v := range []string{"9100", "localhost:9100", "127.0.0.1", "127.0.0.1:port", "127.0.0.1:70000", ":9100\x00"} {
		if _, err := config.Load(env(map[string]string{"METRICS_ADDR": v}), ""); err == nil || !strings.Contains(err.Error(), "METRICS_ADDR=") {
			t.Errorf("METRICS_ADDR=%q: error %v, want one naming it", v, err)
		}
	}
	for _, v := range []string{"short", token + " x", token + "\x00", token + "é"} {
		_, err := config.Load(env(map[string]string{"METRICS_TOKEN": v}), "")
		if err == nil || !strings.Contains(err.Error(), `METRICS_TOKEN="*`) {
			t.Errorf("METRICS_TOKEN=%q: error %v, want one naming it, the value masked", v, err)
		}
	}
}
