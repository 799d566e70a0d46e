#!/usr/bin/env bash
# The registry on a Citus cluster (issue #17): a coordinator and two workers
# on loopback (throwaway clusters of PG_BIN, each with shared_preload_libraries
# = citus), the extension created on the coordinator and distributed with
# client_registry.citus_distribute(), then the pg_regress tests of
# test/citus/sql and the isolation specs of test/citus/specs run through the
# coordinator.  Prints "citus: N passed, N failed" last; exit status 2 (and a
# loud SKIPPED line) when Citus is not installed in PG_BIN's PostgreSQL.
#
#   PG_BIN=/opt/citus/lib/postgresql/15/bin bash test/citus/run.sh
#   KEEP_CLUSTER=1 ...   leave the three nodes running (prints where)
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
cd "$here"
. scripts/lib.sh

if [ ! -e "$($PG_BIN/pg_config --pkglibdir)/citus.so" ]; then
    echo "!!! Citus is not installed in $($PG_BIN/pg_config --pkglibdir): the Citus suite is SKIPPED."
    echo "!!! Build it with scripts/build_citus.sh (citusdata/citus v13.2.2, docs/testing.md) to run it."
    exit 2
fi

dir=$(mktemp -d /tmp/client_registry_citus.XXXXXX)
chown postgres "$dir"
base=${CR_CITUS_PORT:-$((55000 + RANDOM % 400))}
ports="$base $((base + 1)) $((base + 2))"
stop_all() {
    if [ "${KEEP_CLUSTER:-}" = "1" ]; then
        echo "Citus cluster left running: PGHOST=$dir PGPORT=$base (workers $((base + 1)), $((base + 2)))"
        return
    fi
    for p in $ports; do
        su postgres -c "$PG_BIN/pg_ctl -D $dir/n$p -m immediate stop >/dev/null 2>&1"
    done
    rm -rf "$dir"
}
trap stop_all EXIT

for p in $ports; do
    su postgres -c "$PG_BIN/initdb -D $dir/n$p -A trust -E UTF8 --locale=C.UTF-8 >/dev/null" || exit 1
    cat >> "$dir/n$p/postgresql.conf" <<CONF
port = $p
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
shared_preload_libraries = 'citus'
max_connections = 60
max_prepared_transactions = 60
shared_buffers = 32MB
citus.shard_count = 4
citus.enable_statistics_collection = off
log_min_messages = warning
CONF
    su postgres -c "$PG_BIN/pg_ctl -D $dir/n$p -l $dir/n$p.log -w start >/dev/null" || { cat "$dir/n$p.log"; exit 1; }
done

psqlc() { psql -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$1" -U postgres -d "$2" "${@:3}"; }
db=cr_citus
for p in $ports; do
    psqlc "$p" postgres -c "CREATE DATABASE $db" || exit 1
    psqlc "$p" "$db" -c "CREATE EXTENSION citus" || exit 1
done
psqlc "$base" "$db" -c "SELECT pg_catalog.citus_set_coordinator_host('127.0.0.1', $base)" >/dev/null || exit 1
for p in $((base + 1)) $((base + 2)); do
    psqlc "$base" "$db" -c "SELECT pg_catalog.citus_add_node('127.0.0.1', $p)" >/dev/null || exit 1
done
# the install script evaluates column defaults that read the tenant: on Citus it
# must be set in the transaction (docs/citus.md)
psqlc "$base" "$db" -c "CREATE EXTENSION pg_trgm" || exit 1
psqlc "$base" "$db" <<SQL || exit 1
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL client_registry.tenant = 1;
CREATE EXTENSION client_registry;
COMMIT;
SQL

export PGHOST=$dir PGPORT=$base PGUSER=postgres
pgxs=$(dirname "$($PG_BIN/pg_config --pgxs)")/..
regress=$pgxs/test/regress/pg_regress
isolation=$pgxs/test/isolation/pg_isolation_regress
out=$dir/out
mkdir -p "$out"

passed=0; failed=0
# count_run LOG NAMES: adds the log's ok / failed tests to the totals; a test
# of NAMES the log does not report (pg_regress stops at a missing expected
# file) counts as failed
count_run() {
    local ok bad n
    ok=$(grep -cE '\.\.\. ok|^ok ' "$1" || true)
    bad=$(grep -ciE '\.\.\. failed|^not ok ' "$1" || true)
    n=$(echo $2 | wc -w)
    if [ $((ok + bad)) -lt "$n" ]; then
        echo "!!! $((n - ok - bad)) of the $n tests in $1 did not run: counted as failed"
        bad=$((n - ok))
    fi
    passed=$((passed + ok)); failed=$((failed + bad))
}
# citus_distribute first: the others need the distributed registry
tests="citus_distribute $(cd test/citus/sql && ls *.sql | sed "s/\.sql$//" | grep -v "^citus_distribute$" | sort)"
$regress --use-existing --dbname=$db --inputdir=test/citus --outputdir="$out" --bindir="$PG_BIN" $tests > "$out/regress.log" 2>&1
cat "$out/regress.log" | grep -E '^(ok|not ok|test) |\.\.\. '
count_run "$out/regress.log" "$tests"
[ -s "$out/regression.diffs" ] && head -150 "$out/regression.diffs"

specs=$(cd test/citus/specs 2>/dev/null && ls *.spec 2>/dev/null | sed "s/\.spec$//" | sort)
if [ -n "$specs" ]; then
    # The isolation tester asks pg_isolation_test_session_is_blocked() on the
    # coordinator whether a step waits; a step of a distributed transaction
    # waits on a worker, which only Citus's distributed wait graph shows.  On
    # these throwaway clusters only, the function asks Citus:
    # citus_isolation_test_session_is_blocked() consults the wait graph and
    # the original function, which it calls by the name
    # old_pg_isolation_test_session_is_blocked.
    psqlc "$base" "$db" <<'SQL' || exit 1
SET citus.enable_ddl_propagation = off;
ALTER FUNCTION pg_catalog.pg_isolation_test_session_is_blocked(integer, integer[])
    RENAME TO old_pg_isolation_test_session_is_blocked;
CREATE FUNCTION pg_catalog.pg_isolation_test_session_is_blocked(blocked integer, interesting integer[])
RETURNS boolean LANGUAGE sql VOLATILE
AS $$ SELECT pg_catalog.citus_isolation_test_session_is_blocked(blocked, interesting) $$;
SQL
    # a step the wait graph misses would wait forever: the specs get 15 minutes
    timeout 900 $isolation --use-existing --dbname=$db --inputdir=test/citus --outputdir="$out/iso" --bindir="$PG_BIN" $specs > "$out/iso.log" 2>&1
    grep -E '^(ok|not ok|test|permutation) |\.\.\. ' "$out/iso.log"
    count_run "$out/iso.log" "$specs"
    [ -s "$out/iso/regression.diffs" ] && head -100 "$out/iso/regression.diffs"
fi
echo "citus: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
