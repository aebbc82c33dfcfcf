#!/usr/bin/env bash
# Runs the app behind deploy/nginx/microblog.conf and deploy/caddy/Caddyfile as written
# (ports, certificate paths and the host name moved to local ones) and checks what
# docs/deploy.md promises of them: HTTP is redirected to HTTPS; pages come through; the
# app believes the proxy's X-Forwarded-Proto (it sends Strict-Transport-Security on
# HTTPS requests only, and TRUSTED_PROXIES names the proxy); static files are marked
# cacheable (the content-hashed names for good), and nginx serves repeats from its cache.
# Usage: deploy/proxy-smoke.sh   (needs nginx, caddy, openssl, curl, Go)
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$tmp/nginx/nginx.pid" ] && kill "$(cat "$tmp/nginx/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
fail() { echo "FAIL: $*"; for f in "$tmp"/*.log; do echo "== $f"; tail -20 "$f"; done; exit 1; }
waitfor() { for _ in $(seq 1 100); do curl -sk -o /dev/null "$1" && return 0; sleep 0.1; done; fail "nothing answers at $1"; }

go build -o "$tmp/microblog" ./cmd/microblog
app=$(port)
(cd "$tmp" && TRUSTED_PROXIES=127.0.0.1,::1 LOG_TO_STDOUT=1 exec ./microblog run --addr "127.0.0.1:$app" >"$tmp/app.log" 2>&1) &
pids+=($!)
waitfor "http://127.0.0.1:$app/readyz"

check_proxy() { # name http_port https_port
  local name=$1 http=$2 https=$3 h
  h=$(curl -s -o /dev/null -D - "http://127.0.0.1:$http/explore")
  grep -qi '^location: https://' <<<"$h" || fail "$name: http is not redirected to https: $h"
  h=$(curl -sk -D - -o "$tmp/page" --resolve "microblog.example.com:$https:127.0.0.1" "https://microblog.example.com:$https/auth/login")
  grep -q ' 200' <<<"$(head -1 <<<"$h")" || fail "$name: GET /auth/login: $(head -1 <<<"$h")"
  grep -q 'name="username"' "$tmp/page" || fail "$name: no login form"
  grep -qi '^strict-transport-security: max-age=' <<<"$h" || fail "$name: the app did not take the request for HTTPS (X-Forwarded-Proto from a trusted proxy)"
  h=$(curl -sk -D - -o /dev/null --resolve "microblog.example.com:$https:127.0.0.1" "https://microblog.example.com:$https/static/css/app.css")
  grep -qi '^cache-control: .*max-age=3600' <<<"$h" || fail "$name: static file not cacheable: $h"
  # The page links the content-hashed name, which passes the app's year-long immutable cache.
  local hashed
  hashed=$(grep -o '/static/css/app\.[0-9a-f]*\.css' "$tmp/page" | head -1)
  [ -n "$hashed" ] || fail "$name: the login page links no hashed style sheet"
  h=$(curl -sk -D - -o /dev/null --resolve "microblog.example.com:$https:127.0.0.1" "https://microblog.example.com:$https$hashed")
  grep -qi '^cache-control: public, max-age=31536000, immutable' <<<"$h" || fail "$name: $hashed not immutable: $h"
  [ "$(grep -ci '^cache-control:' <<<"$h")" = 1 ] || fail "$name: $hashed carries two Cache-Control headers: $h"
  echo "$name: http -> https, pages, forwarded proto believed (HSTS), static files cacheable, hashed ones immutable"
}

# nginx
mkdir -p "$tmp/nginx/cert" "$tmp/nginx/log" "$tmp/nginx/cache"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=microblog.example.com \
  -keyout "$tmp/nginx/cert/privkey.pem" -out "$tmp/nginx/cert/fullchain.pem" 2>/dev/null
nhttp=$(port); nhttps=$(port)
sed -e "s#/etc/letsencrypt/live/microblog.example.com#$tmp/nginx/cert#" \
    -e "s#/var/log/nginx#$tmp/nginx/log#" -e "s#/var/cache/nginx/microblog#$tmp/nginx/cache#" \
    -e "s#server 127.0.0.1:8000;#server 127.0.0.1:$app;#" \
    -e "s#listen 80;#listen 127.0.0.1:$nhttp;#" -e "s#listen 443 ssl http2;#listen 127.0.0.1:$nhttps ssl http2;#" \
    -e '/listen \[::\]/d' deploy/nginx/microblog.conf >"$tmp/nginx/site.conf"
cat >"$tmp/nginx/nginx.conf" <<CONF
user root;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx.log;
events {}
http {
    access_log off;
    include $tmp/nginx/site.conf;
}
CONF
nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf"
waitfor "http://127.0.0.1:$nhttp/"
check_proxy nginx "$nhttp" "$nhttps"
curl -sk -o /dev/null --resolve "microblog.example.com:$nhttps:127.0.0.1" "https://microblog.example.com:$nhttps/static/js/dates.js"
h=$(curl -sk -D - -o /dev/null --resolve "microblog.example.com:$nhttps:127.0.0.1" "https://microblog.example.com:$nhttps/static/js/dates.js")
grep -qi '^x-cache-status: HIT' <<<"$h" || fail "nginx: a repeated static file was not served from its cache: $h"
echo "nginx: a repeated static file comes from its cache"

# Caddy, with its own local CA instead of Let's Encrypt (no ACME from here).
chttp=$(port); chttps=$(port)
{ printf '{\n\tlocal_certs\n\tskip_install_trust\n\thttp_port %s\n\thttps_port %s\n\tadmin off\n}\n\n' "$chttp" "$chttps"
  sed -e "s#reverse_proxy 127.0.0.1:8000#reverse_proxy 127.0.0.1:$app#" -e "s#/var/log/caddy#$tmp#" deploy/caddy/Caddyfile
} >"$tmp/Caddyfile"
(XDG_DATA_HOME=$tmp/caddy-data XDG_CONFIG_HOME=$tmp/caddy-config exec caddy run --adapter caddyfile --config "$tmp/Caddyfile" >"$tmp/caddy.log" 2>&1) &
pids+=($!)
for _ in $(seq 1 100); do
  curl -sk -o /dev/null --resolve "microblog.example.com:$chttps:127.0.0.1" "https://microblog.example.com:$chttps/healthz" && break
  sleep 0.1
done
check_proxy caddy "$chttp" "$chttps"

# Straight to the app over plain HTTP there is no HSTS: the proxies' HSTS above came from
# their X-Forwarded-Proto.
h=$(curl -s -D - -o /dev/null "http://127.0.0.1:$app/auth/login")
if grep -qi '^strict-transport-security' <<<"$h"; then fail "the app sends HSTS on plain HTTP: the check above proves nothing"; fi
echo "direct plain HTTP: no HSTS (so the proxies' forwarded headers were what counted)"
