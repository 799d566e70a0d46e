#!/usr/bin/env bash
# scripts/valgrind.sh [TEST ...] -- runs pg_regress tests against a server running under
# valgrind and reports the memory errors valgrind finds (invalid reads and writes, jumps on
# uninitialised values, bad frees) in any backend: the extension's C code and libxml2 included.
#
#   bash scripts/valgrind.sh                     identifiers bank_import isaf merge
#   bash scripts/valgrind.sh bank_import         the named tests of test/regress_schedule
#
# Builds and installs (PG_BIN as for scripts/test.sh), starts a throwaway cluster through
# `pg_ctl -p` with a wrapper that runs postgres under valgrind (every backend is a forked
# child and is checked too), runs the tests, stops the cluster, and prints each backend's
# errors and the line "valgrind: N errors in M backends".  Exits non-zero when valgrind found
# an error.  Leak checking is off (PostgreSQL frees by memory context, not by free()); the
# server packages are not built with USE_VALGRIND, so misuse of palloc'd memory inside a
# context is not seen.  test/valgrind.supp lists the server's own known false alarms.
# Slow: expect tens of times the plain run.  VALGRIND_OPTS adds options
# (e.g. --track-origins=yes).  A test whose output differs under valgrind (timings) is
# reported by pg_regress as usual; the verdict here is valgrind's.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)"; exit 1; }
tests=${*:-identifiers bank_import isaf merge}

cr_build_and_install || { echo "build failed"; exit 1; }
vg=$(mktemp -d /tmp/cr_valgrind.XXXXXX)
chmod 755 "$vg"
cp test/valgrind.supp "$vg/"
cat > "$vg/postgres" <<EOF
#!/bin/sh
exec valgrind --quiet --error-limit=no --num-callers=30 --read-var-info=no \
    --suppressions=$vg/valgrind.supp ${VALGRIND_OPTS:-} --log-file=$vg/backend.%p.log \
    $PG_BIN/postgres "\$@"
EOF
chmod 755 "$vg/postgres"
chown -R postgres "$vg"
CR_POSTGRES=$vg/postgres cr_start_cluster || exit 1
trap cr_stop_cluster EXIT

echo "== pg_regress under valgrind: $tests"
make -s -i installcheck PG_CONFIG="$PG_BIN/pg_config" REGRESS="$tests" ISOLATION= \
    PGHOST="$CR_PGHOST" PGPORT="$CR_PGPORT" PGUSER=postgres 2>&1 | grep -E '\.\.\. |tests (passed|failed)'
cr_stop_cluster
trap - EXIT

errors=0 backends=0
for log in "$vg"/backend.*.log; do
    [ -s "$log" ] || continue
    # an error report starts with "==pid== <what>" after an empty "==pid==" line
    n=$(grep -cE '^==[0-9]+== (Invalid|Conditional jump|Use of uninitialised|Syscall param|Mismatched free|Source and destination overlap|Argument)' "$log" || true)
    [ "$n" -gt 0 ] || continue
    errors=$((errors + n)); backends=$((backends + 1))
    echo "---- $(basename "$log"): $n errors"
    head -80 "$log"
done
if [ "$errors" -eq 0 ]; then
    echo "valgrind: 0 errors"
    rm -rf "$vg"
else
    echo "valgrind: $errors errors in $backends backends (logs in $vg)"
    exit 1
fi
