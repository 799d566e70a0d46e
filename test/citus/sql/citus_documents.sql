-- issue #17 part A: invoices, VAT lines, instalments, contracts, references
-- of credit notes, payments, settlements, debt operations, balances and credit
-- control through the coordinator (tenants 310-312).  Every rule runs in the
-- trigger on the worker's shard, over the co-located shards.
\set SHOW_CONTEXT never
SET client_min_messages = warning;
SET citus.propagate_set_commands = 'local';
-- an application role (row-level security applies to it, not to a superuser)
CREATE ROLE cr_citus_docs LOGIN;
GRANT USAGE ON SCHEMA client_registry TO cr_citus_docs;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA client_registry TO cr_citus_docs;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA client_registry TO cr_citus_docs;
GRANT EXECUTE ON FUNCTION client_registry.settle_automatically(bigint),
    client_registry.settle_credit_note(bigint, bigint, numeric, date, text, text),
    client_registry.offset_debts(bigint, bigint, numeric, date, text, text),
    client_registry.reverse_debt_offset(bigint, date, text),
    client_registry.balance_discrepancies() TO cr_citus_docs;
SELECT client_registry.grant_tenant(t, 'cr_citus_docs') FROM generate_series(310, 312) t;
SET ROLE cr_citus_docs;
BEGIN;
SET LOCAL client_registry.tenant = 310;
INSERT INTO client_registry.client (id, kind, name, company_code) VALUES (310001, 'own_company', 'UAB Savi', '110003978');
INSERT INTO client_registry.client (id, kind, name, company_code, vat_code, sales_tax_category, sales_payment_term_days,
                                    manager, credit_control, credit_limit, contract_mode)
VALUES (310002, 'buyer', 'UAB Pirkėjas', '188772433', 'LT119511515', 'PVM1', 30, 'Ona', 'strict', 1000, 'none'),
       (310003, 'buyer', 'UAB Be kategorijos', '301692533', NULL, NULL, NULL, NULL, 'none', NULL, 'none');
INSERT INTO client_registry.client (id, kind, name, company_code, sales_tax_category, purchase_tax_category)
VALUES (310004, 'buyer_supplier', 'UAB Abu', '110443493', 'PVM1', 'PVM1');
COMMIT;
-- the same ids in another tenant (client ids are unique per tenant on Citus)
BEGIN;
SET LOCAL client_registry.tenant = 311;
INSERT INTO client_registry.client (id, kind, name, company_code) VALUES (310001, 'own_company', 'UAB Kiti', '300000010');
INSERT INTO client_registry.client (id, kind, name, company_code, sales_tax_category)
VALUES (310002, 'buyer', 'UAB Kito pirkėjas', '300000028', 'PVM1');
COMMIT;

-- A draft sale: totals follow the lines (the line trigger updates the
-- invoice shard), due date, manager and counterparty from the card.
BEGIN;
SET LOCAL client_registry.tenant = 310;
INSERT INTO client_registry.invoice (id, client_id, direction, number, invoice_date) VALUES (31001, 310002, 'sale', 'SF-1', '2026-11-01');
INSERT INTO client_registry.invoice_vat_line (invoice_id, taxable_value, tax_code, vat_rate, vat_amount)
VALUES (31001, 500, 'PVM1', 21, 105), (31001, 100, 'PVM2', 9, 9);
SELECT number, status, total_net, total_vat, total_gross, total_base, due_date, manager,
       counterparty_name, counterparty_company_code, counterparty_vat_code
  FROM client_registry.invoice WHERE id = 31001;
COMMIT;
-- kind rules on the shard: no sale to a client without a sales tax category
BEGIN;
SET LOCAL client_registry.tenant = 310;
INSERT INTO client_registry.invoice (client_id, direction, number, invoice_date) VALUES (310003, 'sale', 'SF-X', '2026-11-01');
ROLLBACK;
-- a rate is never assumed
BEGIN;
SET LOCAL client_registry.tenant = 310;
INSERT INTO client_registry.invoice_vat_line (invoice_id, taxable_value, tax_code, vat_amount) VALUES (31001, 1, 'PVM1', 0);
ROLLBACK;
-- totals are not set by hand
BEGIN;
SET LOCAL client_registry.tenant = 310;
UPDATE client_registry.invoice SET total_net = 1 WHERE id = 31001;
ROLLBACK;

-- Instalments (R4.3): they must add up to the gross total when posting.
BEGIN;
SET LOCAL client_registry.tenant = 310;
INSERT INTO client_registry.invoice_instalment (invoice_id, due_date, amount) VALUES (31001, '2026-12-01', 300);
UPDATE client_registry.invoice SET status = 'posted' WHERE id = 31001;
ROLLBACK;
BEGIN;
SET LOCAL client_registry.tenant = 310;
INSERT INTO client_registry.invoice_instalment (invoice_id, due_date, amount)
VALUES (31001, '2026-12-01', 300), (31001, '2027-01-01', 414);
UPDATE client_registry.invoice SET status = 'posted' WHERE id = 31001;
SELECT status, posted_at IS NOT NULL AS posted FROM client_registry.invoice WHERE id = 31001;
COMMIT;
-- posted: instalments are fixed, the identity is fixed, no deletion
BEGIN;
SET LOCAL client_registry.tenant = 310;
DELETE FROM client_registry.invoice_instalment WHERE invoice_id = 31001;
ROLLBACK;
BEGIN;
SET LOCAL client_registry.tenant = 310;
UPDATE client_registry.invoice SET number = 'SF-1A' WHERE id = 31001;
ROLLBACK;
BEGIN;
SET LOCAL client_registry.tenant = 310;
DELETE FROM client_registry.invoice WHERE id = 31001;
ROLLBACK;

-- R4.2 contracts: required, and valid on the invoice date.
BEGIN;
SET LOCAL client_registry.tenant = 310;
UPDATE client_registry.client SET contract_mode = 'required' WHERE id = 310004;
INSERT INTO client_registry.contract (id, client_id, number, valid_from, valid_to)
VALUES (31051, 310004, 'K-1', '2026-01-01', '2026-06-30');
COMMIT;
BEGIN;
SET LOCAL client_registry.tenant = 310;
INSERT INTO client_registry.invoice (client_id, direction, number, invoice_date) VALUES (310004, 'sale', 'SF-K', '2026-11-01');
ROLLBACK;
BEGIN;
SET LOCAL client_registry.tenant = 310;
INSERT INTO client_registry.invoice (client_id, direction, number, invoice_date, contract_id)
VALUES (310004, 'sale', 'SF-K', '2026-11-01', 31051);
ROLLBACK;
BEGIN;
SET LOCAL client_registry.tenant = 310;
UPDATE client_registry.client SET contract_mode = 'auto' WHERE id = 310004;
INSERT INTO client_registry.invoice (id, client_id, direction, number, invoice_date)
VALUES (31002, 310004, 'sale', 'SF-K', '2026-03-01');
SELECT number, contract_id FROM client_registry.invoice WHERE id = 31002;
COMMIT;

-- R4.1 credit control on the worker: 714 posted fits the limit of 1000; a
-- second sale of 484 does not (SQLSTATE R4001, nothing saved).
BEGIN;
SET LOCAL client_registry.tenant = 310;
SELECT receivable, credit_available FROM client_registry.client_debt WHERE client_id = 310002;
INSERT INTO client_registry.invoice (id, client_id, direction, number, invoice_date) VALUES (31003, 310002, 'sale', 'SF-2', '2026-11-02');
INSERT INTO client_registry.invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (31003, 400, 84);
COMMIT;
BEGIN;
SET LOCAL client_registry.tenant = 310;
UPDATE client_registry.invoice SET status = 'posted' WHERE id = 31003;
ROLLBACK;
-- the balance of the same client id in tenant 311 is its own
BEGIN;
SET LOCAL client_registry.tenant = 311;
INSERT INTO client_registry.invoice (id, client_id, direction, number, invoice_date) VALUES (31003, 310002, 'sale', 'SF-2', '2026-11-02');
INSERT INTO client_registry.invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (31003, 40, 8.4);
UPDATE client_registry.invoice SET status = 'posted' WHERE id = 31003;
SELECT tenant_id, client_id, receivable FROM client_registry.client_debt WHERE client_id = 310002;
COMMIT;
BEGIN;
SET LOCAL client_registry.tenant = 310;
SELECT tenant_id, client_id, receivable FROM client_registry.client_debt WHERE client_id = 310002;
-- warn: saved (with a warning, not shown: Citus adds the worker's address)
UPDATE client_registry.client SET credit_control = 'warn' WHERE id = 310002;
SET LOCAL client_min_messages = error;
UPDATE client_registry.invoice SET status = 'posted' WHERE id = 31003;
SET LOCAL client_min_messages = warning;
SELECT receivable, credit_available FROM client_registry.client_debt WHERE client_id = 310002;
COMMIT;

-- Payments and settlements: the settlement trigger locks the invoice and the
-- payment shards' rows and checks the open and unused amounts.
BEGIN;
SET LOCAL client_registry.tenant = 310;
INSERT INTO client_registry.payment (id, client_id, direction, payment_date, amount, reference)
VALUES (31101, 310002, 'in', '2026-11-20', 700, 'BANK-1'),
       (31102, 310002, 'in', '2026-11-21', 600, 'BANK-2');
INSERT INTO client_registry.settlement (payment_id, invoice_id, amount) VALUES (31101, 31001, 500);
INSERT INTO client_registry.settlement (payment_id, invoice_id, amount) VALUES (31101, 31003, 200);
SELECT number, total_gross, open_amount FROM client_registry.invoice_list
 WHERE tenant_id = 310 AND client_id = 310002 ORDER BY id;
SELECT receivable FROM client_registry.client_debt WHERE client_id = 310002;
COMMIT;
BEGIN;
SET LOCAL client_registry.tenant = 310;
INSERT INTO client_registry.settlement (payment_id, invoice_id, amount) VALUES (31102, 31001, 300);
ROLLBACK;
BEGIN;
SET LOCAL client_registry.tenant = 310;
INSERT INTO client_registry.settlement (payment_id, invoice_id, amount) VALUES (31101, 31001, 1);
ROLLBACK;
BEGIN;
SET LOCAL client_registry.tenant = 310;
UPDATE client_registry.payment SET amount = 600 WHERE id = 31101;
ROLLBACK;
BEGIN;
SET LOCAL client_registry.tenant = 310;
UPDATE client_registry.invoice SET status = 'cancelled' WHERE id = 31001;
ROLLBACK;
-- a payment of another tenant is not found (the foreign key reports it; its
-- message names Citus's shards, so only the SQLSTATE is shown)
BEGIN;
SET LOCAL client_registry.tenant = 311;
DO $$
BEGIN
    INSERT INTO client_registry.settlement (payment_id, invoice_id, amount) VALUES (31101, 31003, 1);
EXCEPTION WHEN foreign_key_violation THEN
    RAISE WARNING 'refused: %', SQLSTATE;
END
$$;
ROLLBACK;

-- Automatic settlement (R4.5) through the coordinator: the rest of 31102
-- goes to the open invoices, oldest first.
BEGIN;
SET LOCAL client_registry.tenant = 310;
UPDATE client_registry.client SET settlement_mode = 'all_documents' WHERE id = 310002;
SELECT client_registry.settle_automatically(310002) AS settlements;
SELECT invoice_id, payment_id, amount FROM client_registry.settlement WHERE tenant_id = 310 ORDER BY id;
COMMIT;

-- Credit notes with references, settled against the invoice; an offset of
-- a buyer/supplier's receivable against its payable; a reversal.
BEGIN;
SET LOCAL client_registry.tenant = 310;
UPDATE client_registry.client SET contract_mode = 'none' WHERE id = 310004;
INSERT INTO client_registry.invoice (id, client_id, direction, number, invoice_date) VALUES (31011, 310004, 'sale', 'SF-11', '2026-11-01');
INSERT INTO client_registry.invoice_vat_line (invoice_id, taxable_value, vat_rate, vat_amount) VALUES (31011, 100, 21, 21);
UPDATE client_registry.invoice SET status = 'posted' WHERE id = 31011;
INSERT INTO client_registry.invoice (id, client_id, direction, number, invoice_date, isaf_type, corrected_invoice_id)
VALUES (31012, 310004, 'sale', 'KS-12', '2026-11-05', 'KS', 31011);
INSERT INTO client_registry.invoice_vat_line (invoice_id, taxable_value, vat_rate, vat_amount) VALUES (31012, -50, 21, -10.5);
SELECT invoice_id, referenced_invoice_id, reference_no, reference_date FROM client_registry.invoice_reference
 WHERE invoice_id = 31012;
UPDATE client_registry.invoice SET status = 'posted' WHERE id = 31012;
COMMIT;
-- references of a posted note are fixed; an invoice cannot reference itself
BEGIN;
SET LOCAL client_registry.tenant = 310;
DELETE FROM client_registry.invoice_reference WHERE invoice_id = 31012;
ROLLBACK;
BEGIN;
SET LOCAL client_registry.tenant = 310;
INSERT INTO client_registry.invoice (id, client_id, direction, number, invoice_date, isaf_type)
VALUES (31013, 310004, 'sale', 'KS-13', '2026-11-05', 'KS');
INSERT INTO client_registry.invoice_reference (invoice_id, referenced_invoice_id) VALUES (31013, 31013);
ROLLBACK;
BEGIN;
SET LOCAL client_registry.tenant = 310;
SELECT client_registry.settle_credit_note(31012, 31011) > 0 AS settled;
INSERT INTO client_registry.invoice (id, client_id, direction, number, invoice_date) VALUES (31021, 310004, 'purchase', 'P-21', '2026-11-02');
INSERT INTO client_registry.invoice_vat_line (invoice_id, taxable_value, vat_rate, vat_amount) VALUES (31021, 20, 21, 4.2);
UPDATE client_registry.invoice SET status = 'posted' WHERE id = 31021;
SELECT client_registry.offset_debts(31011, 31021) > 0 AS offset_made;
SELECT i.number, i.total_gross, l.open_amount, i.closed_on IS NOT NULL AS closed
  FROM client_registry.invoice i JOIN client_registry.invoice_list l ON l.tenant_id = i.tenant_id AND l.id = i.id
 WHERE i.tenant_id = 310 AND i.client_id = 310004 AND i.id > 31010 ORDER BY i.id;
SELECT receivable, payable FROM client_registry.client_debt WHERE client_id = 310004;
COMMIT;
-- the offset does not go beyond what is open
BEGIN;
SET LOCAL client_registry.tenant = 310;
SELECT client_registry.offset_debts(31011, 31021, 1);
ROLLBACK;
-- (the registry's functions are called with values: inside a query over a
-- distributed table Citus would run them on a worker)
BEGIN;
SET LOCAL client_registry.tenant = 310;
SELECT o.id AS offset_id FROM client_registry.debt_offset o WHERE o.tenant_id = 310 AND o.kind = 'offset' \gset
SELECT client_registry.reverse_debt_offset(:offset_id) > 0 AS reversed;
SELECT number, open_amount FROM client_registry.invoice_list
 WHERE tenant_id = 310 AND client_id = 310004 AND id > 31010 ORDER BY id;
SELECT receivable, payable FROM client_registry.client_debt WHERE client_id = 310004;
COMMIT;

-- The running balances equal a full recomputation, in both tenants.
BEGIN;
SET LOCAL client_registry.tenant = 310;
SELECT count(*) AS discrepancies_310 FROM client_registry.balance_discrepancies();
COMMIT;
BEGIN;
SET LOCAL client_registry.tenant = 311;
SELECT count(*) AS discrepancies_311 FROM client_registry.balance_discrepancies();
COMMIT;
RESET ROLE;
