#!/usr/bin/env bash
# bench/crm_search.sh -- CRM benchmark of client_registry (issue #7):
#
# 1. Search latency on N clients (default 1,000,000): search_clients() for an
#    exact company code, an IBAN (typed with spaces), a name fragment (5
#    letters of a word, without diacritics) and a misspelt name (one letter of
#    two words wrong), K random clients each, against a plain
#    ILIKE '%...%' scan of the same column in the same run (S queries per
#    case).  Median and 95th percentile, ratio of the medians.
# 2. Activity-feed overhead: the same bulk UPDATE of U cards (default
#    100,000) with the feed triggers on and off (ALTER TABLE ... DISABLE
#    TRIGGER client_91_feed_update), REPS times each in alternating order,
#    each in a transaction that is rolled back, VACUUM in between; one update
#    of a column outside the search index (notes: HOT updates) and one of an
#    indexed column (phone).  Medians and their ratio; once, as a diagnostic,
#    the update with the feed off and the trigram search index dropped.
# 3. Typos (issue #14): the typo query set of bench/search_typos/queries.sql
#    (T queries per case, default K: a letter replaced, neighbours swapped, a
#    letter left out, a typo in each word, two typos in a word of 9+ letters,
#    y typed as i, prefix, fragment; each with its expected card), through
#    search_clients() and a pg_trgm word-similarity search of the same cards
#    (bench/crm_search/typos.sql), alternating query by query.  Per case:
#    median and p95 latency and recall (the expected card among the results)
#    of both, and the ratio of the medians.
#
# Throwaway cluster (scripts/lib.sh), times measured and never asserted.
# Usage: [N=1000000] [K=200] [S=10] [U=100000] [REPS=5] [T=K] [PG_BIN=...] bash bench/crm_search.sh
#   N=50000 U=20000 bash bench/crm_search.sh      smoke run
# A log goes to bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

N=${N:-1000000}
K=${K:-200}
S=${S:-10}
U=${U:-100000}
REPS=${REPS:-5}
T=${T:-$K}
CR_PG_OPTS=${CR_PG_OPTS:-"-c shared_buffers=1GB -c max_wal_size=8GB -c checkpoint_timeout=30min -c synchronous_commit=off -c maintenance_work_mem=512MB"}
for v in N K S U REPS T; do
    case "${!v}" in '' | *[!0-9]* | 0) echo "$v must be a positive number" >&2; exit 2 ;; esac
done
[ "$U" -le "$N" ] || { echo "U must not exceed N" >&2; exit 2; }

mkdir -p bench/out
LOG=bench/out/crm_search_$(date +%Y%m%d_%H%M%S)_N$N.log
exec > >(tee "$LOG") 2>&1
PSQL="psql -X -q -v ON_ERROR_STOP=1"
echo "CRM benchmark: N=$N clients, K=$K search queries and S=$S scans per case, U=$U cards updated, REPS=$REPS, T=$T typo queries per case"
echo "server settings: $CR_PG_OPTS"
echo "machine: $(nproc) CPUs, $(free -g | awk '/^Mem:/ {print $2}') GB RAM; load $(cut -d' ' -f1-3 /proc/loadavg); started $(date '+%F %T')"

trap cr_stop_cluster EXIT
cr_start_cluster
$PSQL -d postgres -c "CREATE DATABASE bench_crm"
$PSQL -d bench_crm -c "CREATE EXTENSION client_registry CASCADE"
t0=$(date +%s.%N)
$PSQL -d bench_crm -v n="$N" -f bench/crm_search/gen.sql | sed -n 's/^Time: /  index build: /p'
printf 'data loaded and indexed in %.1f s\n' "$(echo "$(date +%s.%N) - $t0" | bc)"
# the load runs with the triggers off: build the search dictionary (typos)
t0=$(date +%s.%N)
words=$($PSQL -d bench_crm -At -c "SELECT client_registry.rebuild_search_words()")
printf 'rebuild_search_words() = %s words in %.1f s\n' "$words" "$(echo "$(date +%s.%N) - $t0" | bc)"
$PSQL -d bench_crm -c "VACUUM ANALYZE client_registry.search_word"
$PSQL -d bench_crm -At -c "SELECT 'table sizes: client ' || pg_size_pretty(pg_relation_size('client_registry.client'))
    || ', client_search_idx ' || pg_size_pretty(pg_relation_size('client_registry.client_search_idx'))"

echo
echo "== 1. search latency (ms), search_clients() vs ILIKE '%...%' scan"
PGOPTIONS="-c bench.scans=$S" $PSQL -d bench_crm -v k="$K" -f bench/crm_search/measure.sql

echo
echo "== 2. activity-feed overhead: UPDATE of $U cards, feed triggers on vs off"
update_ms() {      # $1 on|off, $2 SET clause
    local disable="" enable=""
    if [ "$1" = off ]; then
        disable="ALTER TABLE client_registry.client DISABLE TRIGGER client_91_feed_update;"
        enable="ALTER TABLE client_registry.client ENABLE TRIGGER client_91_feed_update;"
    fi
    $PSQL -d bench_crm >/dev/null -c "$disable SELECT 1"
    local ms
    ms=$(psql -X -v ON_ERROR_STOP=1 -d bench_crm 2>&1 <<SQL | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1
BEGIN;
\timing on
UPDATE client_registry.client SET $2 WHERE id BETWEEN 2 AND $((U + 1));
\timing off
ROLLBACK;
SQL
)
    $PSQL -d bench_crm >/dev/null -c "$enable SELECT 1"
    $PSQL -d bench_crm -c "VACUUM client_registry.client"
    echo "$ms"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
for setc in "notes = 'bulk edit ' || id" "phone = '+370 5' || lpad(id::text, 7, '0')"; do
    on=() off=()
    for r in $(seq 1 "$REPS"); do
        if [ $((r % 2)) -eq 1 ]; then on+=("$(update_ms on "$setc")"); off+=("$(update_ms off "$setc")")
        else off+=("$(update_ms off "$setc")"); on+=("$(update_ms on "$setc")"); fi
    done
    # diagnostic, once: triggers off and the trigram search index dropped (in
    # the rolled-back transaction), to show what the search index costs an update
    noidx=$(psql -X -v ON_ERROR_STOP=1 -d bench_crm 2>&1 <<SQL | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1
BEGIN;
ALTER TABLE client_registry.client DISABLE TRIGGER client_91_feed_update;
DROP INDEX client_registry.client_search_idx;
\\timing on
UPDATE client_registry.client SET $setc WHERE id BETWEEN 2 AND $((U + 1));
\\timing off
ROLLBACK;
SQL
)
    $PSQL -d bench_crm -c "VACUUM client_registry.client"
    m_on=$(printf '%s\n' "${on[@]}" | median)
    m_off=$(printf '%s\n' "${off[@]}" | median)
    echo "SET $setc"
    echo "  feed on : ${on[*]} ms  (median $m_on)"
    echo "  feed off: ${off[*]} ms  (median $m_off)"
    printf '  overhead: %.2fx  (goal <= 1.5x)\n' "$(echo "$m_on / $m_off" | bc -l)"
    echo "  (diagnostic) feed off and without client_search_idx: $noidx ms"
done

echo
echo "== 3. typos: latency (ms) and recall, search_clients() vs pg_trgm word similarity (same queries)"
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
$PSQL -d bench_crm -v k="$T" -f bench/crm_search/typos.sql
echo "finished $(date '+%F %T'); load $(cut -d' ' -f1-3 /proc/loadavg); log: $LOG"
