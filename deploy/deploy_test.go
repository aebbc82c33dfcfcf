// Package deploy_test checks the deployment files against the program they run: every
// command line in them must be one microblog accepts, and the container, compose and
// systemd files must keep the properties docs/deploy.md promises. (Their own tools check
// their syntax: deploy/check-configs.sh, deploy/image-smoke.sh.)
package deploy_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/microblog/microblog/internal/cli"
)

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// accepts checks that microblog parses args (a subcommand and its flags) by asking it
// for that subcommand's help: unknown commands and flags, and bad flag values, fail.
func accepts(t *testing.T, where string, args []string) {
	t.Helper()
	var out, errOut strings.Builder
	code := cli.Main(context.Background(), append(slices.Clone(args), "--help"), cli.IO{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
		Env: func(string) (string, bool) { return "", false }, EnvFile: filepath.Join(t.TempDir(), ".env"),
	})
	var sub []string
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			break
		}
		sub = append(sub, a)
	}
	usage := "Usage:\n  microblog " + strings.Join(sub, " ")
	if code != 0 || !strings.Contains(out.String(), usage) {
		t.Errorf("%s: microblog %s: exit %d, %s%s", where, strings.Join(args, " "), code, errOut.String(), firstLine(out.String()))
	}
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

// Every microblog command line in the deployment files is one the program accepts.
func TestCommandLinesAreValid(t *testing.T) {
	// Procfile
	sc := bufio.NewScanner(strings.NewReader(read(t, "../Procfile")))
	var procs []string
	for sc.Scan() {
		name, cmd, ok := strings.Cut(sc.Text(), ": ")
		if !ok || !strings.HasPrefix(cmd, "microblog ") {
			t.Errorf("Procfile line %q: want NAME: microblog …", sc.Text())
			continue
		}
		procs = append(procs, name)
		accepts(t, "Procfile "+name, strings.Fields(strings.TrimPrefix(cmd, "microblog ")))
	}
	if !slices.Contains(procs, "web") || !slices.Contains(procs, "worker") {
		t.Errorf("Procfile processes %v, want web and worker", procs)
	}

	// Dockerfile: CMD and HEALTHCHECK, after the ENTRYPOINT binary.
	docker := read(t, "../Dockerfile")
	cmds := regexp.MustCompile(`(?m)^(?:HEALTHCHECK [^\n]*\\\n\s*)?CMD (\[[^\n]*\])`).FindAllStringSubmatch(docker, -1)
	for _, directive := range []string{"CMD", "HEALTHCHECK"} {
		var found bool
		for _, cmd := range cmds {
			var args []string
			if err := json.Unmarshal([]byte(cmd[1]), &args); err != nil {
				t.Fatalf("Dockerfile %s %s: %v", directive, cmd[1], err)
			}
			if args[0] == "/microblog" {
				args = args[1:]
			}
			isHealth := strings.HasPrefix(cmd[0], "HEALTHCHECK")
			if isHealth == (directive == "HEALTHCHECK") {
				found = true
				accepts(t, "Dockerfile "+directive, args)
			}
		}
		if !found {
			t.Errorf("Dockerfile has no exec-form %s running microblog", directive)
		}
	}

	// compose: the app services' commands.
	c := compose(t)
	for _, name := range []string{"web", "worker"} {
		accepts(t, "compose "+name, c.Services[name].Command)
	}

	// systemd: ExecStart.
	for _, unit := range units(t) {
		exec := unit.values["ExecStart"]
		if len(exec) != 1 || !strings.HasPrefix(exec[0], "/usr/local/bin/microblog ") {
			t.Errorf("%s: ExecStart %q", unit.name, exec)
			continue
		}
		accepts(t, unit.name, strings.Fields(strings.TrimPrefix(exec[0], "/usr/local/bin/microblog ")))
	}
}

type composeFile struct {
	Services map[string]struct {
		Image     string
		Build     struct{ Context, Dockerfile string }
		Command   []string
		Profiles  []string
		DependsOn map[string]struct {
			Condition string
			Required  *bool
		} `yaml:"depends_on"`
		Healthcheck struct {
			Disable bool
			Test    []string
		}
		Environment     map[string]string
		StopGracePeriod string `yaml:"stop_grace_period"`
	}
}

func compose(t *testing.T) composeFile {
	t.Helper()
	var c composeFile
	if err := yaml.Unmarshal([]byte(read(t, "compose.yaml")), &c); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	return c
}

// The compose file is the tutorial's chapter 19/22 shape: web and worker from one image
// built from the Dockerfile, waiting for healthy PostgreSQL and Redis (MariaDB under a
// profile), given longer than SHUTDOWN_TIMEOUT to stop.
func TestComposeShape(t *testing.T) {
	c := compose(t)
	web, worker := c.Services["web"], c.Services["worker"]
	if web.Image == "" || web.Image != worker.Image || web.Build != worker.Build {
		t.Errorf("web and worker images: %q %+v / %q %+v, want one image", web.Image, web.Build, worker.Image, worker.Build)
	}
	if _, err := os.Stat(filepath.Join(web.Build.Context, web.Build.Dockerfile)); err != nil {
		t.Errorf("build: %v", err)
	}
	if !slices.Equal(web.Command[:1], []string{"run"}) || !slices.Equal(worker.Command[:1], []string{"worker"}) {
		t.Errorf("commands: web %q, worker %q", web.Command, worker.Command)
	}
	if !worker.Healthcheck.Disable {
		t.Error("the worker serves no HTTP: its health check must be disabled")
	}
	for _, name := range []string{"web", "worker"} {
		s := c.Services[name]
		for _, dep := range []string{"postgres", "redis", "mariadb"} {
			d, ok := s.DependsOn[dep]
			if !ok || d.Condition != "service_healthy" {
				t.Errorf("%s depends on %s: %+v", name, dep, d)
			}
			if dep == "mariadb" && (d.Required == nil || *d.Required) {
				t.Errorf("%s: the mariadb dependency must be required: false (it is under a profile)", name)
			}
			if len(c.Services[dep].Healthcheck.Test) == 0 {
				t.Errorf("%s has no health check to wait for", dep)
			}
		}
		if d, err := time.ParseDuration(s.StopGracePeriod); err != nil || d <= 25*time.Second {
			t.Errorf("%s stop_grace_period %q: want more than SHUTDOWN_TIMEOUT (25s)", name, s.StopGracePeriod)
		}
		if s.Environment["MICROBLOG_ENV"] != "production" || !strings.Contains(s.Environment["DATABASE_URL"], "@postgres:5432/") || s.Environment["REDIS_URL"] != "redis://redis:6379/0" {
			t.Errorf("%s environment: %v", name, s.Environment)
		}
	}
	if !slices.Equal(c.Services["mariadb"].Profiles, []string{"mariadb"}) || len(c.Services["postgres"].Profiles) != 0 {
		t.Errorf("profiles: mariadb %v, postgres %v", c.Services["mariadb"].Profiles, c.Services["postgres"].Profiles)
	}
}

// The image: built with CGO_ENABLED=0, FROM scratch, an unprivileged user, a HEALTHCHECK,
// listening at PORT 5000 with logs on standard output.
func TestDockerfileShape(t *testing.T) {
	docker := read(t, "../Dockerfile")
	stages := regexp.MustCompile(`(?m)^FROM `).Split(docker, -1)
	last := stages[len(stages)-1]
	if !strings.HasPrefix(last, "scratch") {
		t.Errorf("the image stage is FROM %s, want scratch", firstLine(last))
	}
	if !strings.Contains(docker, "CGO_ENABLED=0 go build") {
		t.Error("the binary is not built with CGO_ENABLED=0")
	}
	user := regexp.MustCompile(`(?m)^USER (\S+)`).FindStringSubmatch(last)
	if user == nil || strings.HasPrefix(user[1], "0") || strings.HasPrefix(user[1], "root") {
		t.Errorf("image user %v, want an unprivileged one", user)
	}
	for _, want := range []string{"HEALTHCHECK ", "PORT=5000", "LOG_TO_STDOUT=1", "EXPOSE 5000", `ENTRYPOINT ["/microblog"]`, "VOLUME /data"} {
		if !strings.Contains(last, want) {
			t.Errorf("the image stage lacks %q", want)
		}
	}
}

type unit struct {
	name   string
	values map[string][]string
}

func units(t *testing.T) []unit {
	t.Helper()
	var out []unit
	for _, name := range []string{"microblog.service", "microblog-worker.service"} {
		u := unit{name: name, values: map[string][]string{}}
		f, err := os.Open(filepath.Join("systemd", name))
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(f)
		f.Close()
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
				u.values[k] = append(u.values[k], v)
			}
		}
		out = append(out, u)
	}
	return out
}

// Both units run as their own user with the usual hardening, write only their state
// directory, restart on failure, and give a stop longer than SHUTDOWN_TIMEOUT.
func TestSystemdHardening(t *testing.T) {
	want := map[string]string{
		"User": "microblog", "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes",
		"PrivateDevices": "yes", "NoNewPrivileges": "yes", "CapabilityBoundingSet": "",
		"ReadWritePaths": "/var/lib/microblog", "StateDirectory": "microblog", "WorkingDirectory": "/var/lib/microblog",
		"Restart": "on-failure", "EnvironmentFile": "/etc/microblog/microblog.env", "Environment": "LOG_TO_STDOUT=1",
		"KillSignal": "SIGTERM",
	}
	for _, u := range units(t) {
		for k, v := range want {
			if !slices.Contains(u.values[k], v) {
				t.Errorf("%s: %s=%q, want %q", u.name, k, u.values[k], v)
			}
		}
		if d, err := time.ParseDuration(strings.Join(u.values["TimeoutStopSec"], "")); err != nil || d <= 25*time.Second {
			t.Errorf("%s: TimeoutStopSec %q, want more than SHUTDOWN_TIMEOUT (25s)", u.name, u.values["TimeoutStopSec"])
		}
	}
}
