#!/usr/bin/env bash
# bench/feed_bulk.sh -- what the activity feed costs a bulk load (issue #15).
#
# COPYs N clients, N addresses and N bank accounts (the data and the three
# timed COPYs of bench/bulk_load.sh: bulk_load/gen_data.sql, load.sql) into
# the extension, every rule on, in three variants:
#   nofeed    the feed's insert triggers disabled (the baseline: what the
#             load costs without any feed);
#   rowfeed   client_registry.feed_bulk_rows = 2147483647: every row is
#             recorded on its own, with its whole-row JSON image (0.3.0);
#   bulkfeed  the default (1,000): one entry per COPY and tenant.
# Reported: the backend's CPU time (from /proc, less sensitive to the other
# load on this machine than the wall clock) and the wall clock of the three
# COPYs, medians of REPS runs in alternating order, each in a fresh database
# of one throwaway cluster; ratios against nofeed measured in the same run,
# and the feed's share of the load ((variant - nofeed) / variant).  Times are
# measured, never asserted.
#
# Usage: [N=200000] [REPS=3] bash bench/feed_bulk.sh
# Needs root (the cluster runs as the postgres OS user) and the extension
# installed in PG_BIN's PostgreSQL.  A log goes to bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/lib.sh

N=${N:-200000}
REPS=${REPS:-3}
VARIANTS="nofeed rowfeed bulkfeed"
CR_PG_OPTS=${CR_PG_OPTS:-"-c shared_buffers=512MB -c max_wal_size=8GB -c checkpoint_timeout=30min -c synchronous_commit=off"}
case "$N" in '' | *[!0-9]*) echo "N must be a number" >&2; exit 2 ;; esac
if [ "$N" -lt 1 ] || [ "$N" -gt 9999999 ]; then echo "N must be 1..9999999" >&2; exit 2; fi
case "$REPS" in '' | *[!0-9]* | 0) echo "REPS must be a positive number" >&2; exit 2 ;; esac

mkdir -p bench/out
LOG=bench/out/feed_bulk_$(date +%Y%m%d_%H%M%S)_N$N.log
exec > >(tee "$LOG") 2>&1

PSQL="psql -X -q -v ON_ERROR_STOP=1"
export PGOPTIONS="-c client_min_messages=warning"
echo "activity feed bulk-load benchmark: N=$N clients (+ $N addresses + $N bank accounts), REPS=$REPS"
echo "server settings: $CR_PG_OPTS"
echo "machine: $(nproc) CPUs; started $(date '+%F %T')"

trap cr_stop_cluster EXIT
cr_start_cluster
CSV=$CR_DIR/csv
mkdir -p "$CSV"
chown postgres "$CSV"

$PSQL -d postgres -c "CREATE DATABASE bench_gen"
$PSQL -d bench_gen -c "CREATE EXTENSION client_registry CASCADE"
$PSQL -d bench_gen -v n="$N" -v csvdir="$CSV" -f bench/bulk_load/gen_data.sql >/dev/null 2>&1
$PSQL -d postgres -c "DROP DATABASE bench_gen"

OWN_COMPANY="INSERT INTO client_registry.client (kind, name, company_code) VALUES ('own_company', 'UAB Bench', '110003978')"
declare -A C T E
run_variant() {             # $1 variant, $2 repetition
    local v=$1 rep=$2 db="bench_feed_$1_$2" out
    $PSQL -d postgres -c "CREATE DATABASE $db"
    $PSQL -d "$db" -c "CREATE EXTENSION client_registry CASCADE"
    $PSQL -d "$db" -c "$OWN_COMPANY"
    case "$v" in
        nofeed)
            for t in client client_address client_bank_account; do
                $PSQL -d "$db" -c "ALTER TABLE client_registry.$t DISABLE TRIGGER ${t}_90_feed_insert"
            done ;;
        rowfeed) $PSQL -d "$db" -c "ALTER DATABASE $db SET client_registry.feed_bulk_rows = 2147483647" ;;
        bulkfeed) ;;
    esac
    $PSQL -d "$db" -c "CHECKPOINT"
    out=$($PSQL -d "$db" -v csvdir="$CSV" -f bench/bulk_load/load.sql)
    T[$v,$rep]=$(echo "$out" | awk '/^Time: / {s += $2 / 1000} END {printf "%.3f", s}')
    C[$v,$rep]=$(echo "$out" | awk -v hz="$(getconf CLK_TCK)" '/^cpu: / {c[++n] = $2} END {for (i = 1; i < n; i += 2) s += (c[i + 1] - c[i]) / hz; printf "%.2f", s}')
    E[$v,$rep]=$($PSQL -d "$db" -At -c "SELECT count(*) || ' entries, ' || pg_size_pretty(pg_total_relation_size('client_registry.activity_feed')) FROM client_registry.activity_feed")
    local nc
    nc=$($PSQL -d "$db" -At -c "SELECT count(*) FROM client_registry.client")
    [ "$nc" = $((N + 1)) ] || { echo "ERROR: $v run $rep loaded $nc clients" >&2; exit 1; }
    printf '  run %d %-9s COPYs %7.2f s  backend CPU %7.2f s  feed: %s\n' "$rep" "$v" "${T[$v,$rep]}" "${C[$v,$rep]}" "${E[$v,$rep]}"
    $PSQL -d postgres -c "DROP DATABASE $db"
}

read -r -a FORWARD <<<"$VARIANTS"
BACKWARD=(bulkfeed rowfeed nofeed)
echo
echo "runs:"
for ((rep = 1; rep <= REPS; rep++)); do
    if ((rep % 2)); then order=("${FORWARD[@]}"); else order=("${BACKWARD[@]}"); fi
    for v in "${order[@]}"; do run_variant "$v" "$rep"; done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
declare -A MC MT
for v in "${FORWARD[@]}"; do
    c="" t=""
    for ((rep = 1; rep <= REPS; rep++)); do c="$c ${C[$v,$rep]}"; t="$t ${T[$v,$rep]}"; done
    MC[$v]=$(echo "$c" | median)
    MT[$v]=$(echo "$t" | median)
done
echo
echo "median of $REPS run(s), N=$N clients + $N addresses + $N bank accounts ($((3 * N)) rows):"
printf '%-9s %10s %10s %10s %10s %12s\n' variant cpu_s x_cpu wall_s x_wall feed_share
for v in "${FORWARD[@]}"; do
    printf '%-9s %10.2f %10.2f %10.2f %10.2f %11.1f%%\n' "$v" "${MC[$v]}" \
        "$(echo "${MC[$v]} / ${MC[nofeed]}" | bc -l)" "${MT[$v]}" "$(echo "${MT[$v]} / ${MT[nofeed]}" | bc -l)" \
        "$(echo "100 * (${MC[$v]} - ${MC[nofeed]}) / ${MC[$v]}" | bc -l)"
done
printf 'rowfeed / bulkfeed CPU: %.2f\n' "$(echo "${MC[rowfeed]} / ${MC[bulkfeed]}" | bc -l)"
echo "(x_*: against nofeed, the same load with the feed's insert triggers disabled; feed_share: the feed's share of the CPU time)"
echo "log: $LOG"
