package tasks_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/jobs"
	"github.com/microblog/microblog/internal/mail"
	"github.com/microblog/microblog/internal/tasks"
)

// Without MAIL_SERVER an e-mail is dropped with a warning; in development the warning
// carries the text (a developer can still follow a reset link), elsewhere it does not.
func TestEmailWithoutMailServer(t *testing.T) {
	msg := mail.Message{To: []string{"susan@example.com"}, Subject: "[Microblog] Reset Your Password", Text: "http://127.0.0.1:5000/auth/reset_password/TOKEN"}
	args, err := json.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	for env, shows := range map[string]bool{config.Development: true, config.Production: false, config.Testing: false} {
		cfg := &config.Config{Env: env}
		var logs logBuffer
		d := &tasks.Deps{Cfg: cfg, Log: slog.New(slog.NewTextHandler(&logs, nil)), Mail: mail.New(cfg)}
		run := &jobs.Run{ID: "1", Kind: jobs.KindSendEmail, Args: args, Attempt: 1, MaxAttempts: 25}
		if err := tasks.Handlers(d)[jobs.KindSendEmail](context.Background(), run); err != nil {
			t.Fatalf("%s: %v (nothing to retry without a mail server)", env, err)
		}
		if got := strings.Contains(logs.String(), "TOKEN"); got != shows || !strings.Contains(logs.String(), "MAIL_SERVER is not set") {
			t.Errorf("%s: log shows the text: %v, want %v:\n%s", env, got, shows, logs.String())
		}
	}
}
