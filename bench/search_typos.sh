#!/usr/bin/env bash
# bench/search_typos.sh -- typo-tolerant search (issue #14) on a large
# generated registry, against the 0.3.0 search (trigram similarity) in the
# same run:
#
# Two databases on one throwaway cluster get the same N clients
# (bench/crm_search/gen.sql: two generated Lithuanian-looking words per
# name): one at 0.4.0, one at 0.3.0 (CREATE EXTENSION ... VERSION '0.3.0').
# 0.4.0's search dictionary is built by rebuild_search_words() (the load
# runs with the triggers off); its time and the GIN index build are printed.
#
# 1. Search: K probes per case (exact words, prefix, a letter replaced,
#    swapped, left out, a typo in each word, two typos in a word of 9+
#    letters, y typed as i, a 5-letter fragment; the query set of
#    bench/search_typos/queries.sql), the same queries in both databases;
#    median and p95 latency, recall (the probe's card among the results),
#    and the ratio of the medians 0.3.0 / 0.4.0 (also against 0.3.0 with its
#    parallel workers turned off, as a diagnostic).
# 2. Keeping the words: U single-row INSERTs of new cards (rolled back), with
#    names made of known words and with two new words, in both databases;
#    microseconds per card and the ratio 0.4.0 / 0.3.0 (the dictionary
#    triggers and the words index are 0.4.0's extra cost).
#
# Throwaway cluster (scripts/lib.sh), times measured and never asserted.
# Usage: [N=200000] [K=100] [U=2000] [PG_BIN=...] bash bench/search_typos.sh
#   N=20000 K=20 U=200 bash bench/search_typos.sh      smoke run
# A log goes to bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

N=${N:-200000}
K=${K:-100}
U=${U:-2000}
CR_PG_OPTS=${CR_PG_OPTS:-"-c shared_buffers=512MB -c max_wal_size=8GB -c checkpoint_timeout=30min -c synchronous_commit=off -c maintenance_work_mem=512MB"}
for v in N K U; do
    case "${!v}" in '' | *[!0-9]* | 0) echo "$v must be a positive number" >&2; exit 2 ;; esac
done

mkdir -p bench/out
LOG=bench/out/search_typos_$(date +%Y%m%d_%H%M%S)_N$N.log
exec > >(tee "$LOG") 2>&1
PSQL="psql -X -q -v ON_ERROR_STOP=1"
echo "typo search benchmark: N=$N clients, K=$K probes per case, U=$U cards inserted"
echo "server settings: $CR_PG_OPTS"
echo "machine: $(nproc) CPUs, $(free -g | awk '/^Mem:/ {print $2}') GB RAM; load $(cut -d' ' -f1-3 /proc/loadavg); started $(date '+%F %T')"

trap cr_stop_cluster EXIT
cr_start_cluster
secs() { echo "$(date +%s.%N) - $1" | bc; }
for db in bench_new bench_old; do
    $PSQL -d postgres -c "CREATE DATABASE $db"
done
$PSQL -d bench_new -c "CREATE EXTENSION client_registry CASCADE"
$PSQL -d bench_old -c "CREATE EXTENSION client_registry VERSION '0.3.0' CASCADE"

# the words index is built after the load, like the trigram indexes
$PSQL -d bench_new -c "DROP INDEX client_registry.client_search_words_idx"
for db in bench_new bench_old; do
    t0=$(date +%s.%N)
    $PSQL -d $db -v n="$N" -f bench/crm_search/gen.sql >/dev/null
    printf '%s: data loaded, trigram indexes built in %.1f s\n' "$db" "$(secs "$t0")"
done
t0=$(date +%s.%N)
$PSQL -d bench_new -c "CREATE INDEX client_search_words_idx ON client_registry.client
    USING gin (client_registry.search_words(name, short_name, first_name, last_name))"
printf 'bench_new: client_search_words_idx built in %.1f s\n' "$(secs "$t0")"
t0=$(date +%s.%N)
words=$($PSQL -d bench_new -At -c "SELECT client_registry.rebuild_search_words()")
printf 'bench_new: rebuild_search_words() = %s words of %s clients in %.1f s\n' "$words" "$N" "$(secs "$t0")"
$PSQL -d bench_new -c "VACUUM ANALYZE client_registry.search_word" -c "VACUUM ANALYZE client_registry.client"
$PSQL -d bench_new -At -c "SELECT 'sizes: client ' || pg_size_pretty(pg_relation_size('client_registry.client'))
    || ', client_search_idx ' || pg_size_pretty(pg_relation_size('client_registry.client_search_idx'))
    || ', client_search_words_idx ' || pg_size_pretty(pg_relation_size('client_registry.client_search_words_idx'))
    || ', search_word ' || pg_size_pretty(pg_total_relation_size('client_registry.search_word'))
    || ' (' || (SELECT count(*) FROM client_registry.search_word) || ' rows)'"

echo
echo "== 1. search: latency (ms) and recall, 0.4.0 vs 0.3.0 (same queries)"
for db in bench_new bench_old; do
    $PSQL -d $db -v k="$K" -f bench/search_typos/measure.sql > /tmp/search_typos_$db.$$
done
# diagnostic: 0.3.0 without parallel workers (its generic plans may start
# them for a one-row search on a busy machine, which 0.4.0 rules out)
PGOPTIONS="-c max_parallel_workers_per_gather=0" $PSQL -d bench_old -c "ALTER TABLE public.lat_out RENAME TO lat_par" \
    -v k="$K" -f bench/search_typos/measure.sql > /dev/null
sed -n '1,20p' /tmp/search_typos_bench_new.$$ | sed 's/^/  example /'
rm -f /tmp/search_typos_bench_*.$$
$PSQL -d bench_old -At -F '|' -c "SELECT p.kase, p.o, p.queries, p.median_ms, p.p95_ms, p.recall, p.avg_rows, s.median_ms
    FROM public.lat_par p JOIN public.lat_out s USING (kase)" > /tmp/search_typos_old.$$
$PSQL -d bench_new -c "CREATE TABLE public.lat_old (kase text, o int, queries bigint, median_ms float8, p95_ms float8, recall numeric, avg_rows numeric,
    serial_median_ms float8)"
$PSQL -d bench_new -c "\\copy public.lat_old FROM '/tmp/search_typos_old.$$' WITH (DELIMITER '|')"
rm -f /tmp/search_typos_old.$$
$PSQL -d bench_new -c "\\pset footer off" -c "
SELECT n.kase AS \"case\", n.queries,
       round(n.median_ms::numeric, 2) AS \"0.4.0 median\", round(n.p95_ms::numeric, 2) AS \"0.4.0 p95\",
       round(n.recall, 0) AS \"0.4.0 recall %\",
       round(o.median_ms::numeric, 2) AS \"0.3.0 median\", round(o.p95_ms::numeric, 2) AS \"0.3.0 p95\",
       round(o.recall, 0) AS \"0.3.0 recall %\",
       round((o.median_ms / n.median_ms)::numeric, 1) AS \"0.3.0 / 0.4.0 (medians)\",
       round(o.serial_median_ms::numeric, 2) AS \"0.3.0 median, no parallel workers\",
       round((o.serial_median_ms / n.median_ms)::numeric, 1) AS \"that / 0.4.0\"
  FROM public.lat_out n JOIN public.lat_old o USING (kase) ORDER BY n.o"

echo
echo "== 2. keeping the words: $U single-row INSERTs of new cards (rolled back), us per card"
per_card() {   # $1 db, $2 known|new
    PGOPTIONS="-c bench.u=$U -c bench.kind=$2" psql -X -q -v ON_ERROR_STOP=1 -d "$1" -f bench/search_typos/insert.sql 2>&1 \
        | sed -n 's/.*us_per_card=\([0-9.]*\).*/\1/p'
}
for kind in known new; do
    a=(); b=()
    for r in 1 2 3 4 5; do
        if [ $((r % 2)) -eq 1 ]; then a+=("$(per_card bench_new $kind)"); b+=("$(per_card bench_old $kind)")
        else b+=("$(per_card bench_old $kind)"); a+=("$(per_card bench_new $kind)"); fi
    done
    med() { printf '%s\n' "$@" | sort -n | sed -n 3p; }
    mn=$(med "${a[@]}"); mo=$(med "${b[@]}")
    printf '  %-6s words: 0.4.0 %s us (runs %s), 0.3.0 %s us (runs %s), ratio %.2fx\n' "$kind" "$mn" "${a[*]}" "$mo" "${b[*]}" \
        "$(echo "$mn / $mo" | bc -l)"
done
echo "finished $(date '+%F %T'); log: $LOG"
