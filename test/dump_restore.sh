#!/usr/bin/env bash
# Nothing lost: dump a populated database with pg_dump, restore it into a new
# one with pg_restore, and compare every table of the extension (and a user
# table referencing clients) row by row.  Uses PGHOST/PGPORT/PGUSER.
set -euo pipefail
cd "$(dirname "$0")/.."
src=cr_dump_src dst=cr_dump_dst dump=$(mktemp /tmp/cr_dump.XXXXXX)
psql -qX -d postgres -c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $dst" -c "CREATE DATABASE $src" -c "CREATE DATABASE $dst"
psql -qX -v ON_ERROR_STOP=1 -d $src -c "CREATE EXTENSION client_registry CASCADE" -f demo/sample_data.sql >/dev/null
psql -qX -v ON_ERROR_STOP=1 -d $src >/dev/null <<'SQL'
CREATE TABLE public.sales_invoice (
    id serial PRIMARY KEY, tenant_id integer NOT NULL, client_id bigint NOT NULL, number text,
    FOREIGN KEY (tenant_id, client_id) REFERENCES client_registry.client (tenant_id, id));
INSERT INTO public.sales_invoice (tenant_id, client_id, number)
SELECT tenant_id, id, 'SF-' || id FROM client_registry.client WHERE kind = 'buyer';
-- documents (0.2.0): a strict buyer whose history now exceeds its lowered
-- limit, a credit note whose corrected invoice is physically after it,
-- payments and a settlement; the balances are rebuilt on restore.
SET search_path = client_registry, public;
SET client_registry.tenant = 1;
UPDATE client SET credit_control = 'strict', credit_limit = 100000 WHERE company_code = '110443493' AND tenant_id = 1;
INSERT INTO invoice (id, client_id, direction, number, invoice_date)
SELECT 1, id, 'sale', 'SF-2026-1', '2026-11-02' FROM client WHERE company_code = '110443493' AND tenant_id = 1;
INSERT INTO invoice_vat_line (invoice_id, taxable_value, tax_code, vat_rate, vat_amount) VALUES (1, 1000, 'PVM1', 21, 210);
UPDATE invoice SET status = 'posted' WHERE id = 1;
INSERT INTO invoice (id, client_id, direction, number, invoice_date, isaf_type, corrected_invoice_id)
SELECT 2, id, 'sale', 'KS-2026-1', '2026-11-05', 'KS', 1 FROM client WHERE company_code = '110443493' AND tenant_id = 1;
INSERT INTO invoice_vat_line (invoice_id, taxable_value, tax_code, vat_rate, vat_amount) VALUES (2, -100, 'PVM1', 21, -21);
-- 0.4.0: a second reference, to an invoice kept elsewhere, and a line without a rate
INSERT INTO invoice_reference (invoice_id, reference_no, reference_date) VALUES (2, 'SF-2025-99', '2025-12-30');
INSERT INTO invoice_vat_line (invoice_id, taxable_value, tax_code, vat_rate, vat_amount) VALUES (2, -10, 'PVM5', NULL, 0);
UPDATE invoice SET status = 'posted' WHERE id = 2;
UPDATE invoice SET due_date = '2026-12-31' WHERE id = 1;
INSERT INTO payment (id, client_id, direction, payment_date, amount, reference)
SELECT 1, id, 'in', '2026-11-20', 500, 'LT-BANK-0001' FROM client WHERE company_code = '110443493' AND tenant_id = 1;
INSERT INTO settlement (payment_id, invoice_id, amount) VALUES (1, 1, 500);
INSERT INTO invoice (id, client_id, direction, number, invoice_date)
SELECT 3, id, 'purchase', 'RC-77', '2026-11-03' FROM client WHERE company_code = '124110246' AND tenant_id = 1;
INSERT INTO invoice_vat_line (invoice_id, taxable_value, tax_code, vat_rate, vat_amount) VALUES (3, 50, 'PVM1', 21, 10.50);
UPDATE invoice SET status = 'posted' WHERE id = 3;
UPDATE client SET credit_limit = 100 WHERE company_code = '110443493' AND tenant_id = 1;
-- CRM (0.3.0): users, statuses, assigned user, interactions, a task with
-- a comment and a raised version, an event, an opportunity, an order with
-- lines, a document; the activity feed they wrote (restored as dumped, not
-- written again by the triggers during the restore).
INSERT INTO crm_department (id, name) VALUES (1, 'Pardavimai');
INSERT INTO crm_user (id, login, full_name, department_id) VALUES (1, 'vadybininkas', 'Ona Vadybininkė', 1);
INSERT INTO crm_status (id, name) VALUES (1, 'Aktyvus');
UPDATE client SET crm_status_id = 1, assigned_user_id = 1 WHERE company_code = '110443493' AND tenant_id = 1;
INSERT INTO crm_interaction (client_id, kind, subject, user_id)
SELECT id, 'inquiry', 'Kainos užklausa', 1 FROM client WHERE company_code = '110443493' AND tenant_id = 1;
INSERT INTO crm_task (id, client_id, title, due_date, owner_user_id, assigned_user_id, department_id, visibility)
SELECT 1, id, 'Paskambinti', '2026-12-01', 1, 1, 1, 'department' FROM client WHERE company_code = '110443493' AND tenant_id = 1;
UPDATE crm_task SET status = 'in_progress' WHERE id = 1;
INSERT INTO crm_comment (client_id, task_id, body, user_id) SELECT client_id, id, 'Laukia pasiūlymo', 1 FROM crm_task WHERE id = 1;
INSERT INTO crm_event (client_id, title, starts_at, place, owner_user_id, visibility)
SELECT id, 'Susitikimas', '2026-12-02 10:00+02', 'Vilnius', 1, 'user' FROM client WHERE company_code = '110443493' AND tenant_id = 1;
INSERT INTO crm_opportunity (client_id, title, stage, value, owner_user_id)
SELECT id, 'Metinė sutartis', 'proposal', 12000, 1 FROM client WHERE company_code = '110443493' AND tenant_id = 1;
INSERT INTO crm_order (id, client_id, number, order_date, user_id, payment_form, delivery_address)
SELECT 1, id, 'U-1', '2026-11-20', 1, 'card', 'Gedimino pr. 1, Vilnius' FROM client WHERE company_code = '110443493' AND tenant_id = 1;
INSERT INTO crm_order_line (order_id, client_id, line_no, item, quantity, unit_price)
SELECT id, client_id, g, 'Prekė ' || g, g, 9.99 FROM crm_order, generate_series(1, 3) g WHERE id = 1;
INSERT INTO crm_document (client_id, title, uri, user_id)
SELECT id, 'Sutartis', 's3://docs/1.pdf', 1 FROM client WHERE company_code = '110443493' AND tenant_id = 1;
-- 0.4.0 (issue #19): a private call note, a manager, links between items,
-- the product catalogue and document types picked by a line and a document
UPDATE crm_user SET is_manager = true WHERE id = 1;
INSERT INTO crm_interaction (client_id, kind, subject, user_id, department_id, visibility)
SELECT id, 'call', 'Privatus skambutis', 1, 1, 'user' FROM client WHERE company_code = '110443493' AND tenant_id = 1;
INSERT INTO crm_product (id, code, name, unit, price, vat_rate) VALUES (1, 'KAV-1', 'Kava', 'kg', 14.50, 21);
INSERT INTO crm_document_type (id, code, name) VALUES (1, 'offer', 'Pasiūlymas');
INSERT INTO crm_order_line (order_id, client_id, line_no, product_id, quantity)
SELECT id, client_id, 10, 1, 2 FROM crm_order WHERE id = 1;
INSERT INTO crm_document (id, client_id, title, document_type_id, user_id, department_id, visibility)
SELECT 100, id, 'Pasiūlymas', 1, 1, 1, 'department' FROM client WHERE company_code = '110443493' AND tenant_id = 1;
INSERT INTO crm_link (kind, from_type, from_id, to_type, to_id) VALUES
    ('offer_for', 'document', 100, 'order', 1), ('related', 'task', 1, 'document', 100);
-- 0.3.0: a bank statement (a matched entry that became a payment, a queued
-- one), the register of legal entities and a card filled from it (the
-- payments above took explicit ids: move the identity past them)
SELECT setval(pg_get_serial_sequence('client_registry.payment', 'id'), (SELECT max(id) FROM payment));
SELECT count(*) FROM import_camt053('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
  <GrpHdr><MsgId>DUMP-1</MsgId></GrpHdr><Stmt><Id>DUMP-ST-1</Id><Acct><Id><IBAN>LT121000011101001000</IBAN></Id></Acct>
  <Ntry><Amt Ccy="EUR">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-11-21</Dt></BookgDt>
    <AcctSvcrRef>DUMP-R-1</AcctSvcrRef><NtryDtls><TxDtls><RltdPties><Dbtr><Nm>Sanitex</Nm></Dbtr>
    <DbtrAcct><Id><IBAN>LT057300010009757487</IBAN></Id></DbtrAcct></RltdPties><RmtInf><Ustrd>SF-2026-1</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
  <Ntry><Amt Ccy="EUR">7.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-11-21</Dt></BookgDt>
    <NtryDtls><TxDtls><RltdPties><Dbtr><Nm>Nežinomas</Nm></Dbtr></RltdPties></TxDtls></NtryDtls></Ntry>
  </Stmt></BkToCstmrStmt></Document>');
INSERT INTO legal_register_import (ja_kodas, ja_pavadinimas, adresas, ja_reg_data, form_kodas, form_pavadinimas,
                                   stat_kodas, stat_pavadinimas, stat_data_nuo, formavimo_data)
VALUES ('110443493', 'UAB "Sanitex"', 'Kaunas, Savanorių pr. 1, LT-44001', '1990-01-01', '310',
        'Uždaroji akcinė bendrovė', '0', 'Teisinis statusas neįregistruotas', '1990-01-01', '2026-05-27');
SELECT * FROM merge_legal_register();
SELECT fill_client_from_register(id) FROM client WHERE company_code = '110443493' AND tenant_id = 1;
-- 0.4.0 personal data: consent of a client and of a contact person (history
-- restored in any order), VIES results, a legal hold with a deferred erasure,
-- an erased person (its journal row), Latvian and Estonian register rows
INSERT INTO client (id, kind, legal_form, name, email, phone, sales_tax_category) VALUES
    (901, 'buyer', 'natural_person', 'Jonas Jonaitis', 'jonas@example.lt', '+370 612 34567', 'PVM1'),
    (902, 'buyer', 'natural_person', 'Ona Onaitė', 'ona@example.lt', NULL, 'PVM1');
INSERT INTO client_contact (client_id, first_name, last_name, email)
SELECT id, 'Petras', 'Petraitis', 'petras@sanitex.lt' FROM client WHERE company_code = '110443493' AND tenant_id = 1;
SELECT record_consent(901, 'marketing_email', true, 'web form', given_at => '2026-01-10 10:00+02');
SELECT record_consent(902, 'contact_data', true, 'signed paper form');
SELECT record_consent(902, 'contact_data', false, 'e-mail');
SELECT record_consent(p.client_id, 'marketing_phone', true, 'phone call', contact_id => p.id)
  FROM client_contact p WHERE p.email = 'petras@sanitex.lt';
SELECT record_vat_number_check(id, true, vat_code => 'LT119511515', returned_name => 'UAB SANITEX',
                               returned_address => 'KAUNAS', consultation_number => 'WAPIAAAAY0000009')
  FROM client WHERE company_code = '110443493' AND tenant_id = 1;
SELECT place_legal_hold(902, 'Skolos išieškojimas');
SELECT count(*) FROM erase_personal_data(902, defer => true);
SELECT count(*) FROM erase_personal_data(901);
INSERT INTO legal_register_import_lv (regcode, name, type_text, registered, address, index)
VALUES ('40003521600', 'SIA "Baltijas Testi"', 'SIA', '2001-05-10', 'Brīvības iela 1, Rīga', 'LV-1010');
INSERT INTO legal_register_import_ee (nimi, ariregistri_kood, ettevotja_oiguslik_vorm, kmkr_nr, ettevotja_staatus,
                                      ettevotja_staatus_tekstina, ettevotja_esmakande_kpv, ettevotja_aadress)
VALUES ('Testfirma OÜ', '10000024', 'Osaühing', 'EE100594102', 'R', 'Registrisse kantud', '01.02.2003', 'Narva mnt 5, Tallinn');
SELECT * FROM merge_legal_register();
-- a merge (0.3.0): its journal is user data too, and unmerge must still work
-- on the restored database (row hashes survive the dump)
INSERT INTO client (id, kind, name, phone, sales_tax_category) VALUES (900, 'buyer', 'Sanitex UAB', '+370 5 000 0000', 'PVM1');
INSERT INTO client_address (client_id, street, city) VALUES (900, 'Kalvarijų g. 1', 'Vilnius');
INSERT INTO public.sales_invoice (tenant_id, client_id, number) VALUES (1, 900, 'SF-DUP');
SELECT merge_clients((SELECT id FROM client WHERE company_code = '110443493' AND tenant_id = 1), 900);
-- 0.4.0: tenant memberships (roles are cluster-wide: the restore finds them)
-- and private notes
DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cr_dump_member') THEN CREATE ROLE cr_dump_member; END IF; END $$;
SELECT grant_tenant(1, 'cr_dump_member'), grant_all_tenants('cr_dump_member');
INSERT INTO client_private_note (client_id, note)
SELECT id, 'Moka vėluodamas' FROM client WHERE company_code = '110443493' AND tenant_id = 1;
-- 0.4.0 debts (issue #16): a credit note settled, an offset and its
-- reversal, a settlement across currencies (exchange difference), debts and
-- a payment on a ledger account, reminder levels and a reminder; the
-- balances they moved are rebuilt on restore.
INSERT INTO client (id, kind, name, sales_tax_category, purchase_tax_category) VALUES
    (910, 'buyer_supplier', 'UAB Skolos', 'PVM1', 'PVM1');
INSERT INTO client (id, kind, name, purchase_tax_category, settled_by) VALUES (911, 'supplier', 'VMI', 'PVM1', 'accounts');
INSERT INTO invoice (id, client_id, direction, number, invoice_date, currency, currency_rate) VALUES
    (10, 910, 'sale', 'DS-1', '2026-10-01', 'USD', 0.9), (11, 910, 'purchase', 'DP-1', '2026-10-02', 'USD', 0.95),
    (12, 910, 'sale', 'DKS-1', '2026-10-03', 'USD', 0.92);
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_rate, vat_amount) VALUES (10, 100, 0, 0), (11, 40, 0, 0), (12, -10, 0, 0);
UPDATE invoice SET status = 'posted' WHERE id IN (10, 11, 12);
SELECT settle_credit_note(12, 10, number => 'DKN-1');
SELECT reverse_debt_offset(offset_debts(10, 11), '2026-10-20');
SELECT offset_debts(10, 11, 20);
INSERT INTO payment (id, client_id, direction, payment_date, amount) VALUES (10, 910, 'in', '2026-10-25', 30);
INSERT INTO settlement (payment_id, invoice_id, amount) VALUES (10, 10, 30);
INSERT INTO account_entry (client_id, ledger_account, side, entry_date, amount, reference)
VALUES (911, '4481', 'payable', '2026-10-15', 320, 'GPM 2026-10');
INSERT INTO payment (id, client_id, direction, payment_date, amount, ledger_account) VALUES (11, 911, 'out', '2026-10-20', 300, '4481');
INSERT INTO reminder_level (level, days_overdue, fee) VALUES (1, 7, 0), (2, 30, 5);
SELECT count(*) FROM payment_reminders('2026-11-30');
DO $$ BEGIN IF EXISTS (SELECT 1 FROM client_registry.balance_discrepancies()) THEN RAISE EXCEPTION 'balances'; END IF; END $$;
-- 0.4.0 (issue #15): an import (external ids, its run, history over a strict
-- limit recorded as a credit override; the invoices above took explicit ids)
SELECT setval(pg_get_serial_sequence('client_registry.invoice', 'id'), (SELECT max(id) FROM invoice));
SELECT count(*) FROM import_begin();
INSERT INTO import_client (external_id, kind, name, sales_tax_category, credit_control, credit_limit)
    VALUES ('RV-1', 'buyer', 'UAB Atkelta', 'PVM1', 'strict', 10);
INSERT INTO import_address (client_external_id, street, city) VALUES ('RV-1', 'Atkeltoji g. 1', 'Vilnius');
INSERT INTO import_invoice (external_id, client_external_id, direction, number, invoice_date, status)
    VALUES ('RV-S-1', 'RV-1', 'sale', 'RV-2024-1', '2024-06-01', 'posted');
INSERT INTO import_vat_line (invoice_external_id, taxable_value, vat_rate, vat_amount) VALUES ('RV-S-1', 100, 21, 21);
INSERT INTO import_payment (external_id, client_external_id, direction, payment_date, amount)
    VALUES ('RV-P-1', 'RV-1', 'in', '2024-06-10', 21);
SET client_min_messages = error;
SELECT count(*) FROM import_apply('rivile') WHERE status <> 'created';
RESET client_min_messages;
-- 0.4.0 (issue #14): a "not duplicates" mark
INSERT INTO client (id, kind, name, sales_tax_category) VALUES (903, 'buyer', 'UAB Dvynys', 'PVM1'), (904, 'buyer', 'Dvynys UAB', 'PVM1');
SELECT mark_not_duplicates(ARRAY[903, 904], 'two owners');
SQL
pg_dump -Fc -d $src -f "$dump" 2> >(grep -v -e 'circular foreign-key' -e 'detail: invoice' -e 'hint: ' >&2)
pg_restore --exit-on-error -d $dst "$dump"

snapshot() {
    psql -qXAt -d "$1" <<'SQL'
SELECT c.relname || ': ' || (xpath('/row/n/text()', query_to_xml(
           format('SELECT count(*) AS n FROM %s', c.oid::regclass), false, true, '')))[1]::text
       || ' rows, md5 ' || (xpath('/row/h/text()', query_to_xml(
           format('SELECT md5(string_agg(t::text, %L ORDER BY t::text)) AS h FROM %s t', '|', c.oid::regclass),
           false, true, '')))[1]::text
  FROM pg_extension e, unnest(e.extconfig) AS cfg(oid) JOIN pg_class c ON c.oid = cfg.oid
 WHERE e.extname = 'client_registry' AND c.relkind = 'r'
UNION ALL
SELECT s.relname || ': last_value ' || pg_sequence_last_value(s.oid)
  FROM pg_extension e, unnest(e.extconfig) AS cfg(oid) JOIN pg_class s ON s.oid = cfg.oid
 WHERE e.extname = 'client_registry' AND s.relkind = 'S'
UNION ALL
SELECT 'sales_invoice: ' || count(*) || ' rows, md5 ' || md5(string_agg(t::text, '|' ORDER BY t::text))
  FROM public.sales_invoice t
UNION ALL
SELECT 'client_balance (derived, rebuilt): ' || count(*) || ' rows, md5 ' || md5(string_agg(t::text, '|' ORDER BY t::text))
  FROM client_registry.client_balance t
ORDER BY 1;
SQL
}
a=$(snapshot $src); b=$(snapshot $dst)
echo "$a"
status=0
if [ "$a" != "$b" ]; then
    echo "DUMP/RESTORE MISMATCH:"; diff <(echo "$a") <(echo "$b") || true; status=1
fi
# Every table is registered for dumping, except client_balance (derived data,
# rebuilt from the invoices and payments during the restore and compared above).
missing=$(psql -qXAt -d $src -c "SELECT string_agg(c.relname, ', ') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'client_registry' AND c.relkind IN ('r', 'S')
    AND c.relname <> 'client_balance'
    AND c.oid <> ALL ((SELECT extconfig FROM pg_extension WHERE extname = 'client_registry')::oid[])")
if [ -n "$missing" ]; then echo "not registered with pg_extension_config_dump: $missing"; status=1; fi
# A merge made before the dump can be undone after the restore.
psql -qX -v ON_ERROR_STOP=1 -d $dst -c "SELECT client_registry.unmerge(max(id)) FROM client_registry.client_merge" >/dev/null || { echo "unmerge after restore failed"; status=1; }
# The restored database keeps working: new ids do not collide.
psql -qX -v ON_ERROR_STOP=1 -d $dst -c "SET client_registry.tenant = 1; INSERT INTO client_registry.client (name) VALUES ('After restore')" >/dev/null || status=1
rm -f "$dump"
psql -qX -d postgres -c "DROP DATABASE $src" -c "DROP DATABASE $dst" -c "DROP ROLE cr_dump_member"
[ $status -eq 0 ] && echo "dump/restore: identical" 
exit $status
