#!/usr/bin/env bash
# Checks the deployment configurations with their own tools (Debian's systemd, nginx
# and caddy packages; installed when missing and apt-get can):
#   systemd-analyze verify   both units (any warning fails: verify itself exits 0 on
#                            unknown keys and bad values)
#   nginx -t                 deploy/nginx/microblog.conf inside a minimal nginx.conf, with a
#                            throw-away self-signed certificate at the paths it names
#   caddy validate           deploy/caddy/Caddyfile
# Usage: deploy/check-configs.sh
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v systemd-analyze >/dev/null || need+=(systemd)
command -v nginx >/dev/null || need+=(nginx-light)
command -v caddy >/dev/null || need+=(caddy)
command -v openssl >/dev/null || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# systemd: ExecStart must name an executable, so point it at a freshly built binary.
go build -o "$tmp/microblog" ./cmd/microblog
for unit in deploy/systemd/*.service; do
  sed "s#/usr/local/bin/microblog#$tmp/microblog#" "$unit" >"$tmp/$(basename "$unit")"
done
out=$(systemd-analyze verify "$tmp"/*.service 2>&1) || { echo "$out"; exit 1; }
if [ -n "$out" ]; then echo "systemd-analyze verify warned:"; echo "$out"; exit 1; fi
for unit in deploy/systemd/*.service; do
  echo "systemd-analyze verify $unit: ok ($(systemd-analyze security --offline=true "$tmp/$(basename "$unit")" 2>/dev/null | grep -o 'Overall exposure level.*'))"
done

# nginx: the site inside an http block, its certificate and log paths moved under $tmp.
mkdir -p "$tmp/nginx/cert" "$tmp/nginx/log" "$tmp/nginx/cache"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=microblog.example.com \
  -keyout "$tmp/nginx/cert/privkey.pem" -out "$tmp/nginx/cert/fullchain.pem" 2>/dev/null
sed -e "s#/etc/letsencrypt/live/microblog.example.com#$tmp/nginx/cert#" \
    -e "s#/var/log/nginx#$tmp/nginx/log#" -e "s#/var/cache/nginx/microblog#$tmp/nginx/cache#" \
    deploy/nginx/microblog.conf >"$tmp/nginx/site.conf"
cat >"$tmp/nginx/nginx.conf" <<CONF
pid $tmp/nginx/nginx.pid;
error_log stderr;
events {}
http {
    access_log off;
    include $tmp/nginx/site.conf;
}
CONF
nginx -t -q -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf"
echo "nginx -t deploy/nginx/microblog.conf: ok"

# Caddy: validate loads every module the configuration names, without serving.
caddy validate --adapter caddyfile --config deploy/caddy/Caddyfile >"$tmp/caddy.out" 2>&1 ||
  { cat "$tmp/caddy.out"; exit 1; }
echo "caddy validate deploy/caddy/Caddyfile: ok"
