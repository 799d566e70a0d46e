#!/usr/bin/env bash
# bench/debt_reports.sh -- month-end debt reports (issue #16) against the same reports written as
# direct SQL over the same tables, measured in the same run.
#
# The product reads what the registry maintains: open items as of a date read only invoices open
# on that date or closed after it (invoice.closed_on, invoice_open_idx); turnover and statements
# take the opening balance as the running balance (client_balance) minus what is dated on or after
# the period's first day, so they read the period and what followed (date indexes), not the whole
# history.  The baseline is what an application writes without those: open amounts as of the date
# summed over every settlement up to it, opening balances summed over the whole history before the
# period.  Both run on one database, as the superuser, one pgbench client; each case is checked to
# return the same rows (count and md5 of the rows, amounts as numeric(15,2)) before it is timed.
#
# Cases (the close of November 2025: as of 2025-11-30, period November 2025, over two years of
# history 2024-2025, the last month still being paid):
#   open_items    open_items(as_of)                   every open item of the tenant
#   aging         aging(as_of)                         per client and direction, five buckets
#   turnover      turnover(from, to)                   opening, debit, credit, closing per client
#   by_group      turnover_by_group(from, to)          the same per client group
#   statement     client_statement(client, from, to)   one client's period with its opening balance
#   client_open   open_items(as_of, client)            one client's open items
#   reminders     payment_reminders(as_of, record => false)   what is due for reminding
#
# Usage: [N=200000] [CLIENTS=200] [T=5] [ROUNDS=3] bash bench/debt_reports.sh
#   (N=1000000 is the size of the issue; about 8 minutes at N=200000 on 2 cores.)
# Needs root (the cluster runs as the postgres OS user); PG_BIN as in scripts/lib.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

N=${N:-200000}
CLIENTS=${CLIENTS:-200}
T=${T:-5}
ROUNDS=${ROUNDS:-3}
CR_PG_OPTS=${CR_PG_OPTS:-"-c shared_buffers=1GB -c max_wal_size=8GB -c synchronous_commit=off -c work_mem=16MB"}
AS_OF=2025-11-30 FROM=2025-11-01 TO=2025-11-30 CLIENT=1007

mkdir -p bench/out
STAMP=$(date +%Y%m%d_%H%M%S)
LOG=bench/out/debt_reports_${STAMP}_N$N.log
exec > >(tee "$LOG") 2>&1
WORK=$(mktemp -d /tmp/cr_debt_bench.XXXXXX)
chmod 755 "$WORK"
PSQL="psql -X -q -v ON_ERROR_STOP=1"
DB=bench_debt
echo "debt reports benchmark: N=$N invoices, $CLIENTS clients, ${T}s runs x $ROUNDS rounds, as of $AS_OF, period $FROM..$TO"
echo "machine: $(nproc) CPUs; $($PG_BIN/postgres --version); load $(cut -d' ' -f1-3 /proc/loadavg); started $(date '+%F %T')"
T_START=$(date +%s)
trap 'cr_stop_cluster; rm -rf "$WORK"' EXIT
cr_start_cluster

$PSQL -d postgres -c "CREATE DATABASE $DB"
$PSQL -d $DB -c "CREATE EXTENSION client_registry CASCADE" 2>/dev/null
t0=$(date +%s)
$PSQL -d $DB -v n="$N" -v clients="$CLIENTS" -f bench/debt_reports/load.sql >/dev/null
$PSQL -d $DB -c "VACUUM ANALYZE" -c "CHECKPOINT"
echo "loaded in $(($(date +%s) - t0)) s: $($PSQL -d $DB -At -c "SELECT format('%s invoices (%s open now), %s payments, %s settlements',
    (SELECT count(*) FROM client_registry.invoice), (SELECT count(*) FROM client_registry.invoice WHERE closed_on IS NULL),
    (SELECT count(*) FROM client_registry.payment), (SELECT count(*) FROM client_registry.settlement))")"
[ "$($PSQL -d $DB -At -c "SELECT count(*) FROM client_registry.balance_discrepancies()")" = 0 ] \
    || { echo "ERROR: balances wrong after the load" >&2; exit 1; }

# --- the cases: product query, baseline query, the columns compared ----------------------
S=client_registry
open_base() {   # $1: extra condition on i
    cat <<SQL
SELECT i.id AS invoice_id, i.client_id, c.name AS client_name, i.direction, i.number, i.invoice_date, i.due_date,
       i.currency, i.total_gross, i.total_gross - COALESCE(s.a, 0) AS open_amount,
       i.total_base - COALESCE(s.b, 0) AS open_amount_base,
       GREATEST(date '$AS_OF' - COALESCE(i.due_date, i.invoice_date), 0) AS days_overdue
  FROM $S.invoice i
  JOIN $S.client c ON c.tenant_id = i.tenant_id AND c.id = i.client_id
  LEFT JOIN (SELECT x.invoice_id, sum(x.amount) AS a, sum(x.amount_base) AS b FROM $S.settlement x
              WHERE x.tenant_id = 1 AND x.settlement_date <= date '$AS_OF' ${2:-} GROUP BY x.invoice_id) s ON s.invoice_id = i.id
 WHERE i.tenant_id = 1 AND i.status = 'posted' AND i.invoice_date <= date '$AS_OF' $1
   AND i.total_gross <> COALESCE(s.a, 0)
SQL
}
entries_base() {  # every movement of the tenant's balances up to $TO (direct: the whole history)
    cat <<SQL
SELECT i.client_id, i.invoice_date AS d, CASE WHEN i.direction = 'sale' THEN i.total_base ELSE 0 END AS r,
       CASE WHEN i.direction = 'purchase' THEN i.total_base ELSE 0 END AS p
  FROM $S.invoice i WHERE i.tenant_id = 1 AND i.status = 'posted' AND i.invoice_date <= date '$TO'
UNION ALL
SELECT y.client_id, y.payment_date, CASE WHEN y.direction = 'in' THEN -y.amount_base ELSE 0 END,
       CASE WHEN y.direction = 'out' THEN -y.amount_base ELSE 0 END
  FROM $S.payment y WHERE y.tenant_id = 1 AND y.payment_date <= date '$TO'
SQL
}
turnover_base="SELECT c.id AS client_id, c.name AS client_name,
       COALESCE(sum(e.r - e.p) FILTER (WHERE e.d < date '$FROM'), 0) AS opening_balance,
       COALESCE(sum(GREATEST(e.r, 0) + GREATEST(-e.p, 0)) FILTER (WHERE e.d >= date '$FROM'), 0) AS debit,
       COALESCE(sum(GREATEST(-e.r, 0) + GREATEST(e.p, 0)) FILTER (WHERE e.d >= date '$FROM'), 0) AS credit,
       COALESCE(sum(e.r - e.p), 0) AS closing_balance
  FROM ($(entries_base)) e JOIN $S.client c ON c.tenant_id = 1 AND c.id = e.client_id
 GROUP BY c.id, c.name
HAVING COALESCE(sum(e.r - e.p) FILTER (WHERE e.d < date '$FROM'), 0) <> 0
    OR COALESCE(sum(GREATEST(e.r, 0) + GREATEST(-e.p, 0)) FILTER (WHERE e.d >= date '$FROM'), 0) <> 0
    OR COALESCE(sum(GREATEST(-e.r, 0) + GREATEST(e.p, 0)) FILTER (WHERE e.d >= date '$FROM'), 0) <> 0
    OR COALESCE(sum(e.r - e.p), 0) <> 0
 ORDER BY c.id"

declare -A PROD BASE COLS
PROD[open_items]="SELECT * FROM $S.open_items('$AS_OF')"
BASE[open_items]="$(open_base "") ORDER BY i.client_id, i.invoice_date, i.id"
COLS[open_items]="invoice_id, open_amount::numeric(15,2), open_amount_base::numeric(15,2), days_overdue"

PROD[aging]="SELECT * FROM $S.aging('$AS_OF')"
BASE[aging]="SELECT o.client_id, o.client_name, o.direction,
       sum(o.open_amount_base) FILTER (WHERE o.days_overdue = 0) AS not_due,
       sum(o.open_amount_base) FILTER (WHERE o.days_overdue BETWEEN 1 AND 30) AS overdue_1_30,
       sum(o.open_amount_base) FILTER (WHERE o.days_overdue BETWEEN 31 AND 60) AS overdue_31_60,
       sum(o.open_amount_base) FILTER (WHERE o.days_overdue BETWEEN 61 AND 90) AS overdue_61_90,
       sum(o.open_amount_base) FILTER (WHERE o.days_overdue > 90) AS overdue_over_90,
       sum(o.open_amount_base) AS total_open
  FROM ($(open_base "")) o GROUP BY o.client_id, o.client_name, o.direction ORDER BY o.client_id, o.direction"
COLS[aging]="client_id, direction, not_due::numeric(15,2), overdue_1_30::numeric(15,2), overdue_31_60::numeric(15,2), overdue_61_90::numeric(15,2), overdue_over_90::numeric(15,2), total_open::numeric(15,2)"

PROD[turnover]="SELECT * FROM $S.turnover('$FROM', '$TO')"
BASE[turnover]="$turnover_base"
COLS[turnover]="client_id, opening_balance::numeric(15,2), debit::numeric(15,2), credit::numeric(15,2), closing_balance::numeric(15,2)"

PROD[by_group]="SELECT * FROM $S.turnover_by_group('$FROM', '$TO')"
BASE[by_group]="SELECT g.id AS group_id, g.name AS group_name, count(*) AS clients, sum(t.opening_balance) AS opening_balance,
       sum(t.debit) AS debit, sum(t.credit) AS credit, sum(t.closing_balance) AS closing_balance
  FROM ($turnover_base) t
  JOIN $S.client_group_member m ON m.tenant_id = 1 AND m.client_id = t.client_id
  JOIN $S.client_group g ON g.tenant_id = 1 AND g.id = m.group_id
 GROUP BY g.id, g.name ORDER BY g.name"
COLS[by_group]="group_id, clients, opening_balance::numeric(15,2), debit::numeric(15,2), credit::numeric(15,2), closing_balance::numeric(15,2)"

PROD[statement]="SELECT * FROM $S.client_statement($CLIENT, '$FROM', '$TO')"
BASE[statement]="WITH e AS (
    SELECT i.invoice_date AS d, CASE WHEN i.direction = 'sale' THEN 'sales invoice' ELSE 'purchase invoice' END AS kind,
           i.id, i.number AS ref, NULL::text AS la,
           CASE WHEN i.direction = 'sale' THEN i.total_base ELSE 0 END AS r,
           CASE WHEN i.direction = 'purchase' THEN i.total_base ELSE 0 END AS p
      FROM $S.invoice i WHERE i.tenant_id = 1 AND i.client_id = $CLIENT AND i.status = 'posted'
    UNION ALL
    SELECT y.payment_date, CASE y.direction WHEN 'in' THEN 'payment received' ELSE 'payment made' END, y.id, y.reference,
           y.ledger_account::text, CASE WHEN y.direction = 'in' THEN -y.amount_base ELSE 0 END,
           CASE WHEN y.direction = 'out' THEN -y.amount_base ELSE 0 END
      FROM $S.payment y WHERE y.tenant_id = 1 AND y.client_id = $CLIENT),
  o AS (SELECT COALESCE(sum(e.r - e.p), 0) AS b FROM e WHERE e.d < date '$FROM')
SELECT date '$FROM' AS entry_date, 'opening balance' AS entry_kind, NULL::bigint AS entry_id, NULL::text AS reference,
       NULL::text AS ledger_account, NULL::numeric AS debit, NULL::numeric AS credit, o.b AS balance FROM o
UNION ALL
SELECT e.d, e.kind, e.id, e.ref, e.la, GREATEST(e.r, 0) + GREATEST(-e.p, 0), GREATEST(-e.r, 0) + GREATEST(e.p, 0),
       o.b + sum(e.r - e.p) OVER (ORDER BY e.d, e.kind, e.id)
  FROM e, o WHERE e.d BETWEEN date '$FROM' AND date '$TO'
 ORDER BY 1, 3 NULLS FIRST"
COLS[statement]="entry_date, entry_kind, entry_id, debit::numeric(15,2), credit::numeric(15,2), balance::numeric(15,2)"

PROD[client_open]="SELECT * FROM $S.open_items('$AS_OF', $CLIENT)"
BASE[client_open]="$(open_base "AND i.client_id = $CLIENT" "AND x.invoice_id IN (SELECT k.id FROM $S.invoice k WHERE k.tenant_id = 1 AND k.client_id = $CLIENT)") ORDER BY i.invoice_date, i.id"
COLS[client_open]="${COLS[open_items]}"

PROD[reminders]="SELECT * FROM $S.payment_reminders('$AS_OF', record => false)"
BASE[reminders]="SELECT o.invoice_id, o.client_id, o.client_name, o.number, o.due_date, o.days_overdue, o.currency, o.open_amount,
       lv.level, prev.level AS previous_level, lv.fee, lv.message
  FROM ($(open_base "")) o
  JOIN $S.client c ON c.tenant_id = 1 AND c.id = o.client_id AND c.send_reminders
 CROSS JOIN LATERAL (SELECT l.level, l.fee, l.message FROM $S.reminder_level l
                      WHERE l.tenant_id = 1
                        AND l.client_id IS NOT DISTINCT FROM (SELECT k.client_id FROM $S.reminder_level k
                                                               WHERE k.tenant_id = 1 AND k.client_id = o.client_id LIMIT 1)
                        AND l.days_overdue <= o.days_overdue AND l.min_open_amount <= o.open_amount_base
                      ORDER BY l.level DESC LIMIT 1) lv
  LEFT JOIN LATERAL (SELECT max(r.level) AS level FROM $S.payment_reminder r
                      WHERE r.tenant_id = 1 AND r.invoice_id = o.invoice_id) prev ON true
 WHERE o.direction = 'sale' AND o.open_amount > 0 AND o.days_overdue > 0
   AND lv.level > COALESCE(prev.level, 0)
 ORDER BY o.client_id, o.due_date, o.invoice_id"
COLS[reminders]="invoice_id, level, open_amount::numeric(15,2), days_overdue"

CASES=(open_items aging turnover by_group statement client_open reminders)

echo
echo "same rows (count, md5 of the compared columns):"
for c in "${CASES[@]}"; do
    for side in PROD BASE; do
        declare -n q=$side
        sig=$($PSQL -d $DB -At -c "SELECT count(*) || ' ' || md5(COALESCE(string_agg(t::text, '|' ORDER BY t::text), ''))
                                     FROM (SELECT ${COLS[$c]} FROM (${q[$c]}) x) t")
        eval "SIG_$side=\"\$sig\""
        printf '%s\n' "${q[$c]};" > "$WORK/${c}_$side.sql"
    done
    if [ "$SIG_PROD" != "$SIG_BASE" ]; then echo "ERROR: $c differs: product $SIG_PROD, baseline $SIG_BASE" >&2; exit 1; fi
    printf '  %-12s %s rows, identical\n' "$c" "${SIG_PROD%% *}"
done

echo
echo "plans of the product (EXPLAIN ANALYZE: scans and joins, estimated vs actual rows):"
for c in open_items turnover statement; do
    echo "  $c:"
    $PSQL -d $DB -c "EXPLAIN (ANALYZE, TIMING OFF) ${PROD[$c]}" 2>/dev/null | grep -E 'Scan|Join|Execution' | awk 'NR <= 10' \
        | sed -E 's/\(cost=[^ ]+ rows=([0-9]+) width=[0-9]+\) \(actual rows=([0-9]+) loops=([0-9]+)\)/(estimated \1, actual \2, loops \3)/; s/^/    /'
done

declare -A LAT
run() {  # $1 case, $2 side, $3 round
    local out
    out=$($PG_BIN/pgbench -n -U postgres -d $DB -f "$WORK/$1_$2.sql" -c 1 -T "$T" 2>&1) || { echo "$out"; exit 1; }
    LAT[$1,$2,$3]=$(echo "$out" | awk '/^latency average = / {print $4}')
}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
echo
echo "timing (pgbench -c 1 -T $T, product and baseline alternating, $ROUNDS rounds):"
for ((r = 1; r <= ROUNDS; r++)); do
    for c in "${CASES[@]}"; do
        if ((r % 2)); then run "$c" PROD "$r"; run "$c" BASE "$r"; else run "$c" BASE "$r"; run "$c" PROD "$r"; fi
        printf '  round %d %-12s product %9.3f ms  baseline %9.3f ms\n' "$r" "$c" "${LAT[$c,PROD,$r]}" "${LAT[$c,BASE,$r]}"
    done
done
echo
printf '%-12s %12s %12s %10s   %s\n' case product_ms baseline_ms ratio "runs (product; baseline)"
for c in "${CASES[@]}"; do
    p="" b=""
    for ((r = 1; r <= ROUNDS; r++)); do p="$p ${LAT[$c,PROD,$r]}"; b="$b ${LAT[$c,BASE,$r]}"; done
    mp=$(echo "$p" | median) mb=$(echo "$b" | median)
    printf '%-12s %12.3f %12.3f %10.2f   %s;%s\n' "$c" "$mp" "$mb" "$(echo "$mp / $mb" | bc -l)" "$p" "$b"
done
echo "(ratio = product / baseline, median latency; below 1: the product is faster)"
echo "total run time: $(($(date +%s) - T_START)) s (log: $LOG)"
