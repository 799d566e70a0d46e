-- 0.2.0: invoices, VAT lines, payments, settlements, running balances and
-- credit control (R4.1, R4.3, R4.5 manual settlement, R4.6, R1.3).
SET search_path = client_registry, public;
SET client_registry.tenant = 70;
\set VERBOSITY default
\set SHOW_CONTEXT never
INSERT INTO client (id, kind, name, company_code) VALUES (7001, 'own_company', 'UAB Savi', '110003978');
INSERT INTO client (id, kind, name, company_code, vat_code, sales_tax_category, sales_payment_term_days,
                    manager, credit_control, credit_limit)
VALUES (7002, 'buyer', 'UAB Pirkėjas', '188772433', 'LT119511515', 'PVM1', 30, 'Ona', 'strict', 1000),
       (7003, 'buyer', 'UAB Be kategorijos', '301692533', NULL, NULL, NULL, NULL, 'none', NULL);
INSERT INTO client (id, kind, name, company_code, purchase_tax_category, purchase_payment_term_days)
VALUES (7004, 'supplier', 'UAB Tiekėjas', '110443493', 'PVM1', 10),
       (7005, 'supplier', 'UAB Kitas tiekėjas', '124110246', 'PVM1', NULL);

-- A draft sale: totals follow the lines; due date from the terms; manager
-- and the counterparty as of the invoice from the card.
INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES (701, 7002, 'sale', 'SF-1', '2026-11-01');
INSERT INTO invoice_vat_line (invoice_id, taxable_value, tax_code, vat_rate, vat_amount)
VALUES (701, 500, 'PVM1', 21, 105), (701, 100, 'PVM2', 9, 9);
SELECT number, status, total_net, total_vat, total_gross, total_base, due_date, manager,
       counterparty_name, counterparty_company_code, counterparty_vat_code, counterparty_country
  FROM invoice WHERE id = 701;
UPDATE invoice_vat_line SET vat_amount = 21, vat_rate = 21 WHERE invoice_id = 701 AND tax_code = 'PVM2';
DELETE FROM invoice_vat_line WHERE invoice_id = 701 AND tax_code = 'PVM2';
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (701, 100, 21);
SELECT total_net, total_vat, total_gross FROM invoice WHERE id = 701;
SELECT * FROM client_debt WHERE client_id = 7002;

-- Totals cannot be set by hand, nor start non-zero.
UPDATE invoice SET total_net = 1 WHERE id = 701;
\echo :SQLSTATE
INSERT INTO invoice (client_id, direction, number, invoice_date, total_net) VALUES (7002, 'sale', 'SF-X', '2026-11-01', 5);
\echo :SQLSTATE

-- Kind rules (R1.3): sales to buyers, purchases from suppliers, a tax category, active clients.
INSERT INTO invoice (client_id, direction, number, invoice_date) VALUES (7004, 'sale', 'SF-X', '2026-11-01');
\echo :SQLSTATE
INSERT INTO invoice (client_id, direction, number, invoice_date) VALUES (7002, 'purchase', 'P-X', '2026-11-01');
\echo :SQLSTATE
INSERT INTO invoice (client_id, direction, number, invoice_date) VALUES (7003, 'sale', 'SF-X', '2026-11-01');
\echo :SQLSTATE
UPDATE client SET is_active = false WHERE id = 7005;
INSERT INTO invoice (client_id, direction, number, invoice_date) VALUES (7005, 'purchase', 'P-X', '2026-11-01');
\echo :SQLSTATE
UPDATE client SET is_active = true WHERE id = 7005;

-- Numbers: sales unique in the tenant, purchases per supplier.
INSERT INTO invoice (client_id, direction, number, invoice_date) VALUES (7002, 'sale', 'SF-1', '2026-11-02');
\echo :SQLSTATE
INSERT INTO invoice (id, client_id, direction, number, invoice_date, registration_date) VALUES
    (751, 7004, 'purchase', 'A-100', '2026-11-01', '2026-11-03'),
    (752, 7005, 'purchase', 'A-100', '2026-11-01', '2026-11-03');
SELECT id, number, due_date FROM invoice WHERE direction = 'purchase' AND tenant_id = 70 ORDER BY id;

-- R4.1 credit control, strict: posting 726 fits the limit of 1000 ...
UPDATE invoice SET status = 'posted' WHERE id = 701;
SELECT status, posted_at IS NOT NULL AS posted_at_set FROM invoice WHERE id = 701;
SELECT receivable, credit_available FROM client_debt WHERE client_id = 7002;
-- ... a second sale of 484 would take the debt to 1210: refused, nothing saved.
INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES (702, 7002, 'sale', 'SF-2', '2026-11-02');
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (702, 400, 84);
UPDATE invoice SET status = 'posted' WHERE id = 702;
\echo :SQLSTATE
SELECT status FROM invoice WHERE id = 702;
SELECT receivable FROM client_debt WHERE client_id = 7002;
-- Lines added to a posted invoice are credit-checked too.
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (701, 300, 63);
\echo :SQLSTATE
-- Warn: saved, with a warning carrying the same figures.
UPDATE client SET credit_control = 'warn' WHERE id = 7002;
UPDATE invoice SET status = 'posted' WHERE id = 702;
SELECT receivable, credit_available FROM client_debt WHERE client_id = 7002;
-- Credit control needs a limit.
UPDATE client SET credit_control = 'strict', credit_limit = NULL WHERE id = 7002;
\echo :SQLSTATE
UPDATE client SET credit_limit = -5 WHERE id = 7002;
\echo :SQLSTATE
UPDATE client SET credit_control = 'strict' WHERE id = 7002;

-- Posted invoices keep their identity; cancelled ones do not change; only drafts are deleted.
UPDATE invoice SET status = 'draft' WHERE id = 701;
\echo :SQLSTATE
UPDATE invoice SET number = 'SF-1A' WHERE id = 701;
\echo :SQLSTATE
UPDATE invoice SET invoice_date = '2026-10-01' WHERE id = 701;
\echo :SQLSTATE
DELETE FROM invoice WHERE id = 701;
\echo :SQLSTATE
UPDATE invoice SET due_date = '2026-12-15' WHERE id = 701;
INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES (703, 7002, 'sale', 'SF-3', '2026-11-03');
DELETE FROM invoice WHERE id = 703;
INSERT INTO invoice (client_id, direction, number, invoice_date, status) VALUES (7002, 'sale', 'SF-4', '2026-11-03', 'cancelled');
\echo :SQLSTATE

-- The counterparty stays as it was on the invoice when the card changes.
UPDATE client SET name = 'UAB Pirkėjas (naujas pavadinimas)' WHERE id = 7002;
SELECT number, counterparty_name FROM invoice WHERE id = 701;

-- Payments and settlements (partial ones included).
INSERT INTO payment (id, client_id, direction, payment_date, amount, reference)
VALUES (7101, 7002, 'in', '2026-11-20', 700, 'BANK-1'),
       (7102, 7002, 'in', '2026-11-21', 600, 'BANK-2');
SELECT receivable FROM client_debt WHERE client_id = 7002;
INSERT INTO settlement (payment_id, invoice_id, amount) VALUES (7101, 701, 500);
INSERT INTO settlement (payment_id, invoice_id, amount) VALUES (7101, 702, 200);
SELECT number, total_gross, open_amount FROM invoice_list WHERE tenant_id = 70 AND direction = 'sale' ORDER BY id;
INSERT INTO settlement (payment_id, invoice_id, amount) VALUES (7102, 701, 300);
\echo :SQLSTATE
INSERT INTO settlement (payment_id, invoice_id, amount) VALUES (7101, 701, 1);
\echo :SQLSTATE
INSERT INTO payment (id, client_id, direction, payment_date, amount) VALUES (7103, 7004, 'out', '2026-11-21', 50);
INSERT INTO settlement (payment_id, invoice_id, amount) VALUES (7103, 701, 10);
\echo :SQLSTATE
INSERT INTO payment (id, client_id, direction, payment_date, amount) VALUES (7104, 7002, 'out', '2026-11-21', 50);
INSERT INTO settlement (payment_id, invoice_id, amount) VALUES (7104, 701, 10);
\echo :SQLSTATE
INSERT INTO payment (id, client_id, direction, payment_date, amount, currency, currency_rate) VALUES (7105, 7002, 'in', '2026-11-21', 50, 'USD', 0.9);
INSERT INTO settlement (payment_id, invoice_id, amount) VALUES (7105, 701, 10);
\echo :SQLSTATE
INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES (704, 7002, 'sale', 'SF-5', '2026-11-05');
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (704, 10, 0);
INSERT INTO settlement (payment_id, invoice_id, amount) VALUES (7102, 704, 5);
\echo :SQLSTATE
-- A payment cannot shrink below what it settles; a settled invoice cannot be cancelled.
UPDATE payment SET amount = 600 WHERE id = 7101;
\echo :SQLSTATE
UPDATE invoice SET status = 'cancelled' WHERE id = 701;
\echo :SQLSTATE
-- Payment references are unique (a statement imported twice creates nothing new).
INSERT INTO payment (client_id, direction, payment_date, amount, reference) VALUES (7002, 'in', '2026-11-22', 1, 'BANK-1');
\echo :SQLSTATE
-- Cancelling moves the balance back; a cancelled invoice is final.
DELETE FROM settlement WHERE invoice_id = 702;
UPDATE invoice SET status = 'cancelled' WHERE id = 702;
SELECT receivable FROM client_debt WHERE client_id = 7002;
UPDATE invoice SET due_date = '2027-01-01' WHERE id = 702;
\echo :SQLSTATE
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (702, 1, 0);
\echo :SQLSTATE
-- Purchases and payments made move the payable.
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (751, 1000, 210);
UPDATE invoice SET status = 'posted' WHERE id = 751;
INSERT INTO settlement (payment_id, invoice_id, amount) VALUES (7103, 751, 50);
SELECT client_id, receivable, payable FROM client_debt WHERE client_id IN (7002, 7004) ORDER BY 1;
-- Foreign currency: base amounts at the document's rate, rounded to cents.
INSERT INTO invoice (id, client_id, direction, number, invoice_date, currency, currency_rate)
VALUES (705, 7002, 'sale', 'SF-6', '2026-11-06', 'USD', 0.923456);
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (705, 100, 21);
SELECT total_gross, total_base FROM invoice WHERE id = 705;
SELECT amount, amount_base FROM payment WHERE id = 7105;

-- The running balance equals a full recomputation after a random mix of
-- postings, cancellations, line edits, draft deletions and payments.
SELECT setseed(0.42);
UPDATE client SET credit_control = 'none' WHERE id = 7002;
INSERT INTO invoice (id, client_id, direction, number, invoice_date)
SELECT 800 + g, 7002, 'sale', 'R-' || g, DATE '2026-01-01' + g FROM generate_series(1, 60) g;
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount)
SELECT 800 + g, round((random() * 1000)::numeric, 2), round((random() * 210)::numeric, 2)
  FROM generate_series(1, 60) g, generate_series(1, 2);
UPDATE invoice SET status = 'posted' WHERE id BETWEEN 801 AND 860 AND id % 3 <> 0;
UPDATE invoice_vat_line SET taxable_value = taxable_value + 10 WHERE invoice_id BETWEEN 801 AND 830;
UPDATE invoice SET status = 'cancelled' WHERE id BETWEEN 801 AND 860 AND id % 5 = 0;
DELETE FROM invoice WHERE id BETWEEN 801 AND 860 AND status = 'draft' AND id % 2 = 0;
INSERT INTO payment (client_id, direction, payment_date, amount)
SELECT 7002, 'in', DATE '2026-06-01' + g, round((random() * 500 + 1)::numeric, 2) FROM generate_series(1, 20) g;
DELETE FROM payment WHERE client_id = 7002 AND reference IS NULL AND id % 4 = 0;
UPDATE payment SET amount = amount + 1 WHERE client_id = 7002 AND reference IS NULL AND id % 4 = 1;
SELECT count(*) AS discrepancies FROM balance_discrepancies();
-- rebuild_balances() gives the same.
SELECT rebuild_balances() > 0 AS rebuilt, (SELECT count(*) FROM balance_discrepancies()) AS discrepancies;
