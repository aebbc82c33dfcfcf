#!/usr/bin/env bash
# Smoke test of the container image with Debian's podman (Docker's engine does not run on
# the CI machine). Base images cannot be pulled there (no registry access), so the build
# stage of ../Dockerfile runs on the host (the same CGO_ENABLED=0 build) and the image
# stage — user, volume, environment, health check, entry point — is built from the
# Dockerfile itself with its `COPY --from=build` lines reading that build instead.
# Then: the container starts, applies the revisions, reports ready through its own
# HEALTHCHECK, serves the first page as user 65532, and stops cleanly on SIGTERM.
#
# Usage: deploy/image-smoke.sh   (from anywhere; needs podman, runc, curl, Go)
set -euo pipefail
cd "$(dirname "$0")/.."
# crun cannot run here (cgroups in hybrid mode), runc can; the machine's own limits
# must be passed down, as the runtime may not raise them.
podman=(podman --runtime runc)
limits=(--ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit "nproc=1000:1000")
name=microblog-smoke-$$
image=localhost/microblog-smoke:$$
ctx=$(mktemp -d)
cleanup() {
  "${podman[@]}" rm -f "$name" >/dev/null 2>&1 || true
  "${podman[@]}" rmi -f "$image" >/dev/null 2>&1 || true
  rm -rf "$ctx"
}
trap cleanup EXIT

mkdir -p "$ctx/out/data" "$ctx/out/tmp"
chmod 1777 "$ctx/out/tmp"
# As the Dockerfile builds it, less -trimpath (which would recompile every package).
CGO_ENABLED=0 go build -ldflags="-s -w" -o "$ctx/out/microblog" ./cmd/microblog
cp /etc/ssl/certs/ca-certificates.crt "$ctx/out/ca-certificates.crt"
# The Dockerfile's last stage, reading the host's build.
awk '/^FROM /{stage=""} {stage=stage $0 "\n"} END{printf "%s", stage}' Dockerfile |
  sed 's#^COPY --from=build \(--chown=[^ ]* \)\?/out/#COPY \1out/#' >"$ctx/Containerfile"
grep -q '^FROM scratch' "$ctx/Containerfile"
if grep -q -- '--from=' "$ctx/Containerfile"; then echo "unrewritten COPY --from in the image stage"; exit 1; fi
"${podman[@]}" build --format docker -q -t "$image" -f "$ctx/Containerfile" "$ctx" >/dev/null
echo "image built: $("${podman[@]}" image inspect --format '{{.Size}}' "$image") bytes, user $("${podman[@]}" image inspect --format '{{.Config.User}}' "$image")"
[ "$("${podman[@]}" image inspect --format '{{.Config.User}}' "$image")" = "65532:65532" ]

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# The host's network: podman's bridge needs iptables rules this machine may not allow.
"${podman[@]}" run -d --name "$name" "${limits[@]}" --network host \
  -e PORT="$port" -e SECRET_KEY=smoke-test-secret-key-0123456789 -e MICROBLOG_ENV=production \
  -e BASE_URL="http://127.0.0.1:$port" "$image" >/dev/null 2>"$ctx/podman.err"
# (podman's periodic health-check timers need systemd, which this machine lacks; the
# check itself is run below with `podman healthcheck run`.)
for _ in $(seq 1 60); do
  if "${podman[@]}" healthcheck run "$name" >/dev/null 2>&1; then break; fi
  sleep 0.5
done
if ! "${podman[@]}" healthcheck run "$name" 2>>"$ctx/podman.err"; then
  cat "$ctx/podman.err"
  echo "the image's HEALTHCHECK never passed; log:"; "${podman[@]}" logs "$name"; exit 1
fi
echo "HEALTHCHECK (microblog healthcheck --ready): healthy"
code=$(curl -s -o "$ctx/page" -w '%{http_code}' "http://127.0.0.1:$port/auth/login")
grep -q 'name="username"' "$ctx/page" || { echo "GET /auth/login = $code without the login form"; exit 1; }
echo "GET /auth/login: $code, the login form"
curl -sf "http://127.0.0.1:$port/static/css/app.css" >/dev/null && echo "GET /static/css/app.css: 200 (embedded)"
# The logs go to a file before grep reads them: with pipefail, grep -q leaving at its
# first match would fail the pipeline when podman then writes into a closed pipe.
"${podman[@]}" logs "$name" >"$ctx/start.log" 2>&1
grep -q 'running upgrade' "$ctx/start.log" || { echo "no revisions applied at start"; exit 1; }
"${podman[@]}" stop -t 30 "$name" >/dev/null 2>>"$ctx/podman.err"
status=$("${podman[@]}" inspect --format '{{.State.ExitCode}}' "$name")
"${podman[@]}" logs "$name" >"$ctx/stop.log" 2>&1
grep -q 'server stopped' "$ctx/stop.log" || { echo "no clean stop in the log"; cat "$ctx/stop.log"; exit 1; }
[ "$status" = 0 ] || { echo "exit status $status after SIGTERM"; exit 1; }
echo "SIGTERM: stopped cleanly (exit 0)"
