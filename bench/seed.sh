#!/bin/sh
# Times `microblog seed` for the benchmark data set: 10,000 users × 100 posts (1,000,000
# posts), 100 follows each, into a new SQLite file (or the database DATABASE_URL names,
# which must be empty). The time is the whole command's: migrations, generation, loading. Usage: bench/seed.sh [extra seed flags]
set -eu
cd "$(dirname "$0")/.."
bin=$(mktemp -d)/microblog
go build -o "$bin" ./cmd/microblog
dir=$(mktemp -d)
: "${DATABASE_URL:=sqlite:///$dir/bench.db}"
export DATABASE_URL
start=$(date +%s.%N)
"$bin" seed --users 10000 --posts-per-user 100 --follows 100 --seed 1 --until 2026-12-01 "$@" 2>/dev/null | grep -v ' rows ('
end=$(date +%s.%N)
echo "wall time: $(echo "$end - $start" | bc) s (DATABASE_URL=$DATABASE_URL)"
rm -rf "$dir" "$(dirname "$bin")"
