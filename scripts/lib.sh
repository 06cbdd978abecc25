# Shared by scripts/run, scripts/test and scripts/bench: install what is missing, start the private
# PostgreSQL. Sourced, not executed. Every step is idempotent and cheap when there is nothing to do.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Pinned tool versions: wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock.
CARGO_LEPTOS_VERSION=0.3.11
WASM_BINDGEN_VERSION=0.2.129
SQLX_CLI_VERSION=0.8.6

DATA_DIR="$ROOT/.data"
PG_DIR="$DATA_DIR/pg"
PG_RUN="$DATA_DIR/pg-run"
PG_PORT="${CV_PG_PORT:-54329}"

export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# SQL is checked against the committed .sqlx/ data, so builds never need a running database.
export SQLX_OFFLINE=true
# Incremental compilation helps editing, not whole-workspace runs: it doubles target/ and slows CI.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

apt_install() {
    log "installing $* from the distribution"
    as_root apt-get install -y -q "$@" >/dev/null 2>&1 ||
        { as_root apt-get update -q >/dev/null && as_root apt-get install -y -q "$@" >/dev/null; } ||
        die "could not install $* with apt-get"
}

ensure_toolchain() {
    command -v rustup >/dev/null || die "rustup is needed: see https://rustup.rs"
    # With no argument rustup installs the toolchain, target and components named in rust-toolchain.toml.
    rustup toolchain install >/dev/null 2>&1 || rustup toolchain install
}

# cargo_tool <command that prints the version> <version> <cargo install arguments…>
cargo_tool() {
    local probe=$1 version=$2
    shift 2
    if ! $probe 2>/dev/null | grep -q -- "$version"; then
        log "installing $1 $version (once; takes a few minutes)"
        cargo install --locked --version "$version" "$@"
    fi
}

ensure_rust_tools() {
    ensure_toolchain
    cargo_tool "cargo leptos --version" "$CARGO_LEPTOS_VERSION" cargo-leptos
    cargo_tool "wasm-bindgen --version" "$WASM_BINDGEN_VERSION" wasm-bindgen-cli
}

ensure_sqlx_cli() {
    cargo_tool "cargo sqlx --version" "$SQLX_CLI_VERSION" sqlx-cli --no-default-features --features postgres,rustls
}

# npm tools: wasm-opt (Debian's binaryen breaks hydration), Playwright, axe-core.
ensure_node_tools() {
    command -v npm >/dev/null || apt_install nodejs npm
    if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
        log "installing npm packages"
        PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
    fi
}

ensure_chromium() {
    [[ -x /usr/bin/chromium ]] || apt_install chromium
}

pg_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [[ -z $dir ]]; then
        apt_install postgresql
        dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    fi
    echo "$dir"
}

# PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` system user.
pg_as() {
    if [[ $(id -u) -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# As root, the cluster runs as `postgres`, which must be able to reach .data/. When the checkout sits
# somewhere it cannot (under /root, say), the cluster's files live in /var/lib/customer-view/<checkout>
# and .data/pg and .data/pg-run are links to them.
pg_home_reachable() {
    [[ $(id -u) -eq 0 && ! -e $PG_DIR ]] || return 0
    pg_as true
    if runuser -u postgres -- test -x "$DATA_DIR" 2>/dev/null; then
        return 0
    fi
    local home
    home="/var/lib/customer-view/$(printf '%s' "$ROOT" | sha256sum | cut -c1-16)"
    log "postgres cannot reach $DATA_DIR; keeping the cluster in $home (linked from .data/)"
    mkdir -p "$home/pg" "$home/pg-run"
    chown postgres "$home/pg" "$home/pg-run"
    chmod 755 /var/lib/customer-view "$home"
    rm -rf "$PG_RUN"
    ln -sfn "$home/pg" "$PG_DIR"
    ln -sfn "$home/pg-run" "$PG_RUN"
}

# PostgreSQL's cache for this machine: a quarter of its memory, PostgreSQL's advice for a server of its
# own. A bulk action over 100,000 customers writes into the customer table's 4.8 GB of indexes at a million
# customers: 71 s with 1 GB, 55 s with 6 GB of 24 (bench/RESULTS.md, session 23).
pg_shared_buffers() {
    echo "$(($(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 4 / 1024))MB"
}

# Starts the private cluster under .data/ (creating it the first time) unless DATABASE_URL is set, and
# exports DATABASE_URL pointing at database $1. Safe to call when the cluster already runs.
ensure_postgres() {
    local db=$1
    if [[ -n ${DATABASE_URL:-} && -z ${CV_PRIVATE_PG:-} ]]; then
        return
    fi
    export CV_PRIVATE_PG=1
    local bin
    bin=$(pg_bin)
    mkdir -p "$DATA_DIR"
    pg_home_reachable
    mkdir -p "$PG_DIR/" "$PG_RUN/"
    # The postgres user gets real paths: it may not be able to follow .data/ links through this checkout.
    local pgdir pgrun
    pgdir=$(readlink -f "$PG_DIR")
    pgrun=$(readlink -f "$PG_RUN")
    if [[ ! -f $PG_DIR/PG_VERSION ]]; then
        log "creating a private PostgreSQL cluster in .data/pg"
        rm -rf "${pgdir:?}"/*
        [[ -f $DATA_DIR/pg-password ]] || head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$DATA_DIR/pg-password"
        chmod 600 "$DATA_DIR/pg-password"
        if [[ $(id -u) -eq 0 ]]; then
            pg_as true
            chown postgres "$pgdir" "$pgrun"
            install -o postgres -m 600 "$DATA_DIR/pg-password" "$pgrun/pwfile"
        else
            cp "$DATA_DIR/pg-password" "$pgrun/pwfile"
        fi
        pg_as "$bin/initdb" -D "$pgdir" -U postgres --pwfile="$pgrun/pwfile" --auth=scram-sha-256 \
            -E UTF8 --locale=C.UTF-8 >/dev/null ||
            die "initdb failed in $pgdir"
        rm -f "$pgrun/pwfile"
        cat >>"$pgdir/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$pgrun'
max_connections = 200
shared_buffers = $(pg_shared_buffers)
work_mem = 32MB
maintenance_work_mem = 1GB
effective_cache_size = 8GB
max_wal_size = 8GB
checkpoint_timeout = 30min
jit = off
EOF
    fi
    # Durable commits (SPEC §15): an acknowledged write survives a crash of PostgreSQL. Clusters made by
    # earlier versions of this script turned them off; take that line out (read again at the next start).
    if grep -qE '^\s*synchronous_commit\s*=\s*off' "$PG_DIR/postgresql.conf" 2>/dev/null; then
        log "turning durable commits back on in .data/pg/postgresql.conf"
        sed -i -E '/^\s*synchronous_commit\s*=\s*off/d' "$PG_DIR/postgresql.conf"
        if pg_as "$bin/pg_ctl" -D "$pgdir" status >/dev/null 2>&1; then
            pg_as "$bin/pg_ctl" -D "$pgdir" reload >/dev/null
        fi
    fi
    # PostgreSQL's cache, a quarter of the machine's memory; clusters made by earlier versions of this
    # script had 1 GB (read at a start only: a running cluster is restarted)
    local buffers
    buffers=$(pg_shared_buffers)
    if ! grep -qE "^\s*shared_buffers\s*=\s*$buffers\s*$" "$PG_DIR/postgresql.conf" 2>/dev/null; then
        log "PostgreSQL's cache (shared_buffers): $buffers"
        sed -i -E '/^\s*shared_buffers\s*=/d' "$PG_DIR/postgresql.conf"
        echo "shared_buffers = $buffers" >>"$PG_DIR/postgresql.conf"
        if pg_as "$bin/pg_ctl" -D "$pgdir" status >/dev/null 2>&1; then
            pg_as "$bin/pg_ctl" -D "$pgdir" -l "$pgrun/postgres.log" -w -t 120 restart >/dev/null ||
                die "PostgreSQL did not restart; see $pgrun/postgres.log"
        fi
    fi
    [[ $(id -u) -ne 0 ]] || chown postgres "$pgrun"
    if ! pg_as "$bin/pg_ctl" -D "$pgdir" status >/dev/null 2>&1; then
        log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
        pg_as "$bin/pg_ctl" -D "$pgdir" -l "$pgrun/postgres.log" -w -t 60 start >/dev/null ||
            die "PostgreSQL did not start; see $pgrun/postgres.log"
    fi
    PG_ADMIN_URL="postgres://postgres:$(cat "$DATA_DIR/pg-password")@127.0.0.1:$PG_PORT"
    export PG_ADMIN_URL
    export DATABASE_URL="$PG_ADMIN_URL/$db"
}

# Creates database $1 on the private cluster if it is missing (recreates it with --fresh).
ensure_database() {
    local db=$1 fresh=${2:-}
    local psql=(psql -X -q -v ON_ERROR_STOP=1 "$PG_ADMIN_URL/postgres")
    if [[ $fresh == --fresh ]]; then
        "${psql[@]}" -c "drop database if exists \"$db\" with (force)"
    fi
    if [[ -z $("${psql[@]}" -tA -c "select 1 from pg_database where datname = '$db'") ]]; then
        "${psql[@]}" -c "create database \"$db\""
    fi
}

# Deletes the customers of channel $3 in workspace $2 (database $1) with everything of theirs: what a
# benchmark wrote into the seeded workspace. Foreign-key checks are off for the transaction (a check of
# the events for each deleted order would read them all), so every table pointing at them is cleared here.
remove_channel_customers() {
    psql -X -q -v ON_ERROR_STOP=1 -v ws="$2" -v channel="$3" "$1" <<'SQL'
begin;
set local session_replication_role = replica;
create temp table removed on commit drop as
    select c.workspace_id, c.id from customer c
    join workspace w on w.id = c.workspace_id and w.slug = :'ws'
    join channel ch on ch.workspace_id = c.workspace_id and ch.id = c.channel_id and ch.key = :'channel';
create temp table removed_orders on commit drop as
    select o.workspace_id, o.id from customer_order o join removed r on o.workspace_id = r.workspace_id and o.customer_id = r.id;
delete from order_line t using removed_orders o where t.workspace_id = o.workspace_id and t.order_id = o.id;
delete from shipping_update t using removed_orders o where t.workspace_id = o.workspace_id and t.order_id = o.id;
delete from customer_order t using removed_orders o where t.workspace_id = o.workspace_id and t.id = o.id;
delete from customer_merge t using removed r where t.workspace_id = r.workspace_id and t.survivor_id = r.id;
delete from event t using removed r where t.workspace_id = r.workspace_id and t.customer_id = r.id;
delete from segment_membership t using removed r where t.workspace_id = r.workspace_id and t.customer_id = r.id;
delete from customer_email t using removed r where t.workspace_id = r.workspace_id and t.customer_id = r.id;
delete from customer_phone t using removed r where t.workspace_id = r.workspace_id and t.customer_id = r.id;
delete from customer_address t using removed r where t.workspace_id = r.workspace_id and t.customer_id = r.id;
delete from customer_search t using removed r where t.workspace_id = r.workspace_id and t.customer_id = r.id;
delete from customer_match_key t using removed r where t.workspace_id = r.workspace_id and t.customer_id = r.id;
delete from duplicate_check t using removed r where t.workspace_id = r.workspace_id and t.customer_id = r.id;
delete from duplicate_pair t using removed r
 where t.workspace_id = r.workspace_id and (t.customer_a = r.id or t.customer_b = r.id);
delete from duplicate_dismissal t using removed r
 where t.workspace_id = r.workspace_id and (t.customer_a = r.id or t.customer_b = r.id);
delete from customer c using removed r where c.workspace_id = r.workspace_id and c.id = r.id;
commit;
SQL
}
