#!/usr/bin/env bash
# Upgrade paths: for every released version A (sql/released.sha256), install A, load the
# sample registry, run ALTER EXTENSION client_registry UPDATE, check that the
# data is kept and that the new version works on it (an invoice is posted and
# the balances add up), and compare the schema with a fresh install of the
# default version (pg_dump --schema-only of the extension's schema).  Prints "upgrade: N paths checked" and exits non-zero on a
# difference.  Uses PGHOST/PGPORT/PGUSER.
set -euo pipefail
cd "$(dirname "$0")/.."
default=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" client_registry.control)
checked=0 status=0
difffile=$(mktemp /tmp/cr_upgrade.XXXXXX)
schema_of() {
    pg_dump -s -n client_registry -d "$1" 2>/dev/null \
        | grep -vE '^--|^$|^SET |^SELECT pg_catalog.set_config|^\\(un)?restrict ' | sort
}
for from in $(awk '{ print $3 }' sql/released.sha256); do
    [ "$from" != "$default" ] || continue
    psql -qX -d postgres -c "DROP DATABASE IF EXISTS cr_up_old" -c "DROP DATABASE IF EXISTS cr_up_new" \
        -c "CREATE DATABASE cr_up_old" -c "CREATE DATABASE cr_up_new" >/dev/null 2>&1
    # the old version with data (the sample registry uses only 0.1.0 features),
    # then the upgrade: the data stays and the new version works on it
    psql -qX -v ON_ERROR_STOP=1 -d cr_up_old -c "CREATE EXTENSION client_registry VERSION '$from' CASCADE" \
        -f demo/sample_data.sql >/dev/null
    # a private note on a card (a column until 0.3.0, rows of client_private_note from 0.4.0)
    psql -qX -v ON_ERROR_STOP=1 -d cr_up_old -c "UPDATE client_registry.client SET private_notes = 'PN-UPGRADE'
        WHERE id = (SELECT min(id) FROM client_registry.client WHERE kind <> 'own_company' AND tenant_id = 1)" >/dev/null
    # documents of 0.2.0+: a posted credit note with corrected_invoice_id and a
    # line whose rate came from the old default (21): 0.4.0 moves the
    # reference into invoice_reference and keeps the rate
    if [ "$from" != "0.1.0" ]; then
        psql -qX -v ON_ERROR_STOP=1 -d cr_up_old >/dev/null <<'SQL'
SET search_path = client_registry, public;
SET client_registry.tenant = 1;
INSERT INTO invoice (id, client_id, direction, number, invoice_date)
SELECT 990001, id, 'sale', 'UP-SF-1', '2026-10-05' FROM client WHERE company_code = '110443493' AND tenant_id = 1;
INSERT INTO invoice_vat_line (invoice_id, taxable_value, tax_code, vat_amount) VALUES (990001, 100, 'PVM1', 21);
UPDATE invoice SET status = 'posted' WHERE id = 990001;
INSERT INTO invoice (id, client_id, direction, number, invoice_date, isaf_type, corrected_invoice_id)
SELECT 990002, id, 'sale', 'UP-KS-1', '2026-10-06', 'KS', 990001 FROM client WHERE company_code = '110443493' AND tenant_id = 1;
INSERT INTO invoice_vat_line (invoice_id, taxable_value, tax_code, vat_rate, vat_amount) VALUES (990002, -10, 'PVM1', 21, -2.1);
UPDATE invoice SET status = 'posted' WHERE id = 990002;
SQL
    fi
    before=$(psql -qXAt -d cr_up_old -c "SELECT count(*) || '/' || md5(string_agg(c::text, '|' ORDER BY c.id)) FROM client_registry.client c")
    psql -qX -v ON_ERROR_STOP=1 -d cr_up_old -c "ALTER EXTENSION client_registry UPDATE" >/dev/null
    notes=$(psql -qXAt -d cr_up_old -c "SELECT count(*) FROM client_registry.client_private_note WHERE note = 'PN-UPGRADE'")
    copies=$(psql -qXAt -d cr_up_old -c "SELECT count(*) FROM client_registry.activity_feed WHERE concat(old_values, new_values) LIKE '%PN-UPGRADE%'")
    if [ "$notes" != 1 ] || [ "$copies" != 0 ]; then
        echo "upgrade from $from: the private note became $notes note rows and left $copies copies in the activity feed"; status=1
    fi
    after_full=$(psql -qXAt -d cr_up_old -c "SELECT count(*) FROM client_registry.client")
    if [ "${before%%/*}" != "$after_full" ]; then
        echo "upgrade from $from lost clients: $before -> $after_full"; status=1
    fi
    if ! psql -qX -v ON_ERROR_STOP=1 -d cr_up_old >/dev/null 2>&1 <<'SQL'
SET search_path = client_registry, public;
SET client_registry.tenant = 1;
INSERT INTO invoice (client_id, direction, number, invoice_date)
SELECT id, 'sale', 'UPGRADE-1', '2026-11-25' FROM client WHERE company_code = '110443493' AND tenant_id = 1;
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount)
SELECT id, 100, 21 FROM invoice WHERE number = 'UPGRADE-1';
UPDATE invoice SET status = 'posted' WHERE number = 'UPGRADE-1';
DO $$ BEGIN IF EXISTS (SELECT 1 FROM client_registry.balance_discrepancies()) THEN RAISE EXCEPTION 'balances'; END IF; END $$;
SQL
    then
        echo "after the upgrade from $from, posting an invoice on the old data failed"; status=1
    fi
    if [ "$from" != "0.1.0" ]; then
        got=$(psql -qXAt -d cr_up_old -c "SELECT (SELECT string_agg(reference_no || '@' || to_char(reference_date, 'YYYY-MM-DD') || '#' || referenced_invoice_id, ',')
                                                   FROM client_registry.invoice_reference WHERE invoice_id = 990002)
                                             || ' ' || (SELECT vat_rate FROM client_registry.invoice_vat_line WHERE invoice_id = 990001)")
        if [ "$got" != "UP-SF-1@2026-10-05#990001 21.00" ]; then
            echo "upgrade from $from: corrected_invoice_id or vat_rate not kept: '$got'"; status=1
        fi
    fi
    # 0.4.0 (issue #14): the upgrade fills the search dictionary from the cards it finds, so a
    # card of the old version is found with a typo ('tirdzniceba' for „Rīgas Tirdzniecība")
    got=$(psql -qXAt -d cr_up_old -c "SET client_registry.tenant = 1" \
              -c "SELECT string_agg(name, ',') FROM client_registry.search_clients('rigas tirdzniceba')")
    if [ "$got" != 'SIA „Rīgas Tirdzniecība"' ]; then
        echo "upgrade from $from: typo search does not find an old card: '$got'"; status=1
    fi
    psql -qX -v ON_ERROR_STOP=1 -d cr_up_new -c "CREATE EXTENSION client_registry CASCADE" >/dev/null
    if ! diff <(schema_of cr_up_old) <(schema_of cr_up_new | grep -v '^$') > "$difffile"; then
        echo "upgrade from $from to $default differs from a fresh install:"; head -50 "$difffile"; status=1
    fi
    checked=$((checked + 1))
    psql -qX -d postgres -c "DROP DATABASE cr_up_old" -c "DROP DATABASE cr_up_new" >/dev/null
done
echo "upgrade: $checked paths checked (default version $default)"
exit $status
