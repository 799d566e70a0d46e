#!/usr/bin/env bash
# bench/duplicates.sh -- finding the same client (issue #14).
#
# A generated registry of N parties (default 100,000; bench/duplicates/gen.sql): companies
# with generated names, legal forms UAB/AB/MB/IĮ/SIA/Sp. z o.o., codes, VAT codes, e-mails,
# phones, IBANs; persons with many namesakes (no codes); namesake companies with other
# codes; every 80th party entered twice, every 240th three times, each copy spelled
# differently (a typo or y/i, the legal form written out or at the end, quotes, glued or
# swapped words) and sharing one of code, VAT code, phone, e-mail, IBAN, or only the name.
# The truth (party of every client) is kept beside the registry.
#
# Measured in the same run (bench/duplicates/timing.sql):
#   duplicate_clusters()           the whole-tenant queue, REPS times
#   0.3.0 duplicate_candidates     the view of 0.3.0 (still there), REPS times: the baseline
#   card_duplicates(), client_duplicates()   300 planted copies each (median, p95)
# and the quality against the truth (bench/duplicates/measure.sql): precision of strong
# links, precision and recall of all links (pairs inside a proposed group), the largest
# group -- for the queue and for the 0.3.0 view.
#
# Usage: [N=100000] [REPS=3] bash bench/duplicates.sh      (QUICK=1: N=10000, REPS=1)
# Needs root (the cluster runs as the postgres OS user) and the extension installed in
# the PostgreSQL of PG_BIN.  Times are measured, never asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
if [ "${QUICK:-0}" = "1" ]; then N=${N:-10000} REPS=${REPS:-1}; fi
N=${N:-100000}
REPS=${REPS:-3}
for v in N REPS; do
    case "${!v}" in '' | *[!0-9]* | 0) echo "$v must be a positive number" >&2; exit 2 ;; esac
done
CR_PG_OPTS=${CR_PG_OPTS:-"-c shared_buffers=512MB -c synchronous_commit=off"}
cr_start_cluster >/dev/null
trap cr_stop_cluster EXIT
mkdir -p bench/out
log=bench/out/duplicates-$(date -u +%Y%m%dT%H%M%SZ).log
{
    echo "bench/duplicates.sh N=$N REPS=$REPS on $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
    psql -qX -d postgres -c "CREATE DATABASE bench_dup"
    psql -qX -d bench_dup -c "CREATE EXTENSION pg_trgm; CREATE EXTENSION client_registry"
    start=$(date +%s)
    psql -qX -v ON_ERROR_STOP=1 -d bench_dup -v n="$N" -c "SET client_registry.tenant = 1" \
        -f bench/duplicates/gen.sql >/dev/null
    echo "generated $(psql -qXAt -d bench_dup -c 'SELECT count(*) FROM bench_truth') clients in $(( $(date +%s) - start )) s"
    echo "== times (ms)"
    psql -qX -v ON_ERROR_STOP=1 -d bench_dup -v n="$N" -v reps="$REPS" -f bench/duplicates/timing.sql
    echo "== quality against the planted truth"
    psql -qX -v ON_ERROR_STOP=1 -d bench_dup -f bench/duplicates/measure.sql
} 2>&1 | tee "$log"
echo "log: $log"
