#!/usr/bin/env bash
# Regenerate the Flask-made database fixtures in testdata/flaskdb/.
#
#   bash testdata/flaskdb/regenerate.sh
#
# Needs: Debian bookworm packages (installed below if missing), PostgreSQL
# and MariaDB servers.  Connection settings can be overridden with
# FLASKDB_PG_HOST/PORT/USER and FLASKDB_MY_HOST/PORT/USER/PASSWORD.
# Creates and drops scratch databases named flaskdb_fx_* on both servers.
# Idempotent: every run rebuilds everything from scratch and overwrites the
# outputs.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3            # Debian's python3 (not pyenv): apt packages
SCRIPT="$HERE/make_fixtures.py"

PG_HOST=${FLASKDB_PG_HOST:-127.0.0.1}
PG_PORT=${FLASKDB_PG_PORT:-5432}
PG_USER=${FLASKDB_PG_USER:-postgres}
MY_HOST=${FLASKDB_MY_HOST:-127.0.0.1}
MY_PORT=${FLASKDB_MY_PORT:-3306}
MY_USER=${FLASKDB_MY_USER:-root}
MY_PASSWORD=${FLASKDB_MY_PASSWORD:-}
PREFIX=flaskdb_fx
VARIANTS=(final ch8 dupes)

log() { printf '==> %s\n' "$*" >&2; }

# ---------------------------------------------------------------- packages
PKGS=(python3-flask-migrate python3-flask-sqlalchemy python3-psycopg2
      python3-pymysql sqlite3 postgresql-client mariadb-client)
missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
        || missing+=("$p")
done
if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get install -y --no-install-recommends "${missing[@]}" \
        || { $SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends "${missing[@]}"; }
fi

# ---------------------------------------------------------------- helpers
export PGHOST=$PG_HOST PGPORT=$PG_PORT PGUSER=$PG_USER
export PGOPTIONS='-c client_min_messages=warning'
export MYSQL_PWD=$MY_PASSWORD
pgq()  { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
myq()  { mariadb -h "$MY_HOST" -P "$MY_PORT" -u "$MY_USER" "$@"; }
pg_url() { echo "postgresql+psycopg2://$PG_USER@$PG_HOST:$PG_PORT/$1"; }
my_url() {
    local auth=$MY_USER
    [ -n "$MY_PASSWORD" ] && auth="$MY_USER:$MY_PASSWORD"
    echo "mysql+pymysql://$auth@$MY_HOST:$MY_PORT/$1?charset=utf8mb4"
}
pg_recreate() { dropdb --if-exists "$1"; createdb "$1"; }
my_recreate() {  # name [create options]
    myq -e "DROP DATABASE IF EXISTS \`$1\`; CREATE DATABASE \`$1\` ${2:-}"
}
run() { "$PY" "$SCRIPT" "$@"; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/flaskdb.XXXXXX")
cleanup() {
    local rc=$?
    set +e
    for v in "${VARIANTS[@]}"; do
        dropdb --if-exists "${PREFIX}_$v" >/dev/null 2>&1
        myq -e "DROP DATABASE IF EXISTS \`${PREFIX}_$v\`" >/dev/null 2>&1
    done
    dropdb --if-exists "${PREFIX}_verify" >/dev/null 2>&1
    myq -e "DROP DATABASE IF EXISTS \`${PREFIX}_verify\`" >/dev/null 2>&1
    rm -rf "$WORK"
    exit $rc
}
trap cleanup EXIT

pg_isready -q || { echo "PostgreSQL not reachable at $PG_HOST:$PG_PORT" >&2; exit 1; }
myq -e 'SELECT 1' >/dev/null || { echo "MariaDB not reachable at $MY_HOST:$MY_PORT" >&2; exit 1; }

no_backslash_lines() {
    if grep -n '^\\' "$1"; then
        echo "$1: lines starting with a backslash (psql meta-commands)" >&2
        exit 1
    fi
}

OUT="$WORK/out"
mkdir -p "$OUT"
REPORTS=()

for v in "${VARIANTS[@]}"; do
    # ------------------------------------------------------------ SQLite
    log "$v: SQLite"
    mkdir -p "$WORK/sqlite-$v"
    run build --url "sqlite:///$OUT/$v.sqlite" --variant "$v" \
        --workdir "$WORK/sqlite-$v" --report "$WORK/sqlite-$v.json" >"$WORK/sqlite-$v.log" 2>&1 \
        || { cat "$WORK/sqlite-$v.log" >&2; exit 1; }
    grep '^built ' "$WORK/sqlite-$v.log"
    [ "$(sqlite3 "$OUT/$v.sqlite" 'PRAGMA integrity_check')" = ok ]
    run verify --url "sqlite:///$OUT/$v.sqlite" --variant "$v" \
        --expect-report "$WORK/sqlite-$v.json"
    REPORTS+=("$WORK/sqlite-$v.json")

    # ------------------------------------------------------------ PostgreSQL
    log "$v: PostgreSQL"
    db="${PREFIX}_$v"
    pg_recreate "$db"
    mkdir -p "$WORK/pg-$v"
    run build --url "$(pg_url "$db")" --variant "$v" \
        --workdir "$WORK/pg-$v" --report "$WORK/pg-$v.json" >"$WORK/pg-$v.log" 2>&1 \
        || { cat "$WORK/pg-$v.log" >&2; exit 1; }
    grep '^built ' "$WORK/pg-$v.log"
    # pg_dump >= 15.14 writes "\restrict KEY" / "\unrestrict KEY" psql
    # meta-commands (random key); they are not SQL, so drop them.
    pg_dump --no-owner --no-privileges --inserts "$db" >"$WORK/$v.pg.raw.sql"
    sed -E '/^\\(un)?restrict( |$)/d' "$WORK/$v.pg.raw.sql" >"$OUT/$v.pg.sql"
    log "$v: stripped $(( $(wc -l <"$WORK/$v.pg.raw.sql") - $(wc -l <"$OUT/$v.pg.sql") )) \\restrict/\\unrestrict line(s) from pg_dump output"
    no_backslash_lines "$OUT/$v.pg.sql"
    dropdb "$db"
    # load check 1: psql -f, stop on the first error
    pg_recreate "${PREFIX}_verify"
    pgq -d "${PREFIX}_verify" -f "$OUT/$v.pg.sql" >/dev/null
    run verify --url "$(pg_url "${PREFIX}_verify")" --variant "$v" \
        --expect-report "$WORK/pg-$v.json"
    # load check 2: the whole file as one simple-protocol query string
    pg_recreate "${PREFIX}_verify"
    run exec-dump --url "$(pg_url "${PREFIX}_verify")" --file "$OUT/$v.pg.sql"
    run verify --url "$(pg_url "${PREFIX}_verify")" --variant "$v" \
        --expect-report "$WORK/pg-$v.json"
    dropdb "${PREFIX}_verify"
    REPORTS+=("$WORK/pg-$v.json")

    # ------------------------------------------------------------ MariaDB
    log "$v: MariaDB"
    if [ "$v" = dupes ]; then
        # a case-sensitive Flask MySQL database: can hold Susan and susan
        opts="CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
    else
        opts=""  # server defaults (utf8mb4 / utf8mb4_general_ci)
    fi
    my_recreate "$db" "$opts"
    mkdir -p "$WORK/my-$v"
    run build --url "$(my_url "$db")" --variant "$v" \
        --workdir "$WORK/my-$v" --report "$WORK/my-$v.json" >"$WORK/my-$v.log" 2>&1 \
        || { cat "$WORK/my-$v.log" >&2; exit 1; }
    grep '^built ' "$WORK/my-$v.log"
    mariadb-dump -h "$MY_HOST" -P "$MY_PORT" -u "$MY_USER" \
        --skip-dump-date --skip-comments "$db" >"$OUT/$v.mysql.sql"
    no_backslash_lines "$OUT/$v.mysql.sql"
    myq -e "DROP DATABASE \`$db\`"
    # load checks into a database with the SERVER DEFAULT collation: the
    # table-level COLLATE clauses in the dump must carry the collation.
    my_recreate "${PREFIX}_verify"
    myq "${PREFIX}_verify" <"$OUT/$v.mysql.sql"
    run verify --url "$(my_url "${PREFIX}_verify")" --variant "$v" \
        --expect-report "$WORK/my-$v.json"
    my_recreate "${PREFIX}_verify"
    run exec-dump --url "$(my_url "${PREFIX}_verify")" --file "$OUT/$v.mysql.sql"
    run verify --url "$(my_url "${PREFIX}_verify")" --variant "$v" \
        --expect-report "$WORK/my-$v.json"
    myq -e "DROP DATABASE \`${PREFIX}_verify\`"
    REPORTS+=("$WORK/my-$v.json")
done

# ---------------------------------------------------------------- revisions
# Autogenerate must have written the same nine files against every dialect
# (and the ch8 runs the same first four).
log "comparing autogenerated revision files"
ref="$WORK/sqlite-final/migrations/versions"
for d in sqlite pg my; do
    for v in "${VARIANTS[@]}"; do
        n=0
        for f in "$WORK/$d-$v"/migrations/versions/*.py; do
            cmp -s "$f" "$ref/$(basename "$f")" \
                || { echo "revision file differs: $d-$v $(basename "$f")" >&2; exit 1; }
            n=$((n + 1))
        done
        want=9; [ "$v" = ch8 ] && want=4
        [ "$n" -eq "$want" ] || { echo "$d-$v: $n revision files" >&2; exit 1; }
    done
done
mkdir -p "$OUT/migrations/versions"
cp "$WORK/sqlite-final/migrations/versions/"*.py "$OUT/migrations/versions/"
[ "$(ls "$OUT/migrations/versions" | wc -l)" -eq 9 ]

# ---------------------------------------------------------------- manifest
log "writing fixtures.json"
run manifest --out "$OUT/fixtures.json" \
    --tool-version "pg_dump=$(pg_dump --version | sed 's/^pg_dump //')" \
    --tool-version "postgresql_server=$(psql -XAtc 'SHOW server_version' -d postgres)" \
    --tool-version "mariadb-dump=$(mariadb-dump --version | sed -E 's/^mariadb-dump +//')" \
    --tool-version "mariadb_server=$(myq -N -e 'SELECT VERSION()')" \
    "${REPORTS[@]}"

# ---------------------------------------------------------------- install
log "installing outputs into $HERE"
for v in "${VARIANTS[@]}"; do
    for ext in sqlite pg.sql mysql.sql; do
        cp "$OUT/$v.$ext" "$HERE/$v.$ext"
    done
done
cp "$OUT/fixtures.json" "$HERE/fixtures.json"
rm -rf "$HERE/migrations"
mkdir -p "$HERE/migrations/versions"
cp "$OUT/migrations/versions/"*.py "$HERE/migrations/versions/"
log "done"
