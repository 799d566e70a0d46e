#!/usr/bin/env bash
# bench/crm_agenda.sh -- the user's own CRM views on N activity rows (issue #19):
# my_agenda, my_clients, a client's activity feed and a whole-table scan, each
# read by a real role through row-level security (visibility user /
# department / everyone), against a baseline doing the same work in the same
# run: the same rows in plain tables with the same indexes, no policies, the
# same query with the user's id, department and manager flag written in and
# the visibility rule spelled out in SQL (what an application would run
# without the extension).
#
# Data (bench/crm_agenda/gen.sql): one tenant, C clients, USERS users in
# DEPTS departments, N rows (50 % tasks, 30 % events, 10 % opportunities,
# 10 % interactions) and one feed entry per row.  Measured with pgbench, one
# client, T seconds per run, product and baseline alternately ROUNDS times,
# a random measured user per transaction (K ordinary users); per-statement
# latency of the query (pgbench -r), median over the rounds, ratio.
# Before timing, the product's and the baseline's rows are compared for a few
# users (they must be identical), and the plan of my_agenda is shown.
#
# Throwaway cluster (scripts/lib.sh), times measured and never asserted.
# Usage: [N=1000000] [C=100000] [USERS=400] [DEPTS=20] [K=20] [T=10] [ROUNDS=3] [PG_BIN=...] bash bench/crm_agenda.sh
#   N=100000 C=10000 T=3 ROUNDS=1 bash bench/crm_agenda.sh      smoke run
# A log goes to bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

N=${N:-1000000}
C=${C:-100000}
USERS=${USERS:-400}
DEPTS=${DEPTS:-20}
K=${K:-20}
T=${T:-10}
ROUNDS=${ROUNDS:-3}
CR_PG_OPTS=${CR_PG_OPTS:-"-c shared_buffers=512MB -c max_wal_size=4GB -c checkpoint_timeout=30min -c synchronous_commit=off -c maintenance_work_mem=256MB -c max_parallel_workers_per_gather=0"}
for v in N C USERS DEPTS K T ROUNDS; do
    case "${!v}" in '' | *[!0-9]* | 0) echo "$v must be a positive number" >&2; exit 2 ;; esac
done
[ $((DEPTS + K)) -le "$USERS" ] || { echo "DEPTS + K must not exceed USERS" >&2; exit 2; }

mkdir -p bench/out
LOG=bench/out/crm_agenda_$(date +%Y%m%d_%H%M%S)_N$N.log
exec > >(tee "$LOG") 2>&1
PSQL="psql -X -q -v ON_ERROR_STOP=1"
echo "CRM agenda benchmark: N=$N activity rows, C=$C clients, $USERS users in $DEPTS departments, K=$K measured users, T=${T}s x $ROUNDS rounds"
echo "server settings: $CR_PG_OPTS"
echo "machine: $(nproc) CPUs, $(free -g | awk '/^Mem:/ {print $2}') GB RAM, load $(cut -d' ' -f1-3 /proc/loadavg); started $(date '+%F %T')"

trap cr_stop_cluster EXIT
cr_start_cluster
$PSQL -d postgres -c "CREATE DATABASE bench_agenda"
$PSQL -d bench_agenda -c "CREATE EXTENSION client_registry CASCADE"
t0=$(date +%s.%N)
$PSQL -d bench_agenda -v n="$N" -v clients="$C" -v users="$USERS" -v depts="$DEPTS" -v k="$K" -f bench/crm_agenda/gen.sql
$PSQL -d bench_agenda -f bench/crm_agenda/plain.sql
printf 'data loaded, copied and indexed in %.1f s\n' "$(echo "$(date +%s.%N) - $t0" | bc)"
$PSQL -d bench_agenda -At -c "SELECT 'rows: ' || (SELECT count(*) FROM client_registry.crm_task) || ' tasks, '
    || (SELECT count(*) FROM client_registry.crm_event) || ' events, '
    || (SELECT count(*) FROM client_registry.crm_opportunity) || ' opportunities, '
    || (SELECT count(*) FROM client_registry.crm_interaction) || ' interactions, '
    || (SELECT count(*) FROM client_registry.activity_feed) || ' feed entries'"

first=$((DEPTS + 1)); last=$((DEPTS + K))
vars=(-D first=$first -D last=$last -D depts=$DEPTS -D clients=$C)
# a script with fixed variables (one user, one client) for the comparison
fixed() {   # $1 script, $2 user, $3 client
    sed -e "s/^\\\\set k .*/\\\\set k $2/" -e "s/^\\\\set c .*/\\\\set c $3/" \
        -e "s/^\\\\set d .*//" -e "s/^\\\\set m .*//" \
        -e "s/:k\\b/$2/g" -e "s/:c\\b/$3/g" -e "s/:clients/$C/g" \
        -e "s/:d\\b/$(( $2 % DEPTS + 1 ))/g" -e "s/:m\\b/$([ "$2" -le "$DEPTS" ] && echo true || echo false)/g" "$1" \
        | grep -v '^\\set'
}

echo
echo "== the product and the baseline return the same rows"
for u in $first $((first + K / 2)) 1; do
    for q in agenda clients feed scan; do
        c=$(( (u * 7919) % C + 2 ))
        a=$(fixed bench/crm_agenda/product_$q.sql $u $c | psql -X -At -d bench_agenda | sort | md5sum | cut -c1-12)
        b=$(fixed bench/crm_agenda/baseline_$q.sql $u $c | psql -X -At -d bench_agenda | sort | md5sum | cut -c1-12)
        n=$(fixed bench/crm_agenda/product_$q.sql $u $c | psql -X -At -d bench_agenda | tail -n +2 | wc -l)
        printf '  user %-4s %-8s %6s rows  %s\n' "$u" "$q" "$n" "$([ "$a" = "$b" ] && echo same || echo "DIFFERENT ($a vs $b)")"
    done
done

echo
echo "== plan of my_agenda for user $first (as that role)"
psql -X -d bench_agenda -c "SET ROLE bench_u$first" -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) SELECT * FROM client_registry.my_agenda" \
    | grep -E 'Index|Seq Scan|Execution Time|Append|Planning Time'

echo
echo "== latency (ms per query, pgbench -r, median of $ROUNDS runs of ${T}s), product vs baseline"
query_ms() {   # $1 script: per-statement latency of its last statement
    pgbench -n -r -T "$T" "${vars[@]}" -f "$1" bench_agenda 2>/dev/null \
        | awk '/statement latencies/ { s = 1; next } s && NF > 1 && $1 ~ /^[0-9.]+$/ { v = $1 } END { print v }'
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
printf '  %-10s %12s %12s %8s\n' case product baseline ratio
for q in agenda clients feed scan; do
    p=() b=()
    for r in $(seq 1 "$ROUNDS"); do
        if [ $((r % 2)) -eq 1 ]; then p+=("$(query_ms bench/crm_agenda/product_$q.sql)"); b+=("$(query_ms bench/crm_agenda/baseline_$q.sql)")
        else b+=("$(query_ms bench/crm_agenda/baseline_$q.sql)"); p+=("$(query_ms bench/crm_agenda/product_$q.sql)"); fi
    done
    mp=$(printf '%s\n' "${p[@]}" | median); mb=$(printf '%s\n' "${b[@]}" | median)
    printf '  %-10s %12.3f %12.3f %7.2fx   (runs: product %s; baseline %s)\n' "$q" "$mp" "$mb" "$(echo "$mp / $mb" | bc -l)" "${p[*]}" "${b[*]}"
done
echo "  agenda: my_agenda; clients: my_clients; feed: one client's feed entries; scan: count(*) of all tasks (per-row visibility)"
echo "finished $(date '+%F %T'); log: $LOG"
