# Shared shell functions of scripts/test.sh, scripts/demo.sh and bench/*.sh.

# PG_BIN may point at another PostgreSQL 15 installation (e.g. a private
# relocated copy, so that parallel work does not share one extension directory).
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
export PATH="$PG_BIN:$PATH"

# Optional reference data that is not part of the repository (the official i.SAF
# schema, public camt.053 samples): ../shared/<path> beside the checkout, or beside
# the main repository when the checkout is a git worktree.  Prints the first that
# exists and returns 0; else prints the path beside the checkout and returns 1.
# Only the optional extra checks of scripts/test.sh use it; every test input the
# suite needs is in the repository.
cr_find_shared() {
    local rel=$1 top common c
    top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    common=$(git -C "$top" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
    for c in "$top/../shared/$rel" ${common:+"$(dirname "$common")/../shared/$rel"}; do
        if [ -e "$c" ]; then echo "$c"; return 0; fi
    done
    echo "$top/../shared/$rel"
    return 1
}

cr_install_packages() {
    local pkgs="postgresql-15 postgresql-server-dev-15 postgresql-15-pgtap libxml2-dev libxml2-utils
                libtap-parser-sourcehandler-pgtap-perl make gcc"
    local missing=""
    for p in $pkgs; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    if [ -n "$missing" ]; then
        echo "installing:$missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq && apt-get install -y -qq $missing >/dev/null
    fi
    # Debian's postgresql-common would start a cluster on 5432; we use our own.
}

cr_build_and_install() {
    make -s clean >/dev/null 2>&1
    make -s PG_CONFIG=$PG_BIN/pg_config \
        PG_CFLAGS="-Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers" \
        && rm -f "$($PG_BIN/pg_config --sharedir)"/extension/client_registry--*.sql \
        && make -s PG_CONFIG=$PG_BIN/pg_config install >/dev/null
}

# Starts a throwaway cluster owned by the postgres OS user; sets CR_PGHOST,
# CR_PGPORT, CR_PGDATA.
cr_start_cluster() {
    CR_DIR=$(mktemp -d /tmp/client_registry.XXXXXX)
    chown postgres "$CR_DIR"
    CR_PGDATA=$CR_DIR/data
    CR_PGHOST=$CR_DIR
    CR_PGPORT=${CR_PGPORT:-$((54400 + RANDOM % 500))}
    su postgres -c "$PG_BIN/initdb -D $CR_PGDATA -A trust -E UTF8 --locale=C.UTF-8 >/dev/null" || return 1
    # CR_POSTGRES: another program to start instead of postgres (scripts/valgrind.sh's wrapper)
    su postgres -c "$PG_BIN/pg_ctl -D $CR_PGDATA ${CR_POSTGRES:+-p $CR_POSTGRES -t 600} -o '-p $CR_PGPORT -k $CR_DIR -c listen_addresses=\"\" ${CR_PG_OPTS:-}' -l $CR_DIR/log -w start >/dev/null" || { cat $CR_DIR/log; return 1; }
    export CR_PGHOST CR_PGPORT CR_PGDATA PGHOST=$CR_PGHOST PGPORT=$CR_PGPORT PGUSER=postgres
    echo "throwaway cluster: $CR_PGDATA (socket $CR_DIR, port $CR_PGPORT)"
}

cr_stop_cluster() {
    [ -n "${CR_PGDATA:-}" ] || return 0
    if [ "${KEEP_CLUSTER:-}" = "1" ]; then
        echo "cluster left running: PGHOST=$CR_PGHOST PGPORT=$CR_PGPORT PGUSER=postgres"
        return 0
    fi
    su postgres -c "$PG_BIN/pg_ctl -D $CR_PGDATA -m fast stop >/dev/null" 2>/dev/null
    rm -rf "$CR_DIR"
}
