#!/bin/sh
# Times `microblog db copy` from SQLite to PostgreSQL for the benchmark data set: a
# seeded SQLite file with 10,000 users × 100 posts (1,000,000 posts), 100 follows each
# (1,000,000 followers rows), 20,000 messages. The seed is not timed.
# Usage: bench/copy.sh POSTGRES_ADMIN_URL   (a server where the script may create and drop
# the database microblog_bench_copy), e.g.
#   bench/copy.sh 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'
set -eu
admin=${1:?usage: bench/copy.sh POSTGRES_ADMIN_URL}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/microblog" ./cmd/microblog
src="sqlite:///$tmp/bench.db"
DATABASE_URL=$src "$tmp/microblog" seed --users 10000 --posts-per-user 100 --follows 100 --seed 1 --until 2026-12-01 2>/dev/null | tail -2 | head -1
psql -q "$admin" -c 'DROP DATABASE IF EXISTS microblog_bench_copy' -c 'CREATE DATABASE microblog_bench_copy' 2>/dev/null
base=${admin%%\?*}
to="${base%/*}/microblog_bench_copy${admin#"$base"}"
start=$(date +%s.%N)
"$tmp/microblog" db copy --from "$src" --to "$to" | grep -v ' rows ('
end=$(date +%s.%N)
echo "wall time: $(echo "$end - $start" | bc) s"
psql -q "$admin" -c 'DROP DATABASE microblog_bench_copy' 2>/dev/null
