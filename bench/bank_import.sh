#!/usr/bin/env bash
# bench/bank_import.sh -- bank statement import benchmark of client_registry.
#
# A camt.053.001.02 statement of N credit entries (90% from the IBANs of N
# clients, each with one bank account; 10% from unknown accounts) is imported
#   c         by the C function import_camt053() (libxml2 stream reader);
#   xpath     by the same import written in SQL with PostgreSQL's xpath():
#             one xpath() call per field of each entry (bench_import_xpath);
#   xmltable  by the same import in SQL with XMLTABLE over the entries
#             (bench_import_xmltable) -- the best plain-SQL baseline.
#   c_read, xpath_read, xmltable_read  reading only: every field of every
#             entry extracted (read_camt053() / the same SELECTs), nothing
#             inserted -- the cost of the XML reading alone.
# All three record the entries into bank_statement / bank_entry with the same
# keys and then run the same matching, payment and settlement statements
# (bench/bank_import/sql_import.sql copies them from src/camt053_import.c),
# so the difference is reading the XML.  Each variant runs in a fresh copy
# of the same database (CREATE DATABASE ... TEMPLATE), REPS times; the table
# shows the median.  Times are measured, never asserted.
#
# Usage: [N=100000] [REPS=1] [VARIANTS="c xpath xmltable"] bash bench/bank_import.sh
#   N=2000 bash bench/bank_import.sh        quick smoke run
# Needs root (the cluster runs as the postgres OS user) and the extension
# installed for PG_BIN.  A log goes to bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/lib.sh

N=${N:-100000}
REPS=${REPS:-1}
VARIANTS=${VARIANTS:-"c xpath xmltable c_read xpath_read xmltable_read"}
CR_PG_OPTS=${CR_PG_OPTS:-"-c shared_buffers=512MB -c max_wal_size=8GB -c checkpoint_timeout=30min -c synchronous_commit=off -c work_mem=64MB"}
case "$N" in '' | *[!0-9]*) echo "N must be a number" >&2; exit 2 ;; esac
case "$REPS" in '' | *[!0-9]* | 0) echo "REPS must be a positive number" >&2; exit 2 ;; esac

mkdir -p bench/out
LOG=bench/out/bank_import_$(date +%Y%m%d_%H%M%S)_N$N.log
exec > >(tee "$LOG") 2>&1

PSQL="psql -X -q -v ON_ERROR_STOP=1"
echo "bank import benchmark: N=$N entries against N=$N clients, REPS=$REPS, variants: $VARIANTS"
echo "server settings: $CR_PG_OPTS"

trap cr_stop_cluster EXIT
cr_start_cluster

t0=$(date +%s)
$PSQL -d postgres -c "CREATE DATABASE bench_tpl"
$PSQL -d bench_tpl -c "CREATE EXTENSION client_registry CASCADE"
$PSQL -d bench_tpl -v N="$N" -f bench/bank_import/setup.sql
$PSQL -d bench_tpl -f bench/bank_import/sql_import.sql
echo "setup: $(( $(date +%s) - t0 )) s; statement of $($PSQL -Atd bench_tpl -c "SELECT pg_size_pretty(octet_length(doc)::bigint) FROM public.bench_doc")"

run_variant() {   # $1 = variant, prints seconds
    local v=$1 db=bench_run call
    case $v in
        c)        call="SELECT sum(entries) FROM client_registry.import_camt053((SELECT doc FROM public.bench_doc))" ;;
        xpath)    call="SELECT public.bench_import_xpath((SELECT doc FROM public.bench_doc))" ;;
        xmltable) call="SELECT public.bench_import_xmltable((SELECT doc FROM public.bench_doc))" ;;
        c_read)   call="SELECT count(r.*) FROM client_registry.read_camt053((SELECT doc FROM public.bench_doc)) r" ;;
        xpath_read)    call="SELECT public.bench_read_xpath((SELECT doc FROM public.bench_doc))" ;;
        xmltable_read) call="SELECT public.bench_read_xmltable((SELECT doc FROM public.bench_doc))" ;;
        *) echo "unknown variant $v" >&2; exit 2 ;;
    esac
    $PSQL -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db TEMPLATE bench_tpl"
    $PSQL -d $db -c "CHECKPOINT" >/dev/null
    $PSQL -Atd $db >/tmp/cr_bench_bank.$$ <<SQL
SET client_registry.tenant = 1;
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
$call;
SELECT 'SECS ' || round((extract(epoch FROM clock_timestamp()) - :t0)::numeric, 2);
SELECT 'CHECK entries=' || (SELECT count(*) FROM client_registry.bank_entry)
    || ' matched=' || (SELECT count(*) FROM client_registry.bank_entry WHERE client_id IS NOT NULL)
    || ' payments=' || (SELECT count(*) FROM client_registry.payment)
    || ' queued=' || (SELECT count(*) FROM client_registry.bank_entry_queue)
    || ' paid=' || (SELECT sum(amount) FROM client_registry.payment)
    || ' md5=' || (SELECT md5(string_agg(concat_ws('|', entry_key, amount, currency, credit_debit, status, booking_date,
                          value_date, bank_tx_code, end_to_end_id, counterparty_name, counterparty_iban, counterparty_bic,
                          remittance, client_id, match_reason, match_note), ',' ORDER BY entry_key))
                     FROM client_registry.bank_entry);
SQL
    case $v in *_read) ;; *) grep -h '^CHECK' /tmp/cr_bench_bank.$$ | sed "s/^/  $v: /" >&2 ;; esac
    grep -h '^SECS' /tmp/cr_bench_bank.$$ | awk '{print $2}'
    rm -f /tmp/cr_bench_bank.$$
    $PSQL -d postgres -c "DROP DATABASE $db"
}

declare -A times
for rep in $(seq 1 "$REPS"); do
    for v in $VARIANTS; do
        s=$(run_variant "$v")
        echo "rep $rep $v: $s s"
        times[$v]="${times[$v]:-} $s"
    done
done

median() { tr ' ' '\n' | { grep -v '^$' || true; } | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
echo
echo "N=$N entries, $N clients (median of $REPS)"
printf "%-14s %10s %12s %14s\n" variant seconds entries/s "x C"
for v in $VARIANTS; do
    m=$(echo "${times[$v]}" | median)
    case $v in *_read) base=c_read ;; *) base=c ;; esac
    c_med=$(echo "${times[$base]:-}" | median)
    rate=$(awk -v n="$N" -v s="$m" 'BEGIN {printf "%.0f", (s > 0) ? n / s : 0}')
    ratio=$(awk -v s="$m" -v c="${c_med:-0}" 'BEGIN {printf (c > 0) ? "%.2f" : "-", s / c}')
    printf "%-14s %10s %12s %14s\n" "$v" "$m" "$rate" "$ratio"
done
echo "(x C: time / time of the C function doing the same: import vs c, reading vs c_read)"
echo "(the CHECK lines must agree between variants: same entries, matches, payments and content)"
echo "log: $LOG"
