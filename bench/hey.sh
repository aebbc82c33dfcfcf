#!/usr/bin/env bash
# Measures hello-world, the home page and Explore with `hey`, the load generator issue 12's
# figures were taken with (Debian: apt install hey), at 50 connections, and the server's
# CPU time per request from /proc (the app's utime + stime around each run), and hey's own
# (from /usr/bin/time, Debian's package "time", when it is there): on a machine of few
# cores the generator's share is the server's loss.
#
# Usage, from the repository root, on a database `go run ./bench/load -keep` seeded:
#   bench/hey.sh BINARY sqlite:////tmp/…/bench.db [hey flags, e.g. -disable-compression]
# Each run is 20 s (HEY_DURATION to change it), hello, home and Explore in turn, twice
# (HEY_ROUNDS). The database is copied first (VACUUM INTO is not needed: the app is not
# running on it); the copy is removed at the end. Needs sqlite3 and curl.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$1 db=$2
shift 2
src=${db#sqlite:///}
duration=${HEY_DURATION:-20s}
rounds=${HEY_ROUNDS:-2}
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null; rm -rf "$tmp"' EXIT
cp "$src" "$tmp/bench.db"
go build -o "$tmp/load" ./bench/load
"$tmp/load" -hello 127.0.0.1:5098 &
hello=$!
DATABASE_URL="sqlite:///$tmp/bench.db" MICROBLOG_ENV=production SECRET_KEY=load-benchmark-secret-0123456789abcdef \
  BASE_URL=http://127.0.0.1:5099 SESSION_COOKIE_SECURE=0 "$bin" run --workers 0 --addr 127.0.0.1:5099 >"$tmp/app.log" 2>&1 &
app=$!
for _ in $(seq 100); do curl -fs -o /dev/null http://127.0.0.1:5099/auth/login && break; sleep 0.1; done
user=$(sqlite3 "$tmp/bench.db" "SELECT username FROM user ORDER BY id LIMIT 1")
curl -s -c "$tmp/jar" -b "$tmp/jar" -o /dev/null -d "username=$user&password=microblog-demo&remember_me=y" http://127.0.0.1:5099/auth/login
curl -s -c "$tmp/jar" -b "$tmp/jar" -o /dev/null http://127.0.0.1:5099/index # the reader's timeline, built once
cookie=$(awk '($1 !~ /^#/ || $1 ~ /^#HttpOnly_/) && NF >= 7 {printf "%s=%s; ", $6, $7}' "$tmp/jar")
tick=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
echo "hey $*, $duration a run, 50 connections; $(go version | cut -d' ' -f3); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| round | run | req/s | p50 | p99 | non-200 | server CPU a request | hey's CPU a request |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|"
for round in $(seq "$rounds"); do
  for run in hello home explore; do
    case $run in
      hello) url=http://127.0.0.1:5098/ pid=$hello headers=() ;;
      home) url=http://127.0.0.1:5099/index pid=$app headers=(-H "Cookie: $cookie") ;;
      explore) url=http://127.0.0.1:5099/explore pid=$app headers=(-H "Cookie: $cookie") ;;
    esac
    before=$(cpu "$pid")
    echo "- -" >"$tmp/heycpu"
    if [ -x /usr/bin/time ]; then
      /usr/bin/time -f "%U %S" -o "$tmp/heycpu" hey -z "$duration" -c 50 "$@" "${headers[@]}" "$url" >"$tmp/out"
    else
      hey -z "$duration" -c 50 "$@" "${headers[@]}" "$url" >"$tmp/out"
    fi
    after=$(cpu "$pid")
    ok=$(awk '/\[200\]/ {print $2}' "$tmp/out")
    total=$(awk '/\[[0-9][0-9][0-9]\]/ {n += $2} END {print n + 0}' "$tmp/out")
    read -r hu hs <"$tmp/heycpu"
    awk -v round="$round" -v run="$run" -v ok="${ok:-0}" -v total="$total" -v cpu="$((after - before))" -v tick="$tick" -v hu="$hu" -v hs="$hs" '
      /Requests\/sec/ {rps = $2}
      / 50% in/ {p50 = $3 * 1000}
      / 99% in/ {p99 = $3 * 1000}
      END {
        hey = (hu == "-" || !total) ? "—" : sprintf("%.3f ms", (hu + hs) * 1000 / total)
        printf "| %d | %s | %.0f | %.1f ms | %.1f ms | %d | %.3f ms | %s |\n", round, run, rps, p50, p99, total - ok, (total ? cpu * 1000 / tick / total : 0), hey
      }' "$tmp/out"
  done
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
