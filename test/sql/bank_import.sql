-- 0.3.0: bank statement import (camt.053, R3.4) with matching, payments and
-- automatic settlement (R4.5); hostile and malformed files.
-- Tenants 110-112.  Files: test/data/camt053/, all made for these tests
SET search_path = client_registry, public;
SET client_registry.tenant = 110;
\set VERBOSITY default
\set SHOW_CONTEXT never
INSERT INTO client (id, kind, name, company_code) VALUES (11001, 'own_company', 'UAB Savi', '110003978');
INSERT INTO client_bank_account (client_id, iban, ledger_account) VALUES
    (11001, 'LT817044000000000001', '2711'), (11001, 'LT547044000000000002', '2712');
INSERT INTO client (id, kind, name, company_code, sales_tax_category, purchase_tax_category, settlement_mode) VALUES
    (11002, 'buyer', 'UAB Pirkėjas A', '304110002', 'PVM1', NULL, 'all_documents'),
    (11003, 'buyer', 'UAB Pirkėjas B', '304110010', 'PVM1', NULL, 'selected_documents'),
    (11004, 'buyer', 'UAB Pirkėjas C', '304110027', 'PVM1', NULL, 'off'),
    (11005, 'supplier', 'UAB Tiekėjas D', '304110034', NULL, 'PVM1', 'all_documents'),
    (11006, 'buyer', 'UAB Dalijasi E', '304110041', 'PVM1', NULL, 'off'),
    (11007, 'buyer', 'UAB Dalijasi F', '304110059', 'PVM1', NULL, 'off');
INSERT INTO client_bank_account (client_id, iban) VALUES
    (11002, 'LT277044000000000003'), (11005, 'LT977044000000000004'),
    (11006, 'LT707044000000000005'), (11007, 'LT707044000000000005');
INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES
    (11001, 11002, 'sale', 'SF-110-1', '2026-11-01'),
    (11002, 11003, 'sale', 'SF-110-2', '2026-11-02'),
    (11003, 11003, 'sale', 'SF-110-3', '2026-11-03'),
    (11004, 11005, 'purchase', 'PIR-110-1', '2026-11-04');
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES
    (11001, 100, 21), (11002, 80, 0), (11003, 10, 0), (11004, 250, 0);
UPDATE invoice SET status = 'posted' WHERE id BETWEEN 11001 AND 11004;

-- A statement made for the tests (camt.053.001.08): every kind of entry.
\set doc `cat test/data/camt053/lt_statement_v08.xml`
SELECT statement_ref, account, ledger_account, entries, duplicates, matched, queued, payments, settlements
  FROM import_camt053(:'doc');
SELECT entry_number AS ntry, tx_number AS tx, entry_key, amount, credit_debit AS cd, status, booking_date,
       counterparty_name, counterparty_iban, counterparty_org_id, c.name AS client, match_reason,
       (payment_id IS NOT NULL) AS paid, match_note
  FROM bank_entry e LEFT JOIN client c ON c.id = e.client_id
 WHERE e.tenant_id = 110 ORDER BY entry_number, tx_number;
-- the statement knows its own account's ledger account (R3.3)
SELECT statement_ref, account, ledger_account, camt_version, message_id, from_date, to_date
  FROM bank_statement WHERE tenant_id = 110;
-- matched entries became payments (direction from CRDT/DBIT), settled (R4.5)
SELECT c.name, p.direction, p.payment_date, p.amount, p.reference, p.description, i.number AS named_invoice
  FROM payment p JOIN client c ON c.id = p.client_id LEFT JOIN invoice i ON i.id = p.invoice_id
 WHERE p.tenant_id = 110 ORDER BY p.reference;
SELECT i.number, s.amount FROM settlement s JOIN invoice i ON i.id = s.invoice_id
 WHERE s.tenant_id = 110 ORDER BY i.number, s.amount;
SELECT number, open_amount FROM invoice_list WHERE tenant_id = 110 ORDER BY number;
SELECT name, receivable, payable FROM client_debt WHERE tenant_id = 110 AND (receivable <> 0 OR payable <> 0) ORDER BY name;
-- the queue of entries waiting for a person
SELECT booking_date, credit_debit, amount, counterparty_name, counterparty_iban, remittance, reason
  FROM bank_entry_queue WHERE tenant_id = 110 ORDER BY amount;

-- The same statement again creates nothing.
SELECT statement_ref, entries, duplicates, matched, queued, payments, settlements FROM import_camt053(:'doc');
SELECT count(*) AS entries, (SELECT count(*) FROM payment WHERE tenant_id = 110) AS payments,
       (SELECT count(*) FROM bank_statement WHERE tenant_id = 110) AS statements
  FROM bank_entry WHERE tenant_id = 110;

-- Manual assignment from the queue: the payment is created and settled.
SELECT assign_bank_entry((SELECT id FROM bank_entry WHERE tenant_id = 110 AND entry_key = 'LT110-REF-12'), 11003,
                         invoice_id => 11003) > 0 AS assigned;
SELECT c.name, e.match_reason, p.amount, p.direction FROM bank_entry e JOIN client c ON c.id = e.client_id
  JOIN payment p ON p.id = e.payment_id WHERE e.entry_key = 'LT110-REF-12';
SELECT number, open_amount FROM invoice_list WHERE tenant_id = 110 AND number = 'SF-110-3';
-- remembering an IBAN: the shared one stays ambiguous, an unknown one is learnt
SELECT assign_bank_entry((SELECT id FROM bank_entry WHERE tenant_id = 110 AND entry_key = 'LT110-REF-7/2'), 11004,
                         remember_iban => true) > 0 AS assigned;
SELECT iban FROM client_bank_account WHERE client_id = 11004;
-- errors of the assignment
SELECT assign_bank_entry((SELECT id FROM bank_entry WHERE tenant_id = 110 AND entry_key = 'LT110-REF-12'), 11002);
\echo :SQLSTATE
SELECT assign_bank_entry(-1, 11002);
\echo :SQLSTATE
SELECT assign_bank_entry((SELECT id FROM bank_entry WHERE tenant_id = 110 AND entry_key = 'LT110-REF-10'), 999999);
\echo :SQLSTATE
SELECT assign_bank_entry((SELECT id FROM bank_entry WHERE tenant_id = 110 AND entry_key = 'LT110-REF-11'), 11001);
\echo :SQLSTATE
SELECT assign_bank_entry((SELECT id FROM bank_entry WHERE tenant_id = 110 AND entry_key = 'LT110-REF-6:PDNG'), 11002);
\echo :SQLSTATE
-- deleting the payment puts the entry back in the queue
DELETE FROM settlement WHERE payment_id = (SELECT payment_id FROM bank_entry WHERE entry_key = 'LT110-REF-12');
DELETE FROM payment WHERE id = (SELECT payment_id FROM bank_entry WHERE entry_key = 'LT110-REF-12');
SELECT amount, client_id IS NOT NULL AS still_matched FROM bank_entry_queue WHERE tenant_id = 110 AND amount = 3.50;

-- The pending entry, booked on a later statement under the same reference, becomes a payment.
\set doc `cat test/data/camt053/lt_statement_v08.xml`
SELECT statement_ref, entries, duplicates, matched, queued, payments FROM import_camt053(
    replace(replace(:'doc', 'TEST-110-STMT-1', 'TEST-110-STMT-5'), '<Sts><Cd>PDNG</Cd></Sts>
        <ValDt><Dt>2026-11-21</Dt></ValDt>', '<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-11-21</Dt></BookgDt>'));
SELECT entry_key, status, (payment_id IS NOT NULL) AS paid FROM bank_entry
 WHERE tenant_id = 110 AND entry_key LIKE 'LT110-REF-6%' ORDER BY entry_key;

-- A second statement (camt.053.001.02) whose entries have no IBAN: recorded, queued.
\set doc `cat test/data/camt053/missing_iban_v02.xml`
SELECT statement_ref, entries, duplicates, matched, queued, payments FROM import_camt053(:'doc');
SELECT amount, credit_debit, counterparty_name, remittance, reason FROM bank_entry_queue
 WHERE tenant_id = 110 AND statement_ref = 'TEST-110-STMT-2' ORDER BY amount;

-- A payment entered by hand with the bank reference is linked, not doubled.
INSERT INTO payment (client_id, direction, payment_date, amount, reference)
VALUES (11002, 'in', '2026-11-22', 44.00, 'LT110-REF-31');
SELECT statement_ref, entries, matched, queued, payments FROM import_camt053(
    replace(replace(replace(:'doc', 'TEST-110-STMT-2', 'TEST-110-STMT-3'), 'LT110-REF-21', 'LT110-REF-31'),
            '<RltdPties><Dbtr><Nm>Be sąskaitos</Nm></Dbtr></RltdPties>',
            '<RltdPties><Dbtr><Nm>A</Nm></Dbtr><DbtrAcct><Id><IBAN>LT277044000000000003</IBAN></Id></DbtrAcct></RltdPties>'));
SELECT e.amount, e.match_note LIKE 'payment % already uses the reference LT110-REF-31' AS conflict_noted,
       e.payment_id IS NULL AS queued FROM bank_entry e WHERE e.entry_key = 'LT110-REF-31';
SELECT count(*) AS payments_with_reference FROM payment WHERE tenant_id = 110 AND reference = 'LT110-REF-31';
INSERT INTO payment (client_id, direction, payment_date, amount, reference)
VALUES (11002, 'in', '2026-11-22', 9.99, 'LT110-REF-41');
SELECT statement_ref, entries, matched, queued, payments FROM import_camt053(
    replace(replace(replace(:'doc', 'TEST-110-STMT-2', 'TEST-110-STMT-4'), 'LT110-REF-21', 'LT110-REF-41'),
            '<RltdPties><Dbtr><Nm>Be sąskaitos</Nm></Dbtr></RltdPties>',
            '<RltdPties><Dbtr><Nm>A</Nm></Dbtr><DbtrAcct><Id><IBAN>LT277044000000000003</IBAN></Id></DbtrAcct></RltdPties>'));
SELECT e.amount, e.match_note LIKE 'linked to payment % recorded before with this reference' AS linked,
       p.reference FROM bank_entry e JOIN payment p ON p.id = e.payment_id WHERE e.entry_key = 'LT110-REF-41';
SELECT count(*) AS payments_with_reference FROM payment WHERE tenant_id = 110 AND reference = 'LT110-REF-41';

-------------------------------------------------------------------------------
-- Refused: hostile, malformed, not camt.053, out of range, unknown account.
-- Nothing of a refused file is kept.
-------------------------------------------------------------------------------
CREATE TEMP TABLE counts_before AS
SELECT (SELECT count(*) FROM bank_entry WHERE tenant_id = 110) AS entries,
       (SELECT count(*) FROM bank_statement WHERE tenant_id = 110) AS statements,
       (SELECT count(*) FROM payment WHERE tenant_id = 110) AS payments;
\set doc `cat test/data/camt053/xxe.xml`
SELECT * FROM import_camt053(:'doc');
\echo :SQLSTATE
\set doc `cat test/data/camt053/external_dtd.xml`
SELECT * FROM import_camt053(:'doc');
\echo :SQLSTATE
\set doc `cat test/data/camt053/undeclared_entity.xml`
SELECT * FROM import_camt053(:'doc');
\echo :SQLSTATE
-- billion laughs: refused before any expansion, fast
\set doc `cat test/data/camt053/billion_laughs.xml`
SELECT * FROM import_camt053(:'doc');
\echo :SQLSTATE
DO $$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
    PERFORM * FROM client_registry.import_camt053(pg_catalog.repeat(
        '<!DOCTYPE d [<!ENTITY a "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>', 1) || '<d>&a;</d>');
EXCEPTION WHEN invalid_xml_document THEN
    RAISE NOTICE 'refused in under a second: %', clock_timestamp() - t0 < interval '1 second';
END $$;
\set doc `cat test/data/camt053/truncated.xml`
SELECT * FROM import_camt053(:'doc');
\echo :SQLSTATE
-- cut after two complete entries: they were read, and are rolled back
\set doc `cat test/data/camt053/truncated_after_entries.xml`
SELECT * FROM import_camt053(replace(:'doc', 'TEST-110-STMT-1', 'TEST-110-STMT-8'));
\echo :SQLSTATE
SELECT * FROM import_camt053('   ');
\echo :SQLSTATE
SELECT * FROM import_camt053('');
\echo :SQLSTATE
SELECT * FROM import_camt053('not xml at all');
\echo :SQLSTATE
\set doc `cat test/data/camt053/wrong_namespace.xml`
SELECT * FROM import_camt053(:'doc');
\echo :SQLSTATE
\set doc `cat test/data/camt053/no_namespace.xml`
SELECT * FROM import_camt053(:'doc');
\echo :SQLSTATE
\set doc `cat test/data/camt053/lt_statement_v08.xml`
SELECT * FROM import_camt053(replace(:'doc', 'camt.053.001.08', 'camt.053.001.01'));
\echo :SQLSTATE
SELECT * FROM import_camt053(replace(:'doc', '<BkToCstmrStmt>', '<BkToCstmrNtfctn>'));
\echo :SQLSTATE
\set doc `cat test/data/camt053/huge_amount.xml`
SELECT * FROM import_camt053(:'doc');
\echo :SQLSTATE
\set doc `cat test/data/camt053/bad_amount.xml`
SELECT * FROM import_camt053(:'doc');
\echo :SQLSTATE
\set doc `cat test/data/camt053/lt_statement_v08.xml`
SELECT * FROM import_camt053(replace(replace(:'doc', 'TEST-110-STMT-1', 'TEST-110-STMT-9'), '>50.00<', '>50.005<'));
\echo :SQLSTATE
SELECT * FROM import_camt053(replace(replace(:'doc', 'TEST-110-STMT-1', 'TEST-110-STMT-9'), 'Ccy="EUR">30.00', 'Ccy="eur">30.00'));
\echo :SQLSTATE
SELECT * FROM import_camt053(replace(replace(:'doc', 'TEST-110-STMT-1', 'TEST-110-STMT-9'), '<CdtDbtInd>DBIT', '<CdtDbtInd>DEBIT'));
\echo :SQLSTATE
SELECT * FROM import_camt053(replace(replace(:'doc', 'TEST-110-STMT-1', 'TEST-110-STMT-9'), '<Dt>2026-11-20</Dt></BookgDt>', '<Dt>20.11.2026</Dt></BookgDt>'));
\echo :SQLSTATE
SELECT * FROM import_camt053(replace(replace(:'doc', 'TEST-110-STMT-1', 'TEST-110-STMT-9'), '<Dt>2026-11-20</Dt></BookgDt>', '<Dt>2026-02-30</Dt></BookgDt>'));
\echo :SQLSTATE
SELECT * FROM import_camt053(replace(replace(:'doc', 'TEST-110-STMT-1', 'TEST-110-STMT-9'), '<Id>TEST-110-STMT-9</Id>', ''));
\echo :SQLSTATE
-- the statement's account is not one of the own company's
\set doc `cat test/data/camt053/unknown_account.xml`
SELECT * FROM import_camt053(:'doc');
\echo :SQLSTATE
SELECT (SELECT count(*) FROM bank_entry WHERE tenant_id = 110) = entries AS no_entry_kept,
       (SELECT count(*) FROM bank_statement WHERE tenant_id = 110) = statements AS no_statement_kept,
       (SELECT count(*) FROM payment WHERE tenant_id = 110) = payments AS no_payment_kept
  FROM counts_before;

-------------------------------------------------------------------------------
-- Every message version, camt.053.001.02 to .13: test/data/camt053/statement_vNN.xml
-- (written by test/data/camt053/make_versions.sh): two statements per document,
-- booked, pending and information entries, a batch, a reversal, a fee,
-- structured and unstructured remittance, organisation and private ids, EUR
-- and USD.
-------------------------------------------------------------------------------
SET client_registry.tenant = 111;
INSERT INTO client (id, kind, name, company_code) VALUES (11101, 'own_company', 'UAB Sąskaitų testas', '304111008');
INSERT INTO client_bank_account (client_id, iban, currency, ledger_account) VALUES
    (11101, 'LT147044000000011101', 'EUR', '2711'), (11101, 'LT847044000000011102', 'USD', '2714');
INSERT INTO client (id, kind, name, company_code, sales_tax_category, purchase_tax_category, settlement_mode) VALUES
    (11102, 'buyer', 'UAB Pirkėjas', '304111022', 'PVM1', NULL, 'all_documents'),
    (11103, 'supplier', 'UAB Tiekėjas', '304111015', NULL, 'PVM1', 'off');
INSERT INTO client_bank_account (client_id, iban) VALUES (11102, 'LT577044000000011103');
CREATE TEMP TABLE imported (version int, statement_ref text, account text, ledger_account text, entries int,
                            duplicates int, matched int, queued int, payments int, settlements int);
\set doc `cat test/data/camt053/statement_v02.xml`
INSERT INTO imported SELECT 2, statement_ref, account, ledger_account, entries, duplicates, matched, queued, payments, settlements FROM import_camt053(:'doc');
\set doc `cat test/data/camt053/statement_v03.xml`
INSERT INTO imported SELECT 3, statement_ref, account, ledger_account, entries, duplicates, matched, queued, payments, settlements FROM import_camt053(:'doc');
\set doc `cat test/data/camt053/statement_v04.xml`
INSERT INTO imported SELECT 4, statement_ref, account, ledger_account, entries, duplicates, matched, queued, payments, settlements FROM import_camt053(:'doc');
\set doc `cat test/data/camt053/statement_v05.xml`
INSERT INTO imported SELECT 5, statement_ref, account, ledger_account, entries, duplicates, matched, queued, payments, settlements FROM import_camt053(:'doc');
\set doc `cat test/data/camt053/statement_v06.xml`
INSERT INTO imported SELECT 6, statement_ref, account, ledger_account, entries, duplicates, matched, queued, payments, settlements FROM import_camt053(:'doc');
\set doc `cat test/data/camt053/statement_v07.xml`
INSERT INTO imported SELECT 7, statement_ref, account, ledger_account, entries, duplicates, matched, queued, payments, settlements FROM import_camt053(:'doc');
\set doc `cat test/data/camt053/statement_v08.xml`
INSERT INTO imported SELECT 8, statement_ref, account, ledger_account, entries, duplicates, matched, queued, payments, settlements FROM import_camt053(:'doc');
\set doc `cat test/data/camt053/statement_v09.xml`
INSERT INTO imported SELECT 9, statement_ref, account, ledger_account, entries, duplicates, matched, queued, payments, settlements FROM import_camt053(:'doc');
\set doc `cat test/data/camt053/statement_v10.xml`
INSERT INTO imported SELECT 10, statement_ref, account, ledger_account, entries, duplicates, matched, queued, payments, settlements FROM import_camt053(:'doc');
\set doc `cat test/data/camt053/statement_v11.xml`
INSERT INTO imported SELECT 11, statement_ref, account, ledger_account, entries, duplicates, matched, queued, payments, settlements FROM import_camt053(:'doc');
\set doc `cat test/data/camt053/statement_v12.xml`
INSERT INTO imported SELECT 12, statement_ref, account, ledger_account, entries, duplicates, matched, queued, payments, settlements FROM import_camt053(:'doc');
\set doc `cat test/data/camt053/statement_v13.xml`
INSERT INTO imported SELECT 13, statement_ref, account, ledger_account, entries, duplicates, matched, queued, payments, settlements FROM import_camt053(:'doc');
SELECT * FROM imported ORDER BY version, statement_ref;
-- every entry of the oldest version as stored, with its match
SELECT s.camt_version, s.statement_ref, e.entry_key, e.amount, e.currency, e.credit_debit, e.reversal, e.status,
       e.booking_date, e.value_date, e.bank_tx_code, e.bank_tx_proprietary, e.end_to_end_id, e.instruction_id,
       e.mandate_id, c.name AS client, e.match_reason, (e.payment_id IS NOT NULL) AS paid
  FROM bank_entry e JOIN bank_statement s ON s.id = e.statement_id LEFT JOIN client c ON c.id = e.client_id
 WHERE e.tenant_id = 111 AND s.camt_version = 2 ORDER BY e.id;
SELECT e.entry_key, e.counterparty_name, e.counterparty_iban, e.counterparty_account, e.counterparty_org_id,
       e.counterparty_org_scheme, e.counterparty_private_id, e.counterparty_bic, e.remittance,
       e.creditor_reference, e.document_numbers, e.additional_info, e.return_reason
  FROM bank_entry e JOIN bank_statement s ON s.id = e.statement_id
 WHERE e.tenant_id = 111 AND s.camt_version = 2 ORDER BY e.id;
-- every later version is read into exactly the same entries (references aside)
CREATE TEMP TABLE version_rows AS
SELECT s.camt_version, e.id,
       regexp_replace(concat_ws('|', s.statement_ref, CASE WHEN e.entry_key LIKE 'NOREF:%' THEN 'NOREF' ELSE e.entry_key END,
           e.amount, e.currency, e.credit_debit, e.reversal, e.status, e.booking_date, e.value_date, e.acct_svcr_ref,
           e.ntry_ref, e.bank_tx_code, e.bank_tx_proprietary, e.end_to_end_id, e.instruction_id, e.mandate_id,
           e.counterparty_name, e.counterparty_iban, e.counterparty_account, e.counterparty_org_id,
           e.counterparty_org_scheme, e.counterparty_private_id, e.counterparty_bic, e.remittance,
           e.creditor_reference, e.document_numbers, e.additional_info, e.return_reason, e.client_id,
           e.match_reason, e.payment_id IS NOT NULL), '\mV[0-9]{2}\M', 'Vnn', 'g') AS content
  FROM bank_entry e JOIN bank_statement s ON s.id = e.statement_id WHERE e.tenant_id = 111;
SELECT camt_version, count(*) AS entries,
       string_agg(content, E'\n' ORDER BY id) = (SELECT string_agg(content, E'\n' ORDER BY id) FROM version_rows
                                                  WHERE camt_version = 2) AS same_as_v02
  FROM version_rows GROUP BY camt_version ORDER BY camt_version;
-- payments: the buyer by its IBAN, the supplier by its company code; once per version
SELECT c.name, p.direction, p.amount, p.currency, count(*) AS payments
  FROM payment p JOIN client c ON c.id = p.client_id WHERE p.tenant_id = 111 GROUP BY 1, 2, 3, 4 ORDER BY 1;
-- the same file again: nothing new
\set doc `cat test/data/camt053/statement_v08.xml`
SELECT statement_ref, entries, duplicates, payments FROM import_camt053(:'doc');

-- A preview reads the entries (same reader, same keys) without importing anything.
\set doc `cat test/data/camt053/statement_v11.xml`
SELECT statement_ref, account, camt_version, entry_number, tx_number, tx_count, entry_key, amount, currency,
       credit_debit, status, booking_date, counterparty_name, counterparty_private_id, creditor_reference
  FROM read_camt053(:'doc');
\set doc `cat test/data/camt053/lt_statement_v08.xml`
SELECT entry_number, tx_number, tx_count, entry_key, amount, credit_debit, status, booking_date, counterparty_org_id
  FROM read_camt053(:'doc') ORDER BY entry_number, tx_number;
\set doc `cat test/data/camt053/billion_laughs.xml`
SELECT count(*) FROM read_camt053(:'doc');
\echo :SQLSTATE

-- Tenants are kept apart: tenant 112 has no own account for the statement.
SET client_registry.tenant = 112;
INSERT INTO client (id, kind, name) VALUES (11201, 'own_company', 'Kitas');
\set doc `cat test/data/camt053/statement_v02.xml`
SELECT * FROM import_camt053(:'doc');
\echo :SQLSTATE
SET client_registry.tenant = 110;
