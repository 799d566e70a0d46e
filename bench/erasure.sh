#!/usr/bin/env bash
# bench/erasure.sh -- erase_personal_data() of one person with a long history.
#
# A tenant of C clients (each with 10 CRM interactions and a phone change, so
# the activity feed has C * 11 + ... entries) and one natural person with N
# interactions naming them, N/4 posted invoices (retained) and the feed those
# wrote.  Measured, in fresh copies of the same database (CREATE DATABASE
# ... TEMPLATE), REPS times, median:
#   baseline  the same rows changed by plain statements: the person's CRM rows
#             anonymised, the card cleared, every feed entry of the person
#             rewritten unchanged (no search for the person's values);
#   erase     erase_personal_data(person): the same rows, plus finding the
#             person's earlier values and scrubbing every copy in the feed.
# Times are measured, never asserted.
#
# Usage: [C=2000] [N=2000] [REPS=3] bash bench/erasure.sh
# Needs root (the cluster runs as the postgres OS user) and the extension
# installed for PG_BIN.  A log goes to bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/lib.sh

C=${C:-2000}
N=${N:-2000}
REPS=${REPS:-3}
for v in C N REPS; do
    case "${!v}" in '' | *[!0-9]* | 0) echo "$v must be a positive number" >&2; exit 2 ;; esac
done

mkdir -p bench/out
LOG=bench/out/erasure_$(date +%Y%m%d_%H%M%S)_N$N.log
exec > >(tee "$LOG") 2>&1
PSQL="psql -X -q -v ON_ERROR_STOP=1"
echo "erasure benchmark: $C clients with history, one person with $N CRM rows and $((N / 4)) invoices; REPS=$REPS"
echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $($PG_BIN/postgres --version); started $(date '+%F %T')"

trap 'cr_stop_cluster' EXIT
cr_start_cluster

$PSQL -d postgres -c "CREATE DATABASE erasure_tpl"
$PSQL -d erasure_tpl -c "CREATE EXTENSION client_registry CASCADE" >/dev/null
$PSQL -d erasure_tpl <<SQL
SET search_path = client_registry, public;
SET client_registry.tenant = 1;
INSERT INTO client (kind, name, company_code) VALUES ('own_company', 'UAB Savi', '110443493');
INSERT INTO client (kind, name, email, sales_tax_category)
SELECT 'buyer', 'Klientas ' || g, 'k' || g || '@example.lt', 'PVM1' FROM generate_series(1, $C) g;
INSERT INTO client (id, kind, legal_form, name, email, phone, sales_tax_category)
VALUES (99999999, 'buyer', 'natural_person', 'Jonas Jonaitis', 'jonas@example.lt', '+370 612 34567', 'PVM1');
INSERT INTO crm_interaction (client_id, kind, subject, body)
SELECT c.id, 'call', 'Skambutis ' || g, 'tekstas ' || g FROM client c, generate_series(1, 10) g
 WHERE c.kind = 'buyer' AND c.id <> 99999999;
INSERT INTO crm_interaction (client_id, kind, subject, body)
SELECT 99999999, 'call', 'Jonas Jonaitis ' || g, 'kalbėjome su Jonas Jonaitis, tel. +370 612 34567' FROM generate_series(1, $N) g;
UPDATE client SET phone = '+370 600 0000' || (id % 10) WHERE kind = 'buyer';
INSERT INTO invoice (client_id, direction, number, invoice_date)
SELECT 99999999, 'sale', 'B-' || g, current_date - (g % 1000) FROM generate_series(1, $N / 4) g;
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) SELECT id, 100, 21 FROM invoice;
UPDATE invoice SET status = 'posted';
VACUUM ANALYZE;
SQL
$PSQL -d erasure_tpl -Atc "SELECT 'activity feed: ' || count(*) || ' entries, ' || count(*) FILTER (WHERE client_id = 99999999) || ' of the person' FROM client_registry.activity_feed"

run() {  # variant -> seconds
    local db=erasure_run
    $PSQL -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db TEMPLATE erasure_tpl"
    local sql
    if [ "$1" = baseline ]; then
        sql="SET search_path = client_registry, public; SET client_registry.tenant = 1;
             UPDATE crm_interaction SET subject = '[erased]', body = NULL WHERE client_id = 99999999;
             UPDATE activity_feed SET old_values = old_values, new_values = new_values WHERE client_id = 99999999;
             UPDATE client SET name = 'Erased person', email = NULL, phone = NULL, is_active = false WHERE id = 99999999;"
    else
        sql="SET client_registry.tenant = 1; SELECT count(*) FROM client_registry.erase_personal_data(99999999);"
    fi
    local t0; t0=$(date +%s.%N)
    $PSQL -d $db -c "BEGIN; $sql COMMIT;" >/dev/null
    echo "$(date +%s.%N) - $t0" | bc
}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

declare -A times
for v in baseline erase; do
    ts=""
    for _ in $(seq "$REPS"); do ts="$ts $(run $v)"; done
    times[$v]=$(echo "$ts" | median)
    printf '%-9s median %6.2f s  (runs:%s)\n' "$v" "${times[$v]}" "$ts"
done
printf 'erase / baseline: %.1fx\n' "$(echo "${times[erase]} / ${times[baseline]}" | bc -l)"
$PSQL -d postgres -c "DROP DATABASE IF EXISTS erasure_run" -c "DROP DATABASE erasure_tpl"
