#!/usr/bin/env bash
# bench/bulk_load.sh -- bulk-load benchmark of client_registry.
#
# COPYs N clients (valid LT company code, VAT code, e-mail), N addresses and
# N bank accounts (one each per client, IBAN) into
#   baseline   plain tables: same columns, primary keys, foreign keys and the
#              equivalent unique indexes only; no triggers, no CHECKs
#              (bulk_load/plain_schema.sql + bulk_load/baseline_primary.sql);
#   extension  the extension's tables, every rule on (C triggers, CHECKs,
#              unique and lookup indexes, RLS enabled, FKs);
#   plpgsql    the plain tables plus PL/pgSQL BEFORE triggers doing the same
#              checks and normalisation (bulk_load/plpgsql_rules.sql).
#   baseline_allidx  baseline + the extension's non-unique indexes: every
#              index the extension keeps on the three tables, the trigram
#              GIN index on the same search text and the GIN index of the
#              card words included (bulk_load/plain_secondary_indexes.sql).
#              The two index sets are listed (bulk_load/index_set.sql) and
#              compared before the runs; the script stops if they differ.
#              The ratio extension / baseline_allidx is the one issue #15
#              sets a goal for (<= 1.3 at N = 1,000,000).
# Diagnostic variants (DIAG=1 adds them; or name them in VARIANTS):
#   ext_nocheck      extension with user triggers disabled and CHECKs dropped;
#   ext_notrig       extension with user triggers disabled (CHECKs kept);
#   ext_nofeed       extension without the activity feed's insert triggers;
#   ext_nosearch     extension without the trigram search index;
#   ext_nowords      extension without the words index and the dictionary
#                    trigger (the 0.4.0 typo search's share).
# With ext_nofeed / ext_nosearch / ext_nowords in the run, the feed's, the
# trigram index's and the words' shares of the extension's CPU are printed.
#
# The installed library is checked first: its build time is printed, and
# when a source file (src/, sql/0.4.0/, Makefile) is newer the run stops
# (a stale library measures old code) -- REBUILD=1 builds and installs it
# first, STALE_OK=1 runs anyway with a warning.
#
# Data is generated once per run (SQL, generate_series) into CSV files; only
# the three COPY statements are timed, each in its own transaction, in a
# fresh database per variant and repetition, on one throwaway cluster with
# the same settings for all.  Each variant runs REPS times, alternating the
# order; the table shows the median.  Times are measured, never asserted.
#
# Usage: [N=1000000] [REPS=2] [DIAG=0] [REBUILD=0] [STALE_OK=0]
#        [VARIANTS="baseline extension plpgsql baseline_allidx"]
#        bash bench/bulk_load.sh
#   N=20000 bash bench/bulk_load.sh      quick smoke run
# Needs root (the cluster runs as the postgres OS user) and the extension
# installed in $PG_BIN/.. (default /usr/lib/postgresql/15).  A log goes to
# bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/lib.sh

N=${N:-1000000}
REPS=${REPS:-2}
DIAG=${DIAG:-0}
REBUILD=${REBUILD:-0}
STALE_OK=${STALE_OK:-0}
VARIANTS=${VARIANTS:-"baseline extension plpgsql baseline_allidx"}
if [ "$DIAG" = "1" ]; then
    VARIANTS="$VARIANTS ext_nocheck ext_notrig ext_nofeed ext_nosearch ext_nowords"
fi
CR_PG_OPTS=${CR_PG_OPTS:-"-c shared_buffers=1GB -c max_wal_size=8GB -c checkpoint_timeout=30min -c synchronous_commit=off"}

case "$N" in '' | *[!0-9]*) echo "N must be a number" >&2; exit 2 ;; esac
if [ "$N" -lt 1 ] || [ "$N" -gt 9999999 ]; then
    echo "N must be 1..9999999 (company codes are 3 + a 7-digit serial + check digit)" >&2
    exit 2
fi
case "$REPS" in '' | *[!0-9]* | 0) echo "REPS must be a positive number" >&2; exit 2 ;; esac

mkdir -p bench/out
LOG=bench/out/bulk_load_$(date +%Y%m%d_%H%M%S)_N$N.log
exec > >(tee "$LOG") 2>&1

PSQL="psql -X -q -v ON_ERROR_STOP=1"
SO=$("$PG_BIN/pg_config" --pkglibdir)/client_registry.so
echo "bulk-load benchmark: N=$N clients (+ $N addresses + $N bank accounts), REPS=$REPS"
echo "variants: $VARIANTS"
echo "server settings: $CR_PG_OPTS"

# --- the library measured: installed, and not older than the source ----------
if [ "$REBUILD" = "1" ]; then
    echo "REBUILD=1: building and installing the extension into $("$PG_BIN/pg_config" --pkglibdir)"
    cr_build_and_install || { echo "ERROR: build failed" >&2; exit 1; }
fi
if [ ! -f "$SO" ]; then
    echo "ERROR: $SO is not installed (make install PG_CONFIG=$PG_BIN/pg_config, or REBUILD=1)" >&2
    exit 1
fi
so_stamp() { ls -la --time-style=full-iso "$SO" | awk '{print $6, $7, $5 " bytes"}'; }
SO_STAMP=$(so_stamp)
echo "extension library: $SO ($SO_STAMP, md5 $(md5sum <"$SO" | cut -c1-12))"
echo "source: $(git log -1 --format='%h %cd' --date=iso 2>/dev/null || echo 'not a git checkout')$(git status --porcelain -- src sql Makefile 2>/dev/null | grep -q . && echo ' + uncommitted changes')"
NEWER=$(find src sql/0.4.0 Makefile client_registry.control -newer "$SO" -type f 2>/dev/null | head -5)
if [ -n "$NEWER" ]; then
    echo "source files newer than the installed library:" $NEWER
    if [ "$STALE_OK" = "1" ]; then
        echo "WARNING: STALE LIBRARY -- the figures below measure an older build (STALE_OK=1)"
    else
        echo "ERROR: the installed library is older than the source: REBUILD=1 to build it, STALE_OK=1 to measure it anyway" >&2
        exit 1
    fi
fi
echo "machine: $(nproc) CPUs, $(free -g | awk '/^Mem:/ {print $2}') GB RAM; started $(date '+%F %T')"

trap cr_stop_cluster EXIT
cr_start_cluster
CSV=$CR_DIR/csv
mkdir -p "$CSV"
chown postgres "$CSV"

# --- data, once -------------------------------------------------------------
t0=$(date +%s.%N)
$PSQL -d postgres -c "CREATE DATABASE bench_gen"
$PSQL -d bench_gen -c "CREATE EXTENSION client_registry CASCADE"
$PSQL -d bench_gen -v n="$N" -v csvdir="$CSV" -f bench/bulk_load/gen_data.sql 2>&1 |
    sed 's/^psql:[^ ]* WARNING: */  /'
$PSQL -d postgres -c "DROP DATABASE bench_gen"
printf 'data generated in %.1f s: %s\n' "$(echo "$(date +%s.%N) - $t0" | bc)" \
    "$(cd "$CSV" && du -ch ./*.csv | awk 'END {print $1}') of CSV"
echo "sample rows:"
head -n 1 "$CSV/client.csv" "$CSV/client_address.csv" "$CSV/client_bank_account.csv" |
    sed -n 's/^[^=].*/    &/p'

# --- one load ----------------------------------------------------------------
OWN_COMPANY="INSERT INTO client_registry.client (kind, name, company_code) VALUES ('own_company', 'UAB Bench', '110003978')"

setup_variant() {           # $1 variant, $2 database
    local v=$1 db=$2
    case "$v" in
        baseline | baseline_allidx | plpgsql)
            $PSQL -d "$db" -f bench/bulk_load/plain_schema.sql
            case "$v" in
                baseline) $PSQL -d "$db" -f bench/bulk_load/baseline_primary.sql ;;
                baseline_allidx)
                    $PSQL -d "$db" -f bench/bulk_load/baseline_primary.sql
                    $PSQL -d "$db" -f bench/bulk_load/plain_secondary_indexes.sql ;;
                plpgsql) $PSQL -d "$db" -f bench/bulk_load/plpgsql_rules.sql ;;
            esac
            $PSQL -d "$db" -c "$OWN_COMPANY"
            ;;
        extension | ext_notrig | ext_nocheck | ext_nofeed | ext_nosearch | ext_nowords)
            $PSQL -d "$db" -c "CREATE EXTENSION client_registry CASCADE"
            $PSQL -d "$db" -c "$OWN_COMPANY"
            if [ "$v" = ext_nofeed ]; then
                for t in client client_address client_bank_account; do
                    $PSQL -d "$db" -c "ALTER TABLE client_registry.$t DISABLE TRIGGER ${t}_90_feed_insert"
                done
            fi
            if [ "$v" = ext_nosearch ]; then
                $PSQL -d "$db" -c "DROP INDEX client_registry.client_search_idx"
            fi
            if [ "$v" = ext_nowords ]; then
                $PSQL -d "$db" -c "DROP INDEX client_registry.client_search_words_idx" \
                    -c "ALTER TABLE client_registry.client DISABLE TRIGGER client_92_search_words_insert"
            fi
            if [ "$v" = ext_notrig ] || [ "$v" = ext_nocheck ]; then
                for t in client client_address client_bank_account; do
                    $PSQL -d "$db" -c "ALTER TABLE client_registry.$t DISABLE TRIGGER USER"
                done
                # no trigger makes the first row primary: state it, as in baseline
                $PSQL -d "$db" -f bench/bulk_load/baseline_primary.sql
            fi
            if [ "$v" = ext_nocheck ]; then
                $PSQL -d "$db" -At -c "
                    SELECT format('ALTER TABLE %s DROP CONSTRAINT %I;', conrelid::regclass, conname)
                      FROM pg_constraint
                     WHERE contype = 'c'
                       AND conrelid IN ('client_registry.client'::regclass, 'client_registry.client_address'::regclass,
                                        'client_registry.client_bank_account'::regclass)" |
                    $PSQL -d "$db"
            fi
            ;;
        *) echo "unknown variant $v" >&2; exit 2 ;;
    esac
}

declare -A T                # T[variant,rep,table] wall-clock seconds
declare -A C                # C[variant,rep,table] CPU seconds of the backend
declare -A FP               # fingerprint of the loaded data per variant
run_variant() {             # $1 variant, $2 repetition
    local v=$1 rep=$2 db="bench_${1}_$2" out
    $PSQL -d postgres -c "CREATE DATABASE $db"
    setup_variant "$v" "$db"
    # tables stay as created (never vacuumed/analysed), as in a real first
    # load; only the dirty pages of the setup are flushed before the clock
    $PSQL -d "$db" -c "CHECKPOINT"
    out=$($PSQL -d "$db" -v csvdir="$CSV" -f bench/bulk_load/load.sql)
    local times cpus
    times=$(echo "$out" | awk '/^Time: / {printf "%.3f ", $2 / 1000}')
    read -r T["$v,$rep,client"] T["$v,$rep,client_address"] T["$v,$rep,client_bank_account"] <<<"$times"
    cpus=$(echo "$out" | awk -v hz="$(getconf CLK_TCK)" '/^cpu: / {c[++n] = $2} END {for (i = 1; i < n; i += 2) printf "%.2f ", (c[i + 1] - c[i]) / hz}')
    read -r C["$v,$rep,client"] C["$v,$rep,client_address"] C["$v,$rep,client_bank_account"] <<<"$cpus"
    local check
    check=$($PSQL -d "$db" -At -F ' ' -f bench/bulk_load/verify.sql)
    read -r nc na npa nb npb fp <<<"$check"
    if [ "$nc" != $((N + 1)) ] || [ "$na" != "$N" ] || [ "$npa" != "$N" ] || [ "$nb" != "$N" ] || [ "$npb" != "$N" ]; then
        echo "ERROR: $v run $rep loaded clients=$nc addresses=$na (primary $npa) bank_accounts=$nb (primary $npb)" >&2
        exit 1
    fi
    FP[$v]=${FP[$v]:-$fp}
    [ "${FP[$v]}" = "$fp" ] || echo "WARNING: $v run $rep: data fingerprint differs from its first run"
    printf '  run %d %-16s clients %7.2f s  addresses %7.2f s  bank accounts %7.2f s  total %7.2f s  (backend CPU %.2f s: %.2f + %.2f + %.2f)\n' \
        "$rep" "$v" "${T[$v,$rep,client]}" "${T[$v,$rep,client_address]}" "${T[$v,$rep,client_bank_account]}" \
        "$(echo "${T[$v,$rep,client]} + ${T[$v,$rep,client_address]} + ${T[$v,$rep,client_bank_account]}" | bc)" \
        "$(echo "${C[$v,$rep,client]} + ${C[$v,$rep,client_address]} + ${C[$v,$rep,client_bank_account]}" | bc)" \
        "${C[$v,$rep,client]}" "${C[$v,$rep,client_address]}" "${C[$v,$rep,client_bank_account]}"
    $PSQL -d postgres -c "DROP DATABASE $db"
    if [ "$(so_stamp)" != "$SO_STAMP" ]; then
        echo "WARNING: the extension library changed during the run (now $(so_stamp)); the numbers mix versions"
        SO_STAMP=$(so_stamp)
    fi
}

# --- the same indexes: extension and baseline_allidx --------------------------
case " $VARIANTS " in
    *" baseline_allidx "*)
        $PSQL -d postgres -c "CREATE DATABASE bench_idx_ext" -c "CREATE DATABASE bench_idx_base"
        setup_variant extension bench_idx_ext
        setup_variant baseline_allidx bench_idx_base
        $PSQL -At -d bench_idx_ext -f bench/bulk_load/index_set.sql >"$CR_DIR/index_set_extension"
        $PSQL -At -d bench_idx_base -f bench/bulk_load/index_set.sql >"$CR_DIR/index_set_baseline_allidx"
        $PSQL -d postgres -c "DROP DATABASE bench_idx_ext" -c "DROP DATABASE bench_idx_base"
        echo
        echo "indexes of the extension on client, client_address, client_bank_account ($(wc -l <"$CR_DIR/index_set_extension")):"
        sed 's/^/    /' "$CR_DIR/index_set_extension"
        if ! diff -u "$CR_DIR/index_set_extension" "$CR_DIR/index_set_baseline_allidx" >"$CR_DIR/index_set.diff"; then
            echo "ERROR: baseline_allidx does not have the same indexes as the extension" \
                "(bench/bulk_load/plain_schema.sql, plain_secondary_indexes.sql):" >&2
            cat "$CR_DIR/index_set.diff" >&2
            exit 1
        fi
        echo "baseline_allidx has the same $(wc -l <"$CR_DIR/index_set_extension") indexes"
        ;;
esac

# --- runs, alternating the order -------------------------------------------
read -r -a FORWARD <<<"$VARIANTS"
BACKWARD=()
for ((i = ${#FORWARD[@]} - 1; i >= 0; i--)); do BACKWARD+=("${FORWARD[$i]}"); done
echo
echo "runs (seconds of COPY, each table its own transaction):"
for ((rep = 1; rep <= REPS; rep++)); do
    if ((rep % 2)); then order=("${FORWARD[@]}"); else order=("${BACKWARD[@]}"); fi
    for v in "${order[@]}"; do
        run_variant "$v" "$rep"
    done
done

# --- summary -----------------------------------------------------------------
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
declare -A M                # M[variant,table] median seconds, table total = per-run totals
for v in "${FORWARD[@]}"; do
    for t in client client_address client_bank_account; do
        vals=""
        for ((rep = 1; rep <= REPS; rep++)); do vals="$vals ${T[$v,$rep,$t]}"; done
        M[$v,$t]=$(echo "$vals" | median)
    done
    vals=""
    cvals=""
    for ((rep = 1; rep <= REPS; rep++)); do
        vals="$vals $(echo "${T[$v,$rep,client]} + ${T[$v,$rep,client_address]} + ${T[$v,$rep,client_bank_account]}" | bc)"
        cvals="$cvals $(echo "${C[$v,$rep,client]} + ${C[$v,$rep,client_address]} + ${C[$v,$rep,client_bank_account]}" | bc)"
    done
    M[$v,total]=$(echo "$vals" | median)
    M[$v,cpu]=$(echo "$cvals" | median)
done

fp_base=${FP[${FORWARD[0]}]}
for v in "${FORWARD[@]}"; do
    [ "${FP[$v]}" = "$fp_base" ] || echo "WARNING: $v loaded different data than ${FORWARD[0]} (fingerprint ${FP[$v]} vs $fp_base)"
done

echo
echo "median of $REPS run(s), N=$N clients + $N addresses + $N bank accounts ($((3 * N)) rows):"
has_base=0
[ -n "${M[baseline,total]:-}" ] && has_base=1
REF=baseline
[ $has_base = 1 ] || REF=baseline_allidx
has_ref=0
[ -n "${M[$REF,total]:-}" ] && has_ref=1
printf '%-16s %10s %10s %10s %10s %12s %10s %10s %8s   (x: against %s)\n' variant clients_s addr_s bank_s total_s rows/s x_wall cpu_s x_cpu "$REF"
for v in "${FORWARD[@]}"; do
    x="" xc=""
    if [ $has_ref = 1 ]; then
        x=$(printf '%.2f' "$(echo "${M[$v,total]} / ${M[$REF,total]}" | bc -l)")
        xc=$(printf '%.2f' "$(echo "${M[$v,cpu]} / ${M[$REF,cpu]}" | bc -l)")
    fi
    printf '%-16s %10.2f %10.2f %10.2f %10.2f %12.0f %10s %10.2f %8s\n' "$v" \
        "${M[$v,client]}" "${M[$v,client_address]}" "${M[$v,client_bank_account]}" "${M[$v,total]}" \
        "$(echo "3 * $N / ${M[$v,total]}" | bc -l)" "$x" "${M[$v,cpu]}" "$xc"
done
if [ $has_base = 1 ]; then
    echo
    echo "per table x baseline:"
    for v in "${FORWARD[@]}"; do
        [ "$v" = baseline ] && continue
        printf '  %-16s clients %.2f  addresses %.2f  bank accounts %.2f\n' "$v" \
            "$(echo "${M[$v,client]} / ${M[baseline,client]}" | bc -l)" \
            "$(echo "${M[$v,client_address]} / ${M[baseline,client_address]}" | bc -l)" \
            "$(echo "${M[$v,client_bank_account]} / ${M[baseline,client_bank_account]}" | bc -l)"
    done
    echo "(cpu_s: CPU time of the loading backend, median; x_cpu: its ratio to baseline -- a"
    echo " cross-check of the wall-clock ratios when other work shares the machine)"
    echo
    for v in extension plpgsql; do
        [ -n "${M[$v,total]:-}" ] || continue
        printf 'ratio %s/baseline: %.2f\n' "$v" "$(echo "${M[$v,total]} / ${M[baseline,total]}" | bc -l)"
    done
fi
if [ -n "${M[baseline_allidx,total]:-}" ]; then
    for v in extension plpgsql; do
        [ -n "${M[$v,total]:-}" ] || continue
        printf 'ratio %s/baseline_allidx: %.2f wall clock, %.2f CPU\n' "$v" \
            "$(echo "${M[$v,total]} / ${M[baseline_allidx,total]}" | bc -l)" \
            "$(echo "${M[$v,cpu]} / ${M[baseline_allidx,cpu]}" | bc -l)"
    done
fi
if [ -n "${M[extension,cpu]:-}" ]; then
    for v in ext_nofeed ext_nosearch ext_nowords ext_notrig ext_nocheck; do
        [ -n "${M[$v,cpu]:-}" ] || continue
        case $v in
            ext_nofeed) what="activity feed" ;;
            ext_nosearch) what="trigram search index" ;;
            ext_nowords) what="words index + dictionary" ;;
            ext_notrig) what="triggers (rules, feed)" ;;
            ext_nocheck) what="triggers and CHECKs" ;;
        esac
        printf 'share of %s in the extension'"'"'s CPU: %.0f %% (%.2f s of %.2f s)\n' "$what" \
            "$(echo "100 * (${M[extension,cpu]} - ${M[$v,cpu]}) / ${M[extension,cpu]}" | bc -l)" \
            "$(echo "${M[extension,cpu]} - ${M[$v,cpu]}" | bc -l)" "${M[extension,cpu]}"
    done
fi
if [ -n "${M[baseline_allidx,cpu]:-}" ] && [ -n "${M[extension,cpu]:-}" ]; then
    printf 'CPU ratio extension/baseline_allidx (same indexes, the goal of issue #15 is <= 1.30): %.2f\n' \
        "$(echo "${M[extension,cpu]} / ${M[baseline_allidx,cpu]}" | bc -l)"
fi
if [ -n "${M[baseline,cpu]:-}" ] && [ -n "${M[extension,cpu]:-}" ]; then
    printf 'CPU ratio extension/baseline (unique indexes only): %.2f\n' \
        "$(echo "${M[extension,cpu]} / ${M[baseline,cpu]}" | bc -l)"
fi
echo "(log: $LOG)"
