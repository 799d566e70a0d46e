#!/usr/bin/env bash
# bench/credit_control.sh -- cost of posting sales with running balances and credit control.
#
# Posting a sale adds its base amount to the buyer's row of client_balance with one
# INSERT ... ON CONFLICT DO UPDATE ... RETURNING (src/client_balance.c) and, with credit control
# 'warn'/'strict', compares the result with client.credit_limit: no SUM over the history.  This
# measures it, with pgbench, one transaction per invoice as an application posts it (a draft
# invoice, one VAT line, UPDATE ... SET status = 'posted'; bench/credit_control/post_sale.sql),
# connected as an application role (row-level security on):
#
#   1. history   a buyer with SMALL (1,000) posted invoices vs one with BIG (1,000,000), both
#                credit_control 'strict' with a limit never reached; 1 pgbench client;
#   2. control   the BIG buyer with credit_control 'strict' vs 'none' (the balance is kept
#                in both modes; 'none' skips only the comparison with the limit);
#      diagnostic: the BIG buyer with the balance trigger disabled (no balance, no credit
#                control at all; client_balance is rebuilt afterwards); DIAG=0 leaves it out;
#   3. contention  4 pgbench clients (-c 4 -j 2) selling to ONE buyer (they serialize on its
#                balance row, by design) vs to 4 different buyers.
#
# The history is loaded as a restore loads it (COPY ... FROM with row_security = off, as pg_dump's
# scripts do: invoices already posted with their totals, one VAT line each; the balance trigger
# still adds them to client_balance), then VACUUM ANALYZE (what
# autovacuum would have done by then).  balance_discrepancies() is checked after the load and at
# the end.  The plans of every statement one posting runs, the triggers' included, are shown for
# both buyers (auto_explain, nested statements): they must be index lookups.
#
# The single-client cases run REPS times each in alternating order; tables show the median.
# Times are measured, never asserted.
#
# Usage: [N_BIG=1000000] [N_SMALL=1000] [T=15] [TC=15] [REPS=3] [DIAG=1] bash bench/credit_control.sh
#   QUICK=1 bash bench/credit_control.sh     smoke run (N_BIG=20000, 3-second runs, REPS=1)
# Needs root (the cluster runs as the postgres OS user) and the extension installed in
# /usr/lib/postgresql/15.  About 7 minutes with the defaults.  A log goes to bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/lib.sh

if [ "${QUICK:-0}" = "1" ]; then
    N_BIG=${N_BIG:-20000} T=${T:-3} TC=${TC:-3} REPS=${REPS:-1}
fi
N_BIG=${N_BIG:-1000000}
N_SMALL=${N_SMALL:-1000}
T=${T:-15}                  # seconds per single-client run
TC=${TC:-15}                # seconds per contended run
REPS=${REPS:-3}
DIAG=${DIAG:-1}
CR_PG_OPTS=${CR_PG_OPTS:-"-c shared_buffers=1GB -c max_wal_size=8GB -c synchronous_commit=off"}

for v in N_BIG N_SMALL T TC REPS; do
    case "${!v}" in '' | *[!0-9]* | 0) echo "$v must be a positive number" >&2; exit 2 ;; esac
done

human() {                   # 1000 -> 1k, 1000000 -> 1M
    local n=$1
    if ((n >= 1000000 && n % 1000000 == 0)); then echo "$((n / 1000000))M"
    elif ((n >= 1000 && n % 1000 == 0)); then echo "$((n / 1000))k"
    else echo "$n"; fi
}
HB=$(human "$N_BIG")
HS=$(human "$N_SMALL")

mkdir -p bench/out
STAMP=$(date +%Y%m%d_%H%M%S)
LOG=bench/out/credit_control_${STAMP}_N$HB.log
PLANS=bench/out/credit_control_${STAMP}_N${HB}_plans.log
exec > >(tee "$LOG") 2>&1

PSQL="psql -X -q -v ON_ERROR_STOP=1"
DB=bench_cc
SO=$PG_BIN/../lib/client_registry.so
echo "credit-control benchmark: history $HS vs $HB posted invoices, ${T}s runs x $REPS (single client), ${TC}s runs x $REPS (contended)"
echo "server settings: $CR_PG_OPTS"
echo "extension library: $(ls -la --time-style=full-iso "$SO" | awk '{print $6, $7, $5 " bytes"}')"
echo "machine: $(nproc) CPUs, $(free -g | awk '/^Mem:/ {print $2}') GB RAM; $($PG_BIN/postgres --version); started $(date '+%F %T')"
T_START=$(date +%s)

trap cr_stop_cluster EXIT
cr_start_cluster

elapsed() { printf '%.1f' "$(echo "$(date +%s.%N) - $1" | bc)"; }

# --- schema, clients, history --------------------------------------------------
$PSQL -d postgres -c "CREATE DATABASE $DB"
$PSQL -d $DB -f bench/credit_control/setup.sql
id_of() { $PSQL -d $DB -At -c "SELECT id FROM client_registry.client WHERE name = '$1'"; }
SMALL=$(id_of 'UAB Mazas')
BIG=$(id_of 'UAB Didelis')
K1=$(id_of 'UAB Kitas 1')
K4=$(id_of 'UAB Kitas 4')
[ "$K4" = $((K1 + 3)) ] || { echo "ERROR: the contention buyers' ids are not consecutive" >&2; exit 1; }
echo "buyers: $SMALL 'UAB Mazas' (history $HS), $BIG 'UAB Didelis' (history $HB), $K1..$K4 'UAB Kitas 1..4' (history $HS each)"

load_history() {            # $1 buyer, $2 invoices, $3 number prefix
    local t0
    t0=$(date +%s.%N)
    $PSQL -d $DB -v buyer="$1" -v n="$2" -v prefix="$3" -f bench/credit_control/history.sql
    printf '  buyer %-3s %8d posted invoices + lines in %6.1f s\n' "$1" "$2" "$(elapsed "$t0")"
}
echo
echo "history (restore mode, 250 invoices per transaction, balance kept by the trigger):"
load_history "$SMALL" "$N_SMALL" "H$SMALL-"
load_history "$BIG" "$N_BIG" "H$BIG-"
for ((k = K1; k <= K4; k++)); do load_history "$k" "$N_SMALL" "H$k-"; done
t0=$(date +%s.%N)
$PSQL -d $DB -c "VACUUM ANALYZE" -c "CHECKPOINT"
echo "  VACUUM ANALYZE + CHECKPOINT in $(elapsed "$t0") s"
$PSQL -d $DB -At -c "SELECT format('  invoice: %s rows, %s (indexes %s); invoice_vat_line: %s rows, %s',
        (SELECT count(*) FROM client_registry.invoice), pg_size_pretty(pg_table_size('client_registry.invoice')),
        pg_size_pretty(pg_indexes_size('client_registry.invoice')),
        (SELECT count(*) FROM client_registry.invoice_vat_line),
        pg_size_pretty(pg_total_relation_size('client_registry.invoice_vat_line')))"
echo
echo "after the load:"
$PSQL -d $DB -f bench/credit_control/verify.sql
discrepancies() { $PSQL -d $DB -At -c "SELECT count(*) FROM client_registry.balance_discrepancies()"; }
[ "$(discrepancies)" = 0 ] || { echo "ERROR: balances wrong after the load" >&2; exit 1; }

# --- plans of one posting, nested statements included --------------------------------
plan_summary() {            # condenses auto_explain NOTICEs: one line per statement
    # Sequential scans are counted on the tables that grow with the history; the client,
    # contract and instalment tables hold a few rows here, so the planner rightly scans them.
    sed -E 's/ *OPERATOR\(pg_catalog\.([^)]*)\) */ \1 /g' | awk '
        /NOTICE:  duration:/ { if (q != "") out(); match($0, /duration: [0-9.]+ ms/); d = substr($0, RSTART + 10, RLENGTH - 13); q = ""; nodes = ""; buf = ""; next }
        /^Query Text: / { q = substr($0, 13); gsub(/  +/, " ", q)
                          if (q ~ /measured posting/) q = ""; next }
        q != "" && buf == "" && /Buffers: shared/ { buf = $0; sub(/.*Buffers: shared /, "", buf) }
        q != "" && /(Scan|Conflict Arbiter)/ && !/never executed/ {
            s = $0; sub(/^ *(-> *)?/, "", s); sub(/ *\(cost=.*/, "", s); sub(/Conflict Arbiter Indexes: /, "arbiter ", s)
            nodes = nodes (nodes == "" ? "" : "; ") s
            if (s ~ /Seq Scan on (invoice|invoice_vat_line|client_balance|payment|settlement)( |$)/) seq++
        }
        function out() { printf "    %7s ms  %-16s %-62.62s  %s\n", d, buf, q, (nodes == "" ? "(no scan)" : nodes) }
        END { if (q != "") out(); printf "    sequential scans of invoice, invoice_vat_line, client_balance, payment, settlement: %d\n", seq + 0 }'
}
echo
echo "plans of one posting as bench_app (the session's 2nd posting; auto_explain with ANALYZE and BUFFERS;"
echo "a trigger's statements are listed before the statement that fired them; full plans in $PLANS):"
for b in "$SMALL" "$BIG"; do
    out=$($PSQL -d $DB -v buyer="$b" -f bench/credit_control/explain.sql 2>&1)
    { echo "===== buyer $b ====="; echo "$out"; } >>"$PLANS"
    echo "  buyer $b (history $([ "$b" = "$BIG" ] && echo "$HB" || echo "$HS")):"
    echo "$out" | sed -n '/measured posting/,$p' | plan_summary
done

# --- pgbench runs ------------------------------------------------------------------
PGB="$PG_BIN/pgbench -n -M prepared -U bench_app -d $DB -f bench/credit_control/post_sale.sql -r"
declare -A TPS LAT STMT NTX
set_control() { $PSQL -d $DB -c "UPDATE client_registry.client SET credit_control = '$1' WHERE id = $BIG"; }
run_case() {                # $1 case, $2 rep
    local c=$1 rep=$2 out first nb clients=1 jobs=1 secs=$T
    case "$c" in
        h_small) first=$SMALL nb=1; set_control strict ;;
        h_big) first=$BIG nb=1; set_control strict ;;
        big_off) first=$BIG nb=1; set_control none ;;
        big_notrig) first=$BIG nb=1; set_control strict
            $PSQL -d $DB -c "ALTER TABLE client_registry.invoice DISABLE TRIGGER invoice_30_balance_insert, DISABLE TRIGGER invoice_31_balance_update, DISABLE TRIGGER invoice_32_balance_delete" ;;
        one_buyer) first=$K1 nb=1 clients=4 jobs=2 secs=$TC ;;
        four_buyers) first=$K1 nb=4 clients=4 jobs=2 secs=$TC ;;
    esac
    out=$($PGB -D first="$first" -D nbuyers="$nb" -c $clients -j $jobs -T "$secs" 2>&1) || { echo "$out"; exit 1; }
    if [ "$c" = big_notrig ]; then
        $PSQL -d $DB -c "ALTER TABLE client_registry.invoice ENABLE TRIGGER invoice_30_balance_insert, ENABLE TRIGGER invoice_31_balance_update, ENABLE TRIGGER invoice_32_balance_delete"
        $PSQL -d $DB -At -c "SELECT client_registry.rebuild_balances()" >/dev/null
    fi
    [ "$c" = big_off ] && set_control strict
    if echo "$out" | grep -q '^number of failed transactions: [1-9]'; then
        echo "$out"; echo "ERROR: failed transactions in $c" >&2; exit 1
    fi
    TPS[$c,$rep]=$(echo "$out" | awk '/^tps = / {print $3}')
    LAT[$c,$rep]=$(echo "$out" | awk '/^latency average = / {print $4}')
    NTX[$c,$rep]=$(echo "$out" | awk '/^number of transactions actually processed: / {print $6}')
    # per-statement latencies (ms): insert invoice, insert line, post, commit
    STMT[$c,$rep]=$(echo "$out" | awk '
        /INSERT INTO client_registry.invoice \(/ {a = $1} /INSERT INTO client_registry.invoice_vat_line/ {b = $1}
        /UPDATE client_registry.invoice SET status/ {c = $1} / COMMIT;/ {d = $1}
        END {print a, b, c, d}')
    printf '  run %d %-12s c=%d %6d tx  tps %8.1f  latency %7.3f ms   (insert %s, line %s, post %s, commit %s ms)\n' \
        "$rep" "$c" $clients "${NTX[$c,$rep]}" "${TPS[$c,$rep]}" "${LAT[$c,$rep]}" ${STMT[$c,$rep]}
}

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
med() {                     # $1 array name (TPS/LAT), $2 case
    local -n arr=$1
    local vals="" rep
    for ((rep = 1; rep <= REPS; rep++)); do vals="$vals ${arr[$2,$rep]}"; done
    echo "$vals" | median
}
med_stmt() {                # $1 case, $2 field 1..4
    local vals="" rep
    for ((rep = 1; rep <= REPS; rep++)); do vals="$vals $(echo "${STMT[$1,$rep]}" | awk -v f="$2" '{print $f}')"; done
    echo "$vals" | median
}

SINGLE=(h_small h_big big_off)
[ "$DIAG" = "1" ] && SINGLE+=(big_notrig)
CONT=(one_buyer four_buyers)

echo
echo "warm-up (not counted):"
$PGB -D first="$SMALL" -D nbuyers=1 -T 3 >/dev/null 2>&1
$PGB -D first="$BIG" -D nbuyers=1 -T 3 >/dev/null 2>&1
echo "  done"
echo
echo "single client (pgbench -c 1 -M prepared -T $T), order alternating:"
for ((rep = 1; rep <= REPS; rep++)); do
    if ((rep % 2)); then order=("${SINGLE[@]}"); else order=(); for ((i = ${#SINGLE[@]} - 1; i >= 0; i--)); do order+=("${SINGLE[$i]}"); done; fi
    for c in "${order[@]}"; do run_case "$c" "$rep"; done
done
echo
echo "contended (pgbench -c 4 -j 2 -M prepared -T $TC), order alternating:"
for ((rep = 1; rep <= REPS; rep++)); do
    if ((rep % 2)); then order=(one_buyer four_buyers); else order=(four_buyers one_buyer); fi
    for c in "${order[@]}"; do run_case "$c" "$rep"; done
done

echo
echo "at the end:"
$PSQL -d $DB -f bench/credit_control/verify.sql
[ "$(discrepancies)" = 0 ] || { echo "ERROR: balances wrong at the end" >&2; exit 1; }

# --- summary -------------------------------------------------------------------------
declare -A DESC=(
    [h_small]="buyer with $HS posted, strict"
    [h_big]="buyer with $HB posted, strict"
    [big_off]="buyer with $HB posted, none"
    [big_notrig]="$HB, balance trigger off (diag)"
    [one_buyer]="4 clients -> 1 buyer, strict"
    [four_buyers]="4 clients -> 4 buyers, strict")
echo
echo "median of $REPS run(s); latency = average ms per posting transaction (pgbench), per statement in ms:"
printf '%-12s %-34s %9s %10s %9s %8s %8s %8s\n' case description tps latency_ms insert line post commit
for c in "${SINGLE[@]}" "${CONT[@]}"; do
    printf '%-12s %-34s %9.1f %10.3f %9.3f %8.3f %8.3f %8.3f\n' "$c" "${DESC[$c]}" "$(med TPS "$c")" "$(med LAT "$c")" \
        "$(med_stmt "$c" 1)" "$(med_stmt "$c" 2)" "$(med_stmt "$c" 3)" "$(med_stmt "$c" 4)"
done
r() { printf '%.3f' "$(echo "$1 / $2" | bc -l)"; }
echo
echo "ratio history_$HB/history_$HS: $(r "$(med LAT h_big)" "$(med LAT h_small)")   (time per posting; goal <= 1.1)"
echo "ratio control_on/control_off: $(r "$(med LAT h_big)" "$(med LAT big_off)")   (time per posting, history $HB; goal <= 1.3)"
[ "$DIAG" = "1" ] && echo "ratio control_on/no_balance_trigger: $(r "$(med LAT h_big)" "$(med LAT big_notrig)")   (diagnostic: the whole balance + credit check)"
echo "ratio post statement history_$HB/history_$HS: $(r "$(med_stmt h_big 3)" "$(med_stmt h_small 3)")   (the UPDATE ... 'posted' alone)"
printf 'contended tps: one buyer %.1f, four buyers %.1f; ' "$(med TPS one_buyer)" "$(med TPS four_buyers)"
echo "ratio four_buyers/one_buyer: $(r "$(med TPS four_buyers)" "$(med TPS one_buyer)")"
echo "(the machine has $(nproc) CPUs: with 4 clients, 4 buyers can at best run $(nproc) postings at once)"
echo "total run time: $(($(date +%s) - T_START)) s"
echo "(log: $LOG)"
