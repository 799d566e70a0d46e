-- Issue #17: a merge and an unmerge of clients that have documents give the
-- same results on one node and on Citus.  This file runs in both suites
-- unchanged: test/citus/sql/citus_merge_documents.sql and its expected
-- output are links to this file and to
-- test/expected/merge_documents_parity.out.  Invoices, a credit note,
-- payments, settlements and a credit-note settlement of two clients; the
-- balances right after the merge and right after the unmerge.  Merge ids
-- and the ids sequences hand out are never printed.  Tenant 380.
\set SHOW_CONTEXT never
\set VERBOSITY terse
SET client_min_messages = warning;
SET citus.propagate_set_commands = 'local';
SELECT client_registry.grant_tenant(380, 'postgres');
BEGIN;
SET LOCAL client_registry.tenant = 380;
INSERT INTO client_registry.client (id, kind, name, company_code) VALUES (38000, 'own_company', 'UAB Savi', '110003978');
INSERT INTO client_registry.client (id, kind, name, company_code, vat_code, sales_tax_category, sales_payment_term_days) VALUES
    (38001, 'buyer', 'UAB Jungtinis', '188772433', NULL, 'PVM1', 14),
    (38002, 'buyer', 'Jungtinis UAB', NULL, 'LT100001919017', 'PVM1', 30),
    (38003, 'buyer', 'UAB Kitas', '110443493', NULL, 'PVM1', 14);
INSERT INTO client_registry.invoice (id, client_id, direction, number, invoice_date) VALUES
    (38101, 38001, 'sale', 'J-1', '2026-10-01'),
    (38102, 38002, 'sale', 'J-2', '2026-10-02'),
    (38103, 38002, 'sale', 'J-KS1', '2026-10-05'),
    (38104, 38002, 'sale', 'J-3', '2026-10-06'),
    (38105, 38003, 'sale', 'K-1', '2026-10-03');
INSERT INTO client_registry.invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES
    (38101, 100, 21), (38102, 200, 42), (38103, -50, -10.50), (38104, 10, 2.10), (38105, 30, 6.30);
COMMIT;
BEGIN;
SET LOCAL client_registry.tenant = 380;
UPDATE client_registry.invoice SET status = 'posted' WHERE tenant_id = 380;
INSERT INTO client_registry.payment (id, client_id, direction, payment_date, amount) VALUES
    (38151, 38001, 'in', '2026-10-10', 50),
    (38152, 38002, 'in', '2026-10-11', 100),
    (38153, 38002, 'in', '2026-10-12', 20);
INSERT INTO client_registry.settlement (id, payment_id, invoice_id, amount) VALUES
    (38161, 38151, 38101, 50), (38162, 38152, 38102, 100);
SELECT client_registry.settle_credit_note(38103, 38102, offset_date => '2026-10-07', number => 'JKN-1') IS NOT NULL AS settled;
COMMIT;

-- before: each client's balance, documents and open items
BEGIN;
SET LOCAL client_registry.tenant = 380;
SELECT client_id, receivable, payable FROM client_registry.client_balance WHERE tenant_id = 380 ORDER BY client_id;
SELECT number, client_id, counterparty_name, closed_on FROM client_registry.invoice WHERE tenant_id = 380 ORDER BY number;
SELECT id, client_id FROM client_registry.payment WHERE tenant_id = 380 ORDER BY id;
SELECT client_id, number, open_amount FROM client_registry.open_items('2026-10-31');
COMMIT;

-- the merge: 38002 into 38001, with its documents
BEGIN;
SET LOCAL client_registry.tenant = 380;
SELECT client_registry.merge_clients(38001, 38002) AS merge_id \gset
SELECT id, name, company_code, vat_code FROM client_registry.client WHERE tenant_id = 380 ORDER BY id;
SELECT client_id, receivable, payable FROM client_registry.client_balance WHERE tenant_id = 380 ORDER BY client_id;
SELECT number, client_id, counterparty_name, closed_on FROM client_registry.invoice WHERE tenant_id = 380 ORDER BY number;
SELECT id, client_id FROM client_registry.payment WHERE tenant_id = 380 ORDER BY id;
SELECT o.client_id, x.number FROM client_registry.debt_offset o
  JOIN client_registry.debt_offset_line l ON l.tenant_id = o.tenant_id AND l.offset_id = o.id
  JOIN client_registry.invoice x ON x.tenant_id = l.tenant_id AND x.id = l.invoice_id
 WHERE o.tenant_id = 380;
SELECT client_id, number, open_amount FROM client_registry.open_items('2026-10-31');
SELECT * FROM client_registry.balance_discrepancies() WHERE client_id BETWEEN 38000 AND 38099;
COMMIT;
-- a sale to the survivor counts what it took over
BEGIN;
SET LOCAL client_registry.tenant = 380;
INSERT INTO client_registry.invoice (id, client_id, direction, number, invoice_date) VALUES (38106, 38001, 'sale', 'J-4', '2026-11-01');
INSERT INTO client_registry.invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (38106, 1, 0.21);
UPDATE client_registry.invoice SET status = 'posted' WHERE tenant_id = 380 AND id = 38106;
SELECT client_id, receivable FROM client_registry.client_balance WHERE tenant_id = 380 AND client_id = 38001;
ROLLBACK;

-- the unmerge: 38002 and its documents back, both balances as before
BEGIN;
SET LOCAL client_registry.tenant = 380;
SELECT client_registry.unmerge(:merge_id) > 0 AS undone;
SELECT id, name, company_code, vat_code FROM client_registry.client WHERE tenant_id = 380 ORDER BY id;
SELECT client_id, receivable, payable FROM client_registry.client_balance WHERE tenant_id = 380 ORDER BY client_id;
SELECT number, client_id, counterparty_name, closed_on FROM client_registry.invoice WHERE tenant_id = 380 ORDER BY number;
SELECT id, client_id FROM client_registry.payment WHERE tenant_id = 380 ORDER BY id;
SELECT o.client_id, x.number FROM client_registry.debt_offset o
  JOIN client_registry.debt_offset_line l ON l.tenant_id = o.tenant_id AND l.offset_id = o.id
  JOIN client_registry.invoice x ON x.tenant_id = l.tenant_id AND x.id = l.invoice_id
 WHERE o.tenant_id = 380;
SELECT client_id, number, open_amount FROM client_registry.open_items('2026-10-31');
SELECT * FROM client_registry.balance_discrepancies() WHERE client_id BETWEEN 38000 AND 38099;
COMMIT;
-- settling after the unmerge goes to the restored client
BEGIN;
SET LOCAL client_registry.tenant = 380;
INSERT INTO client_registry.settlement (id, payment_id, invoice_id, amount) VALUES (38163, 38153, 38104, 12.10);
SELECT client_id, receivable FROM client_registry.client_balance WHERE tenant_id = 380 ORDER BY client_id;
SELECT * FROM client_registry.balance_discrepancies() WHERE client_id BETWEEN 38000 AND 38099;
COMMIT;
RESET citus.propagate_set_commands;
