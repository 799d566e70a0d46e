-- issue #17 part A: a camt.053 bank statement imported through the
-- coordinator (tenant 320; the statement of test/sql/bank_import.sql): the
-- steps run with the tenant as a value, so each statement is routed to the
-- tenant's shards; the entries go in, are matched, the matched ones become
-- payments, which are settled automatically from the coordinator.  The
-- result is the one-node result (test/expected/bank_import.out).
\set SHOW_CONTEXT never
SET client_min_messages = warning;
SET citus.propagate_set_commands = 'local';
CREATE ROLE cr_citus_bank LOGIN;
GRANT USAGE ON SCHEMA client_registry TO cr_citus_bank;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA client_registry TO cr_citus_bank;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA client_registry TO cr_citus_bank;
-- rows inserted by a statement routed to a worker take their ids from the
-- worker's sequences, whose privileges Citus does not propagate (docs/citus.md)
SELECT DISTINCT result FROM run_command_on_workers(
    'GRANT USAGE ON ALL SEQUENCES IN SCHEMA client_registry TO cr_citus_bank');
GRANT EXECUTE ON FUNCTION client_registry.settle_automatically(bigint), client_registry.import_camt053(text),
    client_registry.assign_bank_entry(bigint, bigint, bigint, boolean) TO cr_citus_bank;
SELECT client_registry.grant_tenant(320, 'cr_citus_bank');
SET ROLE cr_citus_bank;
BEGIN;
SET LOCAL client_registry.tenant = 320;
INSERT INTO client_registry.client (id, kind, name, company_code) VALUES (11001, 'own_company', 'UAB Savi', '110003978');
INSERT INTO client_registry.client_bank_account (client_id, iban, ledger_account) VALUES
    (11001, 'LT817044000000000001', '2711'), (11001, 'LT547044000000000002', '2712');
INSERT INTO client_registry.client (id, kind, name, company_code, sales_tax_category, purchase_tax_category, settlement_mode) VALUES
    (11002, 'buyer', 'UAB Pirkėjas A', '304110002', 'PVM1', NULL, 'all_documents'),
    (11003, 'buyer', 'UAB Pirkėjas B', '304110010', 'PVM1', NULL, 'selected_documents'),
    (11004, 'buyer', 'UAB Pirkėjas C', '304110027', 'PVM1', NULL, 'off'),
    (11005, 'supplier', 'UAB Tiekėjas D', '304110034', NULL, 'PVM1', 'all_documents'),
    (11006, 'buyer', 'UAB Dalijasi E', '304110041', 'PVM1', NULL, 'off'),
    (11007, 'buyer', 'UAB Dalijasi F', '304110059', 'PVM1', NULL, 'off');
INSERT INTO client_registry.client_bank_account (client_id, iban) VALUES
    (11002, 'LT277044000000000003'), (11005, 'LT977044000000000004'),
    (11006, 'LT707044000000000005'), (11007, 'LT707044000000000005');
INSERT INTO client_registry.invoice (id, client_id, direction, number, invoice_date) VALUES
    (11001, 11002, 'sale', 'SF-110-1', '2026-11-01'),
    (11002, 11003, 'sale', 'SF-110-2', '2026-11-02'),
    (11003, 11003, 'sale', 'SF-110-3', '2026-11-03'),
    (11004, 11005, 'purchase', 'PIR-110-1', '2026-11-04');
INSERT INTO client_registry.invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES
    (11001, 100, 21), (11002, 80, 0), (11003, 10, 0), (11004, 250, 0);
UPDATE client_registry.invoice SET status = 'posted' WHERE id BETWEEN 11001 AND 11004;
COMMIT;

\set doc `cat test/data/camt053/lt_statement_v08.xml`
BEGIN;
SET LOCAL client_registry.tenant = 320;
SELECT statement_ref, account, ledger_account, entries, duplicates, matched, queued, payments, settlements
  FROM client_registry.import_camt053(:'doc');
SELECT entry_number AS ntry, tx_number AS tx, entry_key, amount, credit_debit AS cd, status,
       c.name AS client, match_reason, (payment_id IS NOT NULL) AS paid, match_note
  FROM client_registry.bank_entry e
  LEFT JOIN client_registry.client c ON c.tenant_id = e.tenant_id AND c.id = e.client_id
 WHERE e.tenant_id = 320 ORDER BY entry_number, tx_number;
SELECT i.number, s.amount FROM client_registry.settlement s
  JOIN client_registry.invoice i ON i.tenant_id = s.tenant_id AND i.id = s.invoice_id
 WHERE s.tenant_id = 320 ORDER BY i.number, s.amount;
SELECT name, receivable, payable FROM client_registry.client_debt
 WHERE tenant_id = 320 AND (receivable <> 0 OR payable <> 0) ORDER BY name;
COMMIT;
-- the same statement again creates nothing
BEGIN;
SET LOCAL client_registry.tenant = 320;
SELECT statement_ref, entries, duplicates, matched, queued, payments, settlements
  FROM client_registry.import_camt053(:'doc');
SELECT count(*) AS entries FROM client_registry.bank_entry WHERE tenant_id = 320;
COMMIT;
-- manual assignment from the queue (the row lock named by tenant and id)
BEGIN;
SET LOCAL client_registry.tenant = 320;
SELECT id AS entry_id FROM client_registry.bank_entry WHERE tenant_id = 320 AND entry_key = 'LT110-REF-12' \gset
SELECT client_registry.assign_bank_entry(:entry_id, 11003, invoice_id => 11003) > 0 AS assigned;
SELECT number, open_amount FROM client_registry.invoice_list WHERE tenant_id = 320 AND number = 'SF-110-3';
COMMIT;
-- an account that is not the own company's: nothing imported (R3401)
\set doc `cat test/data/camt053/unknown_account.xml`
BEGIN;
SET LOCAL client_registry.tenant = 320;
SELECT statement_ref FROM client_registry.import_camt053(:'doc');
ROLLBACK;
RESET ROLE;
