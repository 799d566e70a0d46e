#!/usr/bin/env bash
# bench/merge.sh -- client merge benchmark of client_registry (issue #4).
#
#   (a) pair     Two clients; the merged one is referenced by N rows (default 100,000)
#                across seven tables: invoice (30 %, drafts), payment (20 %), client_address,
#                client_bank_account, client_contact (10 % each), client_label (1 %) and the
#                user table public.delivery (19 %, composite FK (tenant_id, client_id), indexed);
#                the tables also hold FILL rows of other clients (bench/merge/setup_pair.sql).
#                Timed: SELECT client_registry.merge_clients(2, 3)  vs  the baseline, the bare
#                statements an application would run for the same re-pointing
#                (bench/merge/baseline_pair.sql: one UPDATE ... SET client_id per table, then
#                DELETE of the merged client, in one transaction, as the tables' owner, with
#                every trigger of the extension on: row rules, primary flags, running balances,
#                foreign-key checks, the delete guard).  The baseline does not look for
#                duplicates or clashes, fill the card, journal or hash rows; the merge does.
#                Also timed: merge_preview(2, 3) and unmerge() of the merge.
#   (b) many     DUPS duplicates (default 50) merged into one at once, each with 3 addresses,
#                2 bank accounts, 2 contacts, 20 invoices, 10 payments, 2 labels, 10 deliveries
#                (bench/merge/setup_many.sql), vs the same bare UPDATEs over all of them
#                (bench/merge/baseline_many.sql).
#   (c) unindexed  A user table public.ledger_entry of BIG rows (default 1,000,000) whose
#                referencing column has no index: the merge's WARNING is shown, and merge and
#                baseline (UPDATE + DELETE) are timed without and with
#                CREATE INDEX ON public.ledger_entry (tenant_id, client_id), and with the index
#                the warning's hint names, (client_id).
#
# Every measurement runs on a fresh copy of a template database built once per run (CREATE
# DATABASE ... TEMPLATE, so identical data, no dead rows from an earlier measurement, tables
# analysed), REPS times (default 3) in alternating order; the tables show the median.  The
# merge's result is checked against the baseline's (rows per client per table, primaries,
# balances: bench/merge/signature.sql), the preview and the unmerge against the original rows
# (md5 of every row: bench/merge/rows_md5.sql).  Times are measured, never asserted.
#
# PROFILE=1 (default) also runs each merge once more with auto_explain (nested statements,
# ANALYZE without timing) and prints where the time goes, statement by statement.
#
# Usage: [N=100000] [FILL=100000] [DUPS=50] [BIG=1000000] [REPS=3] [PROFILE=1] bash bench/merge.sh
#   QUICK=1 bash bench/merge.sh      smoke run (N=10000, FILL=10000, BIG=100000, REPS=1)
# Needs root (the cluster runs as the postgres OS user) and the extension installed in the
# PostgreSQL of PG_BIN (default /usr/lib/postgresql/15/bin).  A log goes to bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/lib.sh

if [ "${QUICK:-0}" = "1" ]; then
    N=${N:-10000} FILL=${FILL:-10000} BIG=${BIG:-100000} REPS=${REPS:-1}
fi
N=${N:-100000}
FILL=${FILL:-100000}
DUPS=${DUPS:-50}
BIG=${BIG:-1000000}
REPS=${REPS:-3}
PROFILE=${PROFILE:-1}
CR_PG_OPTS=${CR_PG_OPTS:-"-c shared_buffers=1GB -c max_wal_size=8GB -c checkpoint_timeout=30min -c synchronous_commit=off"}

for v in N FILL DUPS BIG REPS; do
    case "${!v}" in '' | *[!0-9]* | 0) echo "$v must be a positive number" >&2; exit 2 ;; esac
done
[ "$N" -ge 1000 ] || { echo "N must be at least 1000" >&2; exit 2; }
[ "$DUPS" -le 5000 ] || { echo "DUPS must be at most 5000" >&2; exit 2; }

mkdir -p bench/out
LOG=bench/out/merge_$(date +%Y%m%d_%H%M%S)_N$N.log
exec > >(tee "$LOG") 2>&1

PSQL="psql -X -q -v ON_ERROR_STOP=1"
SO=$PG_BIN/../lib/client_registry.so
echo "merge benchmark: (a) 2 clients, $N rows re-pointed, $FILL filler rows per table; (b) $DUPS duplicates at once;"
echo "                 (c) a $BIG-row user table without / with an index on its client column; REPS=$REPS"
echo "server settings: $CR_PG_OPTS"
echo "extension library: $(ls -la --time-style=full-iso "$SO" | awk '{print $6, $7, $5 " bytes"}')"
echo "machine: $(nproc) CPUs, $(free -g | awk '/^Mem:/ {print $2}') GB RAM; $($PG_BIN/postgres --version); started $(date '+%F %T')"
T_START=$(date +%s)

trap 'cr_stop_cluster; rm -f "${OUTF:-}"' EXIT
cr_start_cluster

elapsed() { printf '%.1f' "$(echo "$(date +%s.%N) - $1" | bc)"; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# --- templates -----------------------------------------------------------------------
build_template() {          # $1 template, $2 setup file, rest: psql -v assignments
    local tpl=$1 file=$2 t0
    shift 2
    t0=$(date +%s.%N)
    $PSQL -d postgres -c "CREATE DATABASE $tpl"
    $PSQL -d "$tpl" -c "CREATE EXTENSION client_registry CASCADE"
    $PSQL -d "$tpl" "$@" -f "$file"
    $PSQL -d "$tpl" -c "VACUUM ANALYZE"
    echo "  $tpl built in $(elapsed "$t0") s ($($PSQL -d "$tpl" -At -c "SELECT pg_size_pretty(pg_database_size(current_database()))"))"
}
echo
echo "templates:"
build_template tpl_pair bench/merge/setup_pair.sql -v rows="$N" -v fill="$FILL"
build_template tpl_many bench/merge/setup_many.sql -v dups="$DUPS" -v fill="$FILL"
build_template tpl_big bench/merge/setup_unindexed.sql -v big="$BIG" -v clients=10000
$PSQL -d tpl_pair -At -c "SELECT '  pair: merged client 3 is referenced by ' ||
    (SELECT count(*) FROM client_registry.invoice WHERE client_id = 3) || ' invoices, ' ||
    (SELECT count(*) FROM client_registry.payment WHERE client_id = 3) || ' payments, ' ||
    (SELECT count(*) FROM client_registry.client_address WHERE client_id = 3) || ' addresses, ' ||
    (SELECT count(*) FROM client_registry.client_bank_account WHERE client_id = 3) || ' bank accounts, ' ||
    (SELECT count(*) FROM client_registry.client_contact WHERE client_id = 3) || ' contacts, ' ||
    (SELECT count(*) FROM client_registry.client_label WHERE client_id = 3) || ' labels, ' ||
    (SELECT count(*) FROM public.delivery WHERE client_id = 3) || ' deliveries; tables hold ' ||
    (SELECT count(*) FROM client_registry.invoice) || ' invoices, ' ||
    (SELECT count(*) FROM public.delivery) || ' deliveries'"
PAIR_ROWS=$($PSQL -d tpl_pair -At -f bench/merge/rows_md5.sql)
MANY_ROWS=$($PSQL -d tpl_many -At -f bench/merge/rows_md5.sql)
DUP_IDS="{$(seq -s, 11 $((10 + DUPS)))}"

fresh() {                   # $1 template, $2 database: a fresh copy
    PGOPTIONS="-c client_min_messages=warning" $PSQL -d postgres -c "DROP DATABASE IF EXISTS $2" \
        -c "CREATE DATABASE $2 TEMPLATE $1 STRATEGY FILE_COPY"
}
drop() { PGOPTIONS="-c client_min_messages=warning" $PSQL -d postgres -c "DROP DATABASE IF EXISTS $1"; }
OUTF=$(mktemp /tmp/merge_bench_out.XXXXXX)
timed() {                   # $1 database, rest: psql arguments; prints the sum of its Time: lines (ms);
    local db=$1             # the output stays in $OUTF (read it with out)
    shift
    $PSQL -d "$db" -c '\timing on' "$@" >"$OUTF" 2>&1 || { cat "$OUTF" >&2; return 1; }
    awk '/^Time: / {s += $2} END {printf "%.1f", s}' "$OUTF"
}
out() { cat "$OUTF"; }
journal() {                 # $1 database: rows re-pointed, rows changed in all, journal size
    $PSQL -d "$1" -At -F ' ' -c "SELECT COALESCE(sum(row_count) FILTER (WHERE reason = 're-point'), 0),
        COALESCE(sum(row_count), 0), pg_size_pretty(pg_total_relation_size('client_registry.client_merge_step'))
        FROM client_registry.client_merge_step"
}
zero_balances() { $PSQL -d "$1" -At -c "SELECT count(*) FROM client_registry.client_balance WHERE receivable = 0 AND payable = 0"; }
check() {                   # $1 what, $2 expected, $3 got
    if [ "$2" = "$3" ]; then echo "      check: $1: ok"; else echo "      CHECK FAILED: $1"; echo "        expected $2"; echo "        got      $3"; fi
}
declare -A T                # T[measurement,rep] milliseconds
declare -A INFO

# --- (a) two clients --------------------------------------------------------------------
pair_baseline() {           # $1 rep
    fresh tpl_pair m_run
    T[a_base,$1]=$(timed m_run -v keep=2 -v merged=3 -f bench/merge/baseline_pair.sql)
    INFO[a_base_sig]=$($PSQL -d m_run -At -f bench/merge/signature.sql)
    printf '  run %d  baseline (bare UPDATEs + DELETE)  %9.1f ms\n' "$1" "${T[a_base,$1]}"
    drop m_run
}
pair_merge() {              # $1 rep
    local j mid
    fresh tpl_pair m_run
    T[a_merge,$1]=$(timed m_run -At -c "SELECT client_registry.merge_clients(2, 3)")
    mid=$(out | grep -E '^[0-9]+$' | head -n 1)
    out | grep -E 'WARNING' | sed 's/^/      /' || true
    INFO[a_merge_sig]=$($PSQL -d m_run -At -f bench/merge/signature.sql)
    j=$(journal m_run)
    read -r INFO[a_repointed] INFO[a_changed] INFO[a_journal] <<<"$j"
    T[a_unmerge,$1]=$(timed m_run -At -c "SELECT client_registry.unmerge($mid)")
    INFO[a_restored]=$(out | grep -E '^[0-9]+$' | head -n 1)
    printf '  run %d  merge_clients(2, 3)                %9.1f ms   (%s rows re-pointed, %s changed in all, journal %s)\n' \
        "$1" "${T[a_merge,$1]}" "${INFO[a_repointed]}" "${INFO[a_changed]}" "${INFO[a_journal]}"
    printf '  run %d  unmerge(%s)                         %9.1f ms   (%s rows put back)\n' "$1" "$mid" "${T[a_unmerge,$1]}" "${INFO[a_restored]}"
    check "merge leaves what the baseline leaves (rows per client and table, primaries, balances)" \
        "${INFO[a_base_sig]:-${INFO[a_merge_sig]}}" "${INFO[a_merge_sig]}"
    check "after unmerge every row is as before (md5 of every row of 8 tables, non-zero balances)" \
        "$PAIR_ROWS" "$($PSQL -d m_run -At -f bench/merge/rows_md5.sql)"
    INFO[a_zero]=$(zero_balances m_run)
    drop m_run
}
pair_preview() {            # $1 rep
    fresh tpl_pair m_run
    T[a_preview,$1]=$(timed m_run -c "SELECT count(*) FROM client_registry.merge_preview(2, 3)")
    printf '  run %d  merge_preview(2, 3)                %9.1f ms\n' "$1" "${T[a_preview,$1]}"
    check "merge_preview changed nothing" "$PAIR_ROWS|0" \
        "$($PSQL -d m_run -At -f bench/merge/rows_md5.sql)|$($PSQL -d m_run -At -c "SELECT count(*) FROM client_registry.client_merge")"
    drop m_run
}
echo
echo "(a) merging client 3 into client 2 ($N rows re-pointed), fresh copy per measurement"
echo "    (run 0: a warm-up baseline, not counted; the first measurement after the templates is slower):"
pair_baseline 0
for ((rep = 1; rep <= REPS; rep++)); do
    if ((rep % 2)); then pair_baseline $rep; pair_merge $rep; else pair_merge $rep; pair_baseline $rep; fi
    pair_preview $rep
done
[ "${INFO[a_zero]:-0}" = 0 ] || echo "  note: after unmerge, client_balance keeps ${INFO[a_zero]} zero row(s) the merge created (derived data)"

# --- (b) many duplicates at once ------------------------------------------------------------
many_baseline() {
    fresh tpl_many m_run
    T[b_base,$1]=$(timed m_run -v keep=2 -v ids="$DUP_IDS" -f bench/merge/baseline_many.sql)
    INFO[b_base_sig]=$($PSQL -d m_run -At -f bench/merge/signature.sql)
    printf '  run %d  baseline (bare UPDATEs + DELETE)  %9.1f ms\n' "$1" "${T[b_base,$1]}"
    drop m_run
}
many_merge() {
    local j mid
    fresh tpl_many m_run
    T[b_merge,$1]=$(timed m_run -At -c "SELECT client_registry.merge_clients(2, VARIADIC '$DUP_IDS'::bigint[])")
    mid=$(out | grep -E '^[0-9]+$' | head -n 1)
    INFO[b_merge_sig]=$($PSQL -d m_run -At -f bench/merge/signature.sql)
    j=$(journal m_run)
    read -r INFO[b_repointed] INFO[b_changed] INFO[b_journal] <<<"$j"
    INFO[b_steps]=$($PSQL -d m_run -At -c "SELECT count(*) FROM client_registry.client_merge_step")
    T[b_unmerge,$1]=$(timed m_run -At -c "SELECT client_registry.unmerge($mid)")
    printf '  run %d  merge_clients(2, %d duplicates)     %9.1f ms   (%s rows re-pointed, %s changed in all, %s journal steps, journal %s)\n' \
        "$1" "$DUPS" "${T[b_merge,$1]}" "${INFO[b_repointed]}" "${INFO[b_changed]}" "${INFO[b_steps]}" "${INFO[b_journal]}"
    printf '  run %d  unmerge                            %9.1f ms\n' "$1" "${T[b_unmerge,$1]}"
    check "merge leaves what the baseline leaves" "${INFO[b_base_sig]:-${INFO[b_merge_sig]}}" "${INFO[b_merge_sig]}"
    check "after unmerge every row is as before" "$MANY_ROWS" "$($PSQL -d m_run -At -f bench/merge/rows_md5.sql)"
    drop m_run
}
echo
echo "(b) merging $DUPS duplicates into client 2 at once:"
for ((rep = 1; rep <= REPS; rep++)); do
    if ((rep % 2)); then many_baseline $rep; many_merge $rep; else many_merge $rep; many_baseline $rep; fi
done

# --- (c) a referencing column without an index ----------------------------------------------
BIG_BASE="BEGIN; UPDATE public.ledger_entry SET client_id = 2 WHERE tenant_id = 1 AND client_id = 3;
UPDATE client_registry.client_address SET client_id = 2 WHERE tenant_id = 1 AND client_id = 3;
DELETE FROM client_registry.client WHERE id = 3; COMMIT;"
big_index() {               # $1 noidx|idx|idx1: the index of the variant
    case "$1" in
        idx) $PSQL -d m_run -c "CREATE INDEX ledger_entry_client_idx ON public.ledger_entry (tenant_id, client_id)" -c "ANALYZE public.ledger_entry" ;;
        idx1) $PSQL -d m_run -c "CREATE INDEX ledger_entry_client_id_idx ON public.ledger_entry (client_id)" -c "ANALYZE public.ledger_entry" ;;
    esac
}
big_case() {                # $1 rep, $2 noidx|idx|idx1, $3 merge|base
    local key="c_$3_$2"
    fresh tpl_big m_run
    big_index "$2"
    $PSQL -d m_run -c "CHECKPOINT"
    if [ "$3" = merge ]; then
        T[$key,$1]=$(timed m_run -At -c "SELECT client_registry.merge_clients(2, 3)")
        INFO[c_warn_$2]=$(out | grep -E 'WARNING|HINT' || true)
    else
        T[$key,$1]=$(echo "$BIG_BASE" | timed m_run -f -)
    fi
    printf '  run %d  %-5s %-8s %9.1f ms\n' "$1" "$2" "$3" "${T[$key,$1]}"
    drop m_run
}
echo
echo "(c) a $BIG-row user table public.ledger_entry whose client column has no index (merging client 3 into 2,"
echo "    $((BIG / 10000)) rows each) [noidx], then with CREATE INDEX ON public.ledger_entry (tenant_id, client_id) [idx],"
echo "    or with the index the warning's hint names, (client_id) [idx1]:"
for ((rep = 1; rep <= REPS; rep++)); do
    if ((rep % 2)); then order=(noidx idx idx1); else order=(idx1 idx noidx); fi
    for ix in "${order[@]}"; do big_case $rep "$ix" merge; big_case $rep "$ix" base; done
done
echo "  the merge without the index says:"
echo "${INFO[c_warn_noidx]:-  (no warning!)}" | sed 's/^/    /'
for ix in idx idx1; do
    [ -z "${INFO[c_warn_$ix]:-}" ] && echo "  with the index [$ix]: no warning" || { echo "  with the index [$ix], still:"; echo "${INFO[c_warn_$ix]}" | sed 's/^/    /'; }
done

# --- profile --------------------------------------------------------------------------------
profile() {                 # $1 template, $2 merge call, $3 title, [$4 (c) index variant]
    local out
    fresh "$1" m_run
    big_index "${4:-noidx}"
    out=$($PSQL -d m_run -c "LOAD 'auto_explain'" -c "SET auto_explain.log_min_duration = 0" \
        -c "SET auto_explain.log_nested_statements = on" -c "SET auto_explain.log_analyze = on" \
        -c "SET auto_explain.log_timing = off" -c "SET auto_explain.log_level = notice" -c "$2" 2>&1)
    echo "  $3 (total statements: $(echo "$out" | grep -c '^Query Text:'); the top 8 by time, with their scans):"
    echo "$out" | sed -E 's/ *OPERATOR\(pg_catalog\.([^)]*)\) */ \1 /g' | awk '
        /NOTICE:  duration:/ { match($0, /duration: [0-9.]+ ms/); d = substr($0, RSTART + 10, RLENGTH - 13); q = ""; next }
        /^Query Text: / { q = substr($0, 13); gsub(/  +/, " ", q)
                          q = substr(q, 1, 88); s[q] += d; c[q]++; next }
        q != "" && /(Seq Scan|Index Scan|Index Only Scan|Bitmap Index Scan)( using [^ ]+)? on / && !/never executed/ {
            n = $0; sub(/^ *(-> *)?/, "", n); sub(/ *\(cost=.*/, "", n)
            if (index(scans[q], n) == 0) scans[q] = scans[q] (scans[q] == "" ? "" : ", ") n }
        END { for (q in s) if (q !~ /merge_clients\(/) printf "%10.1f %6d  %s\n        scans: %s\n", s[q], c[q], q, (scans[q] == "" ? "-" : scans[q]) }' |
        paste - - | sort -rn | awk 'NR <= 8' | tr '\t' '\n' | awk 'NR % 2 {printf "    %s ms x %s  %s\n", $1, $2, substr($0, index($0, $3))} !(NR % 2) {print}'
    drop m_run
}
if [ "$PROFILE" = "1" ]; then
    echo
    echo "profile (auto_explain ANALYZE without timing, nested statements; ms summed per statement text,"
    echo "inflated by the instrumentation; merges of the same data as above):"
    profile tpl_pair "SELECT client_registry.merge_clients(2, 3)" "(a) merge_clients(2, 3)"
    profile tpl_many "SELECT client_registry.merge_clients(2, VARIADIC '$DUP_IDS'::bigint[])" "(b) merge of $DUPS duplicates"
    profile tpl_big "SELECT client_registry.merge_clients(2, 3)" "(c) merge with the index on ledger_entry (tenant_id, client_id)" idx
fi

# --- summary --------------------------------------------------------------------------------
med() { local vals="" rep; for ((rep = 1; rep <= REPS; rep++)); do vals="$vals ${T[$1,$rep]}"; done; echo "$vals" | median; }
ratio() { printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }
echo
echo "median of $REPS run(s), milliseconds:"
printf '  %-58s %10s %10s\n' case ms x_baseline
row() { printf '  %-58s %10.1f %10s\n' "$1" "$2" "$3"; }
row "(a) baseline: bare UPDATEs of $N rows + DELETE" "$(med a_base)" "1.00"
row "(a) merge_clients(2, 3)" "$(med a_merge)" "$(ratio "$(med a_merge)" "$(med a_base)")"
row "(a) merge_preview(2, 3)" "$(med a_preview)" "$(ratio "$(med a_preview)" "$(med a_base)")"
row "(a) unmerge" "$(med a_unmerge)" "$(ratio "$(med a_unmerge)" "$(med a_base)")"
row "(b) baseline: bare UPDATEs of $DUPS duplicates + DELETE" "$(med b_base)" "1.00"
row "(b) merge_clients(2, $DUPS duplicates): ${INFO[b_repointed]} rows re-pointed" "$(med b_merge)" "$(ratio "$(med b_merge)" "$(med b_base)")"
row "(b) unmerge" "$(med b_unmerge)" "$(ratio "$(med b_unmerge)" "$(med b_base)")"
row "(c) no index: baseline UPDATE + DELETE" "$(med c_base_noidx)" "1.00"
row "(c) no index: merge_clients(2, 3)" "$(med c_merge_noidx)" "$(ratio "$(med c_merge_noidx)" "$(med c_base_noidx)")"
row "(c) index (tenant_id, client_id): baseline UPDATE + DELETE" "$(med c_base_idx)" "1.00"
row "(c) index (tenant_id, client_id): merge_clients(2, 3)" "$(med c_merge_idx)" "$(ratio "$(med c_merge_idx)" "$(med c_base_idx)")"
row "(c) index (client_id): baseline UPDATE + DELETE" "$(med c_base_idx1)" "1.00"
row "(c) index (client_id): merge_clients(2, 3)" "$(med c_merge_idx1)" "$(ratio "$(med c_merge_idx1)" "$(med c_base_idx1)")"
echo
echo "ratio merge/baseline (a): $(ratio "$(med a_merge)" "$(med a_base)")   (goal <= 1.5)"
echo "ratio merge/baseline (b): $(ratio "$(med b_merge)" "$(med b_base)")"
echo "(c) merge without the index / with (tenant_id, client_id): $(ratio "$(med c_merge_noidx)" "$(med c_merge_idx)"); / with (client_id): $(ratio "$(med c_merge_noidx)" "$(med c_merge_idx1)")"
echo "total run time: $(($(date +%s) - T_START)) s"
echo "(log: $LOG)"
