#!/usr/bin/env bash
# bench/isaf_export.sh -- the i.SAF export in C against the best plain-SQL equivalent.
#
# Loads N (default 1,000,000) posted sales invoices, one VAT line each, into one month
# (October 2026) and 2N into the next (November), then measures, each in a fresh backend:
#
#   1. C        the month of N as a user runs it: every part of the period from
#               isaf_files(..., 'S') (500,000 invoices per part, the schema's cap);
#   2. SQL      the same document (byte for byte, checked on one day) built in plain SQL:
#               xmlelement() per invoice, string_agg(...::text) over the invoices
#               (bench/isaf_export/string_agg.sql; xmlagg is quadratic and does not finish);
#   3. memory   the backend's peak memory exporting N and 2N invoices with parts of PART
#               invoices (default 100,000) and of 500,000: it follows the part, not the period.
#               "private" is the peak of RssAnon (the backend's own memory, sampled every 20 ms
#               from /proc/<pid>/status); VmHWM also counts the shared buffers it touched.
#
# Wall-clock seconds, backend CPU seconds (utime + stime of the backend, which is what the
# export costs; the wall clock also shows the machine's other load) and peak memory are
# printed, with ratios.  Times are measured, never asserted.
#
# Usage: [N=1000000] [PART=100000] [REPS_C=3] [PG_BIN=...] bash bench/isaf_export.sh
#   QUICK=1 bash bench/isaf_export.sh      smoke run (N=20000, PART=5000)
# Needs root (the cluster runs as the postgres OS user).  About 5 minutes with the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

if [ "${QUICK:-0}" = "1" ]; then N=${N:-20000} PART=${PART:-5000}; fi
N=${N:-1000000}
PART=${PART:-100000}
REPS_C=${REPS_C:-3}
N2=$((N * 2))
CR_PG_OPTS=${CR_PG_OPTS:-"-c shared_buffers=128MB -c max_wal_size=8GB -c synchronous_commit=off -c jit=off"}
for v in N PART; do
    case "${!v}" in '' | *[!0-9]* | 0) echo "$v must be a positive number" >&2; exit 2 ;; esac
done
TICK=$(getconf CLK_TCK)
mkdir -p bench/out
LOG=bench/out/isaf_export_$(date +%Y%m%d_%H%M%S).log
exec > >(tee "$LOG") 2>&1

cr_build_and_install || { echo "build failed" >&2; exit 1; }
cr_start_cluster
trap cr_stop_cluster EXIT
DB=isaf_bench
PSQL="psql -X -q -v ON_ERROR_STOP=1 -h $CR_PGHOST -p $CR_PGPORT -U postgres"
$PSQL -d postgres -c "CREATE DATABASE $DB"
$PSQL -d $DB -c "CREATE EXTENSION client_registry CASCADE"
$PSQL -d $DB <<'SQL'
SET search_path = client_registry, public;
SET client_registry.tenant = 1;
INSERT INTO client (id, kind, name, company_code, vat_code) VALUES (1, 'own_company', 'UAB Savi', '110003978', 'LT100001919017');
INSERT INTO client (id, kind, name, company_code, vat_code, sales_tax_category)
VALUES (2, 'buyer', 'UAB Pirkėjas', '188772433', 'LT119511515', 'PVM1');
SQL
elapsed() { echo "$(date +%s.%N) - $1" | bc; }
t0=$(date +%s.%N)
$PSQL -d $DB -v n=$N -v month=2026-10-01 -v chunk=250000 -f bench/isaf_export/load.sql
$PSQL -d $DB -v n=$N2 -v month=2026-11-01 -v chunk=250000 -f bench/isaf_export/load.sql
$PSQL -d $DB -c "VACUUM ANALYZE" -c "CHECKPOINT"
printf 'loaded %d + %d invoices with their VAT lines in %.1f s\n' "$N" "$N2" "$(elapsed "$t0")"

# run LABEL SQL [psql -v args...]: one fresh backend; prints "wall cpu hwm_kb" into $RESULT
run() {
    local label=$1 sql=$2; shift 2
    local out
    out=$($PSQL -d $DB -At "$@" <<SQL
SET search_path = client_registry, public;
SELECT pg_backend_pid() AS pid \gset
\setenv PID :pid
\! awk '{print \$14 + \$15}' /proc/\$PID/stat > /tmp/isaf_bench_cpu0
\! rm -f /tmp/isaf_bench_anon; (m=0; while [ -r /proc/\$PID/status ]; do r=\$(awk '/RssAnon/ {print \$2}' /proc/\$PID/status 2>/dev/null); [ -n "\$r" ] && [ "\$r" -gt "\$m" ] && m=\$r; sleep 0.02; done; echo \$m > /tmp/isaf_bench_anon) >/dev/null 2>&1 &
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
$sql;
SELECT 'wall ' || round((extract(epoch FROM clock_timestamp()) - :t0)::numeric, 2);
\! echo "cpu \$(( \$(awk '{print \$14 + \$15}' /proc/\$PID/stat) - \$(cat /tmp/isaf_bench_cpu0) ))"; echo "hwm \$(awk '/VmHWM/ {print \$2}' /proc/\$PID/status)"
SQL
)
    local wall cpu hwm bytes anon i
    for i in $(seq 50); do [ -s /tmp/isaf_bench_anon ] && break; sleep 0.1; done
    anon=$(cat /tmp/isaf_bench_anon 2>/dev/null || echo 0)
    wall=$(echo "$out" | sed -n 's/^wall //p')
    cpu=$(echo "$out" | sed -n 's/^cpu //p')
    hwm=$(echo "$out" | sed -n 's/^hwm //p')
    bytes=$(echo "$out" | grep -E '^[0-9]+$' | head -1)
    cpu=$(echo "scale=2; $cpu / $TICK" | bc)
    printf '  %-40s %8.2f s wall %7.2f s CPU %6d MB private %6d MB VmHWM  %s bytes\n' \
        "$label" "$wall" "$cpu" "$((anon / 1024))" "$((hwm / 1024))" "$bytes"
    RESULT="$wall $cpu $anon $hwm"
}

C_SQL="SELECT sum(octet_length(x)) FROM (SELECT (isaf_files(:'start', :'end', 'S', :max)).xml AS x) s"
SQL_SQL="SELECT octet_length(xml) FROM ($(sed '/^--/d' bench/isaf_export/string_agg.sql)) s"

# warm-up: read both tables once, so that neither measured case pays for the first read
$PSQL -d $DB -At -c "SELECT count(*), sum(length(counterparty_name)) FROM client_registry.invoice" \
    -c "SELECT count(*), sum(taxable_value) FROM client_registry.invoice_vat_line" >/dev/null

echo
echo "same document? (one day, FileDateCreated masked)"
a=$($PSQL -d $DB -At -c "SELECT client_registry.isaf_file('2026-10-01', '2026-10-01', 'S')" | sed -E 's|<FileDateCreated>[^<]*<|<|' | md5sum)
b=$($PSQL -d $DB -At -v tenant=1 -v start=2026-10-01 -v end=2026-10-01 -f bench/isaf_export/string_agg.sql | sed -E 's|<FileDateCreated>[^<]*<|<|' | md5sum)
[ "$a" = "$b" ] && echo "  identical" || { echo "  DIFFERENT: the comparison is not fair" >&2; exit 1; }

echo
echo "export of $N sales invoices (October; C: parts of 500,000):"
# C is run REPS_C times around the (long) SQL run and its median run (by CPU) is compared: on a
# shared machine the same export varies by a third from run to run.  Every run is printed.
cruns=()
run_c() {
    run "C   isaf_files() (run $1)" "$C_SQL" -v start=2026-10-01 -v end=2026-10-31 -v max=500000
    cruns+=("$RESULT")
}
run_c 1
run "SQL string_agg(xmlelement(...)::text)" "$SQL_SQL" -v tenant=1 -v start=2026-10-01 -v end=2026-10-31; s=($RESULT)
for ((k = 2; k <= REPS_C; k++)); do run_c $k; done
c=($(printf '%s\n' "${cruns[@]}" | sort -k2,2 -g | sed -n "$(( (${#cruns[@]} + 1) / 2 ))p"))
printf '  SQL / C (median C run by CPU): %.1fx wall, %.1fx CPU, %.1fx peak private memory\n' \
    "$(echo "${s[0]} / ${c[0]}" | bc -l)" "$(echo "${s[1]} / ${c[1]}" | bc -l)" "$(echo "${s[2]} / ${c[2]}" | bc -l)"

echo
echo "backend peak memory follows the part, not the period:"
run "C $N invoices, parts of $PART" "$C_SQL" -v start=2026-10-01 -v end=2026-10-31 -v max=$PART; m1=($RESULT)
run "C $N2 invoices, parts of $PART" "$C_SQL" -v start=2026-11-01 -v end=2026-11-30 -v max=$PART; m2=($RESULT)
run "C $N invoices, parts of 500000" "$C_SQL" -v start=2026-10-01 -v end=2026-10-31 -v max=500000; m3=($RESULT)
run "C $N2 invoices, parts of 500000" "$C_SQL" -v start=2026-11-01 -v end=2026-11-30 -v max=500000; m4=($RESULT)
run "(idle backend: the baseline)" "SELECT 1" ; m0=($RESULT)
printf '  peak %s/%s invoices: %.2f (parts of %s), %.2f (parts of 500000); CPU %.2f, %.2f\n' "$N2" "$N" \
    "$(echo "${m2[2]} / ${m1[2]}" | bc -l)" "$PART" "$(echo "${m4[2]} / ${m3[2]}" | bc -l)" \
    "$(echo "${m2[1]} / ${m1[1]}" | bc -l)" "$(echo "${m4[1]} / ${m3[1]}" | bc -l)"
echo "log: $LOG"
