-- Issue #17: the debt reports give the same answers on one node and on
-- Citus for the same data.  This file runs in both suites unchanged:
-- test/citus/sql/citus_reports_parity.sql and its expected output are
-- links to this file and to test/expected/reports_parity.out, so the Citus
-- suite passes only when the cluster answers what one node answers.  The
-- tenant is set per transaction (SET LOCAL, its own statement) as on Citus;
-- ids the sequences hand out are never printed.  Tenants 350-351, ids
-- 35000-35699.
\set SHOW_CONTEXT never
\set VERBOSITY terse
SET client_min_messages = warning;
SET citus.propagate_set_commands = 'local';
SELECT client_registry.grant_tenant(t, 'postgres') FROM generate_series(350, 351) t;

-- Documents: sales (one in USD, a credit note) of a buyer, a sale and two
-- purchases of a client that is both, a supplier settled by accounts.
BEGIN;
SET LOCAL client_registry.tenant = 350;
INSERT INTO client_registry.client (id, kind, name, company_code) VALUES (35000, 'own_company', 'UAB Savi', '110003978');
INSERT INTO client_registry.client (id, kind, name, company_code, sales_tax_category, purchase_tax_category,
                                    sales_payment_term_days, email)
VALUES (35001, 'buyer', 'UAB Pirkėjas', '188772433', 'PVM1', NULL, 14, 'buh@pirkejas.lt'),
       (35002, 'buyer_supplier', 'UAB Abu', '301692533', 'PVM1', 'PVM1', 30, NULL),
       (35003, 'buyer', 'UAB Kitas', '110443493', 'PVM1', NULL, 14, NULL),
       (35004, 'supplier', 'VMI', '188659752', NULL, 'PVM1', NULL, NULL);
INSERT INTO client_registry.invoice (id, client_id, direction, number, invoice_date, currency, currency_rate) VALUES
    (35101, 35001, 'sale', 'D-1', '2026-10-01', 'EUR', 1),
    (35102, 35001, 'sale', 'D-KS1', '2026-10-05', 'EUR', 1),
    (35103, 35001, 'sale', 'D-2', '2026-10-07', 'EUR', 1),
    (35104, 35001, 'sale', 'D-3', '2026-10-08', 'USD', 0.9),
    (35105, 35001, 'sale', 'D-DRAFT', '2026-10-09', 'EUR', 1),
    (35111, 35002, 'sale', 'U-1', '2026-10-01', 'USD', 0.9),
    (35112, 35002, 'purchase', 'P-1', '2026-10-03', 'USD', 0.95),
    (35113, 35002, 'purchase', 'P-2', '2026-10-04', 'EUR', 1),
    (35121, 35003, 'sale', 'K-1', '2026-10-02', 'EUR', 1),
    (35122, 35003, 'sale', 'K-2', '2026-08-20', 'EUR', 1);
INSERT INTO client_registry.invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES
    (35101, 100, 21), (35102, -5, -1.05), (35103, 50, 10.50), (35104, 100, 0), (35105, 10, 2.10),
    (35111, 100, 0), (35112, 60, 0), (35113, 30, 6.30), (35121, 40, 8.40), (35122, 200, 42);
COMMIT;
BEGIN;
SET LOCAL client_registry.tenant = 350;
UPDATE client_registry.invoice SET status = 'posted'
 WHERE tenant_id = 350 AND id IN (35101, 35102, 35103, 35104, 35111, 35112, 35113, 35121, 35122);
COMMIT;

-- What closes them: a credit note settlement, an offset across two rates of
-- USD with its reversal and a partial offset again, payments settled in part
-- and across currencies, debts and payments on ledger accounts.
BEGIN;
SET LOCAL client_registry.tenant = 350;
SELECT client_registry.settle_credit_note(35102, 35101, offset_date => '2026-10-06', number => 'KN-1') IS NOT NULL AS settled;
SELECT client_registry.offset_debts(35111, 35112, number => 'UZ-1') AS op \gset
SELECT client_registry.reverse_debt_offset(:op, '2026-10-25', 'wrong amount') IS NOT NULL AS reversed;
SELECT client_registry.offset_debts(35111, 35112, 20, '2026-10-26', 'UZ-2') IS NOT NULL AS offset_again;
INSERT INTO client_registry.payment (id, client_id, direction, payment_date, amount, currency, currency_rate) VALUES
    (35151, 35001, 'in', '2026-10-20', 100, 'EUR', 1),
    (35152, 35001, 'in', '2026-10-21', 95, 'EUR', 1),
    (35153, 35003, 'in', '2026-11-02', 48.40, 'EUR', 1),
    (35154, 35003, 'in', '2026-10-15', 100, 'EUR', 1);
INSERT INTO client_registry.settlement (id, payment_id, invoice_id, amount) VALUES
    (35161, 35151, 35104, 50), (35163, 35153, 35121, 48.40), (35164, 35154, 35122, 100);
INSERT INTO client_registry.settlement (id, payment_id, invoice_id, amount, payment_amount) VALUES (35162, 35152, 35104, 50, 46);
UPDATE client_registry.client SET settled_by = 'accounts' WHERE tenant_id = 350 AND id = 35004;
INSERT INTO client_registry.account_entry (id, client_id, ledger_account, side, entry_date, amount, reference) VALUES
    (35171, 35004, '4481', 'payable', '2026-10-15', 320.00, 'GPM 2026-10'),
    (35172, 35004, '4482', 'payable', '2026-10-15', 120.00, 'PSD 2026-10');
INSERT INTO client_registry.payment (id, client_id, direction, payment_date, amount, ledger_account) VALUES
    (35155, 35004, 'out', '2026-10-20', 320.00, '4481');
INSERT INTO client_registry.client_group (id, name) VALUES (35001, 'Pirkėjai'), (35002, 'Tiekėjai');
INSERT INTO client_registry.client_group_member (client_id, group_id) VALUES
    (35001, 35001), (35002, 35001), (35003, 35001), (35002, 35002), (35004, 35002);
INSERT INTO client_registry.label (id, name) VALUES (35001, 'VIP'), (35002, 'Nauji');
INSERT INTO client_registry.client_label (client_id, label_id) VALUES (35002, 35001), (35003, 35001), (35001, 35002);
INSERT INTO client_registry.reminder_level (id, client_id, level, days_overdue, min_open_amount, fee, message) VALUES
    (35181, NULL, 1, 7, 0, 0, 'friendly'), (35182, NULL, 2, 30, 10, 5, 'second'),
    (35183, NULL, 3, 60, 10, 15, 'final'), (35184, 35003, 1, 45, 0, 0, 'own terms');
COMMIT;

-- Another tenant's documents with the same numbers: never in tenant 350's
-- reports.
BEGIN;
SET LOCAL client_registry.tenant = 351;
INSERT INTO client_registry.client (id, kind, name, company_code) VALUES (35500, 'own_company', 'UAB Kiti', '110003978');
INSERT INTO client_registry.client (id, kind, name, company_code, sales_tax_category, sales_payment_term_days)
VALUES (35501, 'buyer', 'UAB Kito pirkėjas', '188772433', 'PVM1', 14);
INSERT INTO client_registry.invoice (id, client_id, direction, number, invoice_date) VALUES (35601, 35501, 'sale', 'D-1', '2026-09-01');
INSERT INTO client_registry.invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (35601, 1000, 210);
COMMIT;
BEGIN;
SET LOCAL client_registry.tenant = 351;
UPDATE client_registry.invoice SET status = 'posted' WHERE tenant_id = 351 AND id = 35601;
INSERT INTO client_registry.client_group (id, name) VALUES (35501, 'Pirkėjai');
INSERT INTO client_registry.client_group_member (client_id, group_id) VALUES (35501, 35501);
INSERT INTO client_registry.reminder_level (id, client_id, level, days_overdue) VALUES (35681, NULL, 1, 1);
COMMIT;

-- The reports of tenant 350
BEGIN;
SET LOCAL client_registry.tenant = 350;
SELECT * FROM client_registry.invoice_closings(350, 35104);
SELECT * FROM client_registry.invoice_closings(350, 35104, '2026-10-20');
SELECT client_registry.invoice_open_amount(350, 35104) AS open_d3,
       client_registry.invoice_open_amount(350, 35104, '2026-10-20') AS open_d3_oct20,
       client_registry.invoice_open_amount(350, 35111) AS open_u1,
       client_registry.invoice_open_amount(350, 35199) AS no_such_invoice;
SELECT * FROM client_registry.open_items('2026-10-05');
SELECT * FROM client_registry.open_items('2026-10-31');
SELECT * FROM client_registry.open_items('2026-10-31', 35002);
SELECT * FROM client_registry.open_items('2026-12-31');
SELECT * FROM client_registry.aging('2026-11-20');
SELECT * FROM client_registry.aging('2026-12-31', 35001);
SELECT entry_date, entry_kind, reference, ledger_account, debit, credit, balance
  FROM client_registry.client_statement(35002, '2026-10-02', '2026-10-31');
SELECT * FROM client_registry.turnover('2026-10-01', '2026-10-15');
SELECT * FROM client_registry.turnover('2026-10-16', '2026-11-30');
SELECT * FROM client_registry.turnover_by_group('2026-10-01', '2026-10-31');
SELECT * FROM client_registry.turnover_by_group('2026-11-01', '2026-11-30');
SELECT * FROM client_registry.turnover_by_label('2026-10-01', '2026-10-31');
SELECT * FROM client_registry.account_balances();
COMMIT;
-- payment reminders: a preview, then recorded once (a second run finds
-- nothing new), then the next level a month later
BEGIN;
SET LOCAL client_registry.tenant = 350;
SELECT * FROM client_registry.payment_reminders('2026-11-20', record => false);
SELECT number, days_overdue, open_amount, level, previous_level, fee FROM client_registry.payment_reminders('2026-11-20');
SELECT number, days_overdue, level, previous_level FROM client_registry.payment_reminders('2026-11-20');
SELECT number, days_overdue, level, previous_level, fee FROM client_registry.payment_reminders('2026-12-20', 35001);
COMMIT;
BEGIN;
SET LOCAL client_registry.tenant = 350;
SELECT i.number, r.level, r.reminded_on, r.days_overdue, r.open_amount, r.fee
  FROM client_registry.payment_reminder r
  JOIN client_registry.invoice i ON i.tenant_id = r.tenant_id AND i.id = r.invoice_id
 WHERE r.tenant_id = 350 ORDER BY i.number, r.level;
COMMIT;
-- tenant 351 sees its own
BEGIN;
SET LOCAL client_registry.tenant = 351;
SELECT * FROM client_registry.open_items('2026-12-31');
SELECT * FROM client_registry.aging('2026-12-31');
SELECT * FROM client_registry.turnover_by_group('2026-09-01', '2026-12-31');
SELECT * FROM client_registry.turnover_by_label('2026-09-01', '2026-12-31');
SELECT number, days_overdue, level FROM client_registry.payment_reminders('2026-12-31');
SELECT client_registry.invoice_open_amount(351, 35601) AS open_351,
       client_registry.invoice_open_amount(351, 35101) AS not_this_tenants;
COMMIT;
RESET citus.propagate_set_commands;
