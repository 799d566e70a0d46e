-- 0.4.0 (issue #16): debts as accountants close a month: credit notes and
-- offsets, settlements across currencies, R4.4 ledger accounts, balances as
-- of a date, turnover, statements, payment reminders, confirmed orders in
-- the credit exposure.  Tenants 170-172, clients 17000-17999.
SET search_path = client_registry, public;
SET client_registry.tenant = 170;
\set VERBOSITY default
\set SHOW_CONTEXT never
INSERT INTO client (id, kind, name, company_code) VALUES (17000, 'own_company', 'UAB Savi', '110003978');
INSERT INTO client (id, kind, name, company_code, sales_tax_category, purchase_tax_category, sales_payment_term_days)
VALUES (17001, 'buyer', 'UAB Pirkėjas', '188772433', 'PVM1', NULL, 14),
       (17002, 'buyer_supplier', 'UAB Abu', '301692533', 'PVM1', 'PVM1', 30),
       (17003, 'buyer', 'UAB Kitas', '110443493', 'PVM1', NULL, 14),
       (17004, 'supplier', 'VMI', '188659752', NULL, 'PVM1', NULL);

-- Documents: sales D-1 (121.00), credit note D-KS1 (-6.05) and D-2 (60.50)
-- of 17001; a sale and a purchase of 17002 in USD at two rates; a draft.
INSERT INTO invoice (id, client_id, direction, number, invoice_date, currency, currency_rate) VALUES
    (170001, 17001, 'sale', 'D-1', '2026-10-01', 'EUR', 1),
    (170002, 17001, 'sale', 'D-KS1', '2026-10-05', 'EUR', 1),
    (170003, 17001, 'sale', 'D-2', '2026-10-07', 'EUR', 1),
    (170004, 17001, 'sale', 'D-3', '2026-10-08', 'USD', 0.9),
    (170005, 17001, 'sale', 'D-DRAFT', '2026-10-09', 'EUR', 1),
    (170011, 17002, 'sale', 'U-1', '2026-10-01', 'USD', 0.9),
    (170012, 17002, 'purchase', 'P-1', '2026-10-03', 'USD', 0.95),
    (170013, 17002, 'purchase', 'P-2', '2026-10-04', 'EUR', 1),
    (170021, 17003, 'sale', 'K-1', '2026-10-02', 'EUR', 1);
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES
    (170001, 100, 21), (170002, -5, -1.05), (170003, 50, 10.50), (170004, 100, 0), (170005, 10, 2.10),
    (170011, 100, 0), (170012, 60, 0), (170013, 30, 6.30), (170021, 40, 8.40);
UPDATE invoice SET status = 'posted' WHERE id IN (170001, 170002, 170003, 170004, 170011, 170012, 170013, 170021);

-- A credit note settled against its invoice: both close, the balance stays.
SELECT settle_credit_note(170002, 170001, offset_date => '2026-10-06', number => 'KN-1') AS op \gset
SELECT o.kind, o.number, o.offset_date, o.description, l.amount, l.against_amount, l.amount_base,
       l.against_amount_base, l.exchange_difference, l.receivable_change, l.payable_change
  FROM debt_offset o JOIN debt_offset_line l ON l.offset_id = o.id WHERE o.id = :op;
SELECT number, closed_on, invoice_open_amount(170, id) AS open FROM invoice WHERE id IN (170001, 170002) ORDER BY id;
SELECT receivable, payable FROM client_balance WHERE client_id = 17001;
-- the credit note is used up: nothing left to close
SELECT settle_credit_note(170002, 170003);
\echo :SQLSTATE
-- errors of the wrappers
SELECT settle_credit_note(179999, 170001);
\echo :SQLSTATE
SELECT settle_credit_note(170002, 179999);
\echo :SQLSTATE
SELECT offset_debts(179999, 170012);
\echo :SQLSTATE
SELECT offset_debts(170011, 179999);
\echo :SQLSTATE
SELECT reverse_debt_offset(179999);
\echo :SQLSTATE

-- Rows are checked against their operation's kind and documents.
INSERT INTO debt_offset (id, client_id, kind, offset_date) VALUES
    (17901, 17001, 'credit_note', '2026-10-10'), (17902, 17001, 'offset', '2026-10-10'),
    (17903, 17002, 'offset', '2026-10-10');
INSERT INTO debt_offset_line (offset_id, invoice_id, against_invoice_id, amount) VALUES (17901, 170003, 170001, 1);
\echo :SQLSTATE
INSERT INTO debt_offset_line (offset_id, invoice_id, against_invoice_id, amount) VALUES (17902, 170003, 170001, 1);
\echo :SQLSTATE
INSERT INTO debt_offset_line (offset_id, invoice_id, against_invoice_id, amount) VALUES (17901, 170021, 170002, 1);
\echo :SQLSTATE
INSERT INTO debt_offset_line (offset_id, invoice_id, against_invoice_id, amount) VALUES (17901, 170005, 170002, 1);
\echo :SQLSTATE
INSERT INTO debt_offset_line (offset_id, invoice_id, against_invoice_id, amount) VALUES (17901, 170004, 170002, 1);
\echo :SQLSTATE
INSERT INTO debt_offset_line (offset_id, invoice_id, against_invoice_id, amount) VALUES (17903, 170011, 170012, 0);
\echo :SQLSTATE
INSERT INTO debt_offset_line (offset_id, invoice_id, against_invoice_id, amount) VALUES (17903, 170011, 170012, 70);
\echo :SQLSTATE
INSERT INTO debt_offset_line (offset_id, invoice_id, against_invoice_id, amount, reverses_line_id)
SELECT 17903, 170011, 170012, 1, min(id) FROM debt_offset_line;
\echo :SQLSTATE
INSERT INTO debt_offset_line (offset_id, invoice_id, against_invoice_id, amount) VALUES (17903, 170013, 170012, 1);
\echo :SQLSTATE
-- an invoice closed beyond its open amount (the credit note D-KS1 is used up)
INSERT INTO debt_offset (id, client_id, kind, offset_date) VALUES (17904, 17001, 'credit_note', '2026-10-10');
INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES (170006, 17001, 'sale', 'D-KS2', '2026-10-09');
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (170006, -200, -42);
UPDATE invoice SET status = 'posted' WHERE id = 170006;
INSERT INTO debt_offset_line (offset_id, invoice_id, against_invoice_id, amount) VALUES (17904, 170003, 170006, 61);
\echo :SQLSTATE
INSERT INTO debt_offset_line (offset_id, invoice_id, against_invoice_id, amount) VALUES (17904, 170003, 170002, 1);
\echo :SQLSTATE
-- an empty operation can be deleted; one with rows cannot, nor change
DELETE FROM debt_offset WHERE id IN (17901, 17902, 17903, 17904);
DELETE FROM debt_offset WHERE id = :op;
\echo :SQLSTATE
UPDATE debt_offset SET offset_date = '2026-10-20' WHERE id = :op;
\echo :SQLSTATE
UPDATE debt_offset SET description = 'credit note KN-1 for D-1' WHERE id = :op;
UPDATE debt_offset_line SET amount = 1 WHERE offset_id = :op;
\echo :SQLSTATE
DELETE FROM debt_offset_line WHERE offset_id = :op;
\echo :SQLSTATE
-- an invoice a credit note closes is not cancelled
UPDATE invoice SET status = 'cancelled' WHERE id = 170001;
\echo :SQLSTATE

-- An offset (užskaita) of what 17002 owes against what we owe it, across
-- two rates of USD: the exchange difference is recorded, balances stay exact.
SELECT offset_debts(170011, 170012, number => 'UZ-1') AS op2 \gset
SELECT amount, against_amount, amount_base, against_amount_base, exchange_difference, receivable_change, payable_change
  FROM debt_offset_line WHERE offset_id = :op2;
SELECT receivable, payable FROM client_balance WHERE client_id = 17002;
SELECT * FROM balance_discrepancies() WHERE client_id BETWEEN 17000 AND 17999;

-- Reversal: a mirrored operation that re-opens what the original closed.
SELECT reverse_debt_offset(:op2, '2026-10-25', 'wrong amount') AS rev \gset
SELECT o.number, o.kind, o.offset_date, o.description, o.reversal_of = :op2 AS reverses, l.amount, l.receivable_change, l.payable_change
  FROM debt_offset o JOIN debt_offset_line l ON l.offset_id = o.id WHERE o.id = :rev;
SELECT number, closed_on FROM invoice WHERE id IN (170011, 170012) ORDER BY id;
SELECT reverse_debt_offset(:op2);
\echo :SQLSTATE
SELECT reverse_debt_offset(:rev);
\echo :SQLSTATE
INSERT INTO debt_offset (client_id, kind, offset_date, reversal_of) VALUES (17002, 'credit_note', '2026-10-30', :op);
\echo :SQLSTATE
INSERT INTO debt_offset (id, client_id, kind, offset_date, reversal_of) VALUES (17905, 17001, 'credit_note', '2026-10-01', :op);
\echo :SQLSTATE
INSERT INTO debt_offset (id, client_id, kind, offset_date, reversal_of) VALUES (17905, 17001, 'credit_note', '2026-10-30', :op);
INSERT INTO debt_offset_line (offset_id, invoice_id, against_invoice_id, amount, reverses_line_id)
SELECT 17905, 170001, 170002, 1, id FROM debt_offset_line WHERE offset_id = :op;
\echo :SQLSTATE
DELETE FROM debt_offset WHERE id = 17905;
-- offset again, a part
SELECT offset_debts(170011, 170012, 20, '2026-10-26') AS op3 \gset
SELECT * FROM balance_discrepancies() WHERE client_id BETWEEN 17000 AND 17999;

-- Settlements across currencies: a EUR payment for a USD invoice, converted
-- at the two rates or as the bank did; the exchange difference is booked.
INSERT INTO payment (id, client_id, direction, payment_date, amount, currency, currency_rate) VALUES
    (170101, 17001, 'in', '2026-10-20', 100, 'EUR', 1),
    (170102, 17001, 'in', '2026-10-21', 95, 'EUR', 1),
    (170103, 17001, 'in', '2026-10-22', 200, 'USD', 0.92);
INSERT INTO settlement (id, payment_id, invoice_id, amount) VALUES (17801, 170101, 170004, 50);
INSERT INTO settlement (id, payment_id, invoice_id, amount, payment_amount) VALUES (17802, 170102, 170004, 50, 46);
SELECT id, settlement_date, amount, payment_amount, amount_base, payment_amount_base, exchange_difference
  FROM settlement WHERE id IN (17801, 17802) ORDER BY id;
SELECT number, closed_on FROM invoice WHERE id = 170004;
SELECT * FROM balance_discrepancies() WHERE client_id BETWEEN 17000 AND 17999;
-- errors: one currency, less than a cent, beyond the unused amount, moving
INSERT INTO settlement (payment_id, invoice_id, amount, payment_amount) VALUES (170101, 170003, 10, 9);
\echo :SQLSTATE
INSERT INTO settlement (payment_id, invoice_id, amount, payment_amount) VALUES (170103, 170003, 0.01, 0.004);
\echo :SQLSTATE
INSERT INTO settlement (payment_id, invoice_id, amount) VALUES (170103, 170003, 61);
\echo :SQLSTATE
INSERT INTO settlement (payment_id, invoice_id, amount) VALUES (170101, 170003, 60.50);
\echo :SQLSTATE
INSERT INTO settlement (payment_id, invoice_id, amount, payment_amount) VALUES (170103, 170003, 60.50, 250);
\echo :SQLSTATE
UPDATE settlement SET invoice_id = 170003 WHERE id = 17801;
\echo :SQLSTATE
UPDATE payment SET currency_rate = 1.1 WHERE id = 170102;
\echo :SQLSTATE
-- deleting a settlement re-opens the invoice and takes its difference away
DELETE FROM settlement WHERE id = 17802;
SELECT number, closed_on, invoice_open_amount(170, id) AS open FROM invoice WHERE id = 170004;
SELECT * FROM balance_discrepancies() WHERE client_id BETWEEN 17000 AND 17999;
-- and so does deleting the payment (its settlements go with it)
INSERT INTO settlement (id, payment_id, invoice_id, amount, payment_amount) VALUES (17803, 170102, 170004, 50, 46);
SELECT number, closed_on FROM invoice WHERE id = 170004;
DELETE FROM payment WHERE id = 170102;
SELECT number, closed_on, invoice_open_amount(170, id) AS open FROM invoice WHERE id = 170004;
SELECT * FROM balance_discrepancies() WHERE client_id BETWEEN 17000 AND 17999;

-- R4.4: a client settled by ledger accounts (the tax office): debts and
-- payments on accounts, not settled by document.
INSERT INTO account_entry (client_id, ledger_account, side, entry_date, amount) VALUES (17001, '4481', 'payable', '2026-10-15', 50);
\echo :SQLSTATE
INSERT INTO payment (client_id, direction, payment_date, amount, ledger_account) VALUES (17001, 'out', '2026-10-20', 50, '4481');
\echo :SQLSTATE
UPDATE payment SET ledger_account = '2410' WHERE id = 170101;
\echo :SQLSTATE
UPDATE client SET settled_by = 'accounts' WHERE id = 17004;
INSERT INTO account_entry (client_id, ledger_account, side, entry_date, amount, reference) VALUES
    (17004, '4481', 'payable', '2026-10-15', 320.00, 'GPM 2026-10'),
    (17004, '4482', 'payable', '2026-10-15', 120.00, 'PSD 2026-10');
INSERT INTO payment (id, client_id, direction, payment_date, amount, ledger_account) VALUES
    (170111, 17004, 'out', '2026-10-20', 320.00, '4481'),
    (170112, 17004, 'out', '2026-10-31', 100.00, NULL);
SELECT * FROM account_balances();
SELECT * FROM account_balances('2026-10-16');
INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES (170031, 17004, 'purchase', 'VMI-1', '2026-10-05');
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (170031, 10, 0);
UPDATE invoice SET status = 'posted' WHERE id = 170031;
INSERT INTO settlement (payment_id, invoice_id, amount) VALUES (170112, 170031, 10);
\echo :SQLSTATE
UPDATE client SET settled_by = 'mixed' WHERE id = 17004;
INSERT INTO settlement (payment_id, invoice_id, amount) VALUES (170111, 170031, 10);
\echo :SQLSTATE
INSERT INTO settlement (payment_id, invoice_id, amount) VALUES (170112, 170031, 10);
UPDATE payment SET ledger_account = '4482' WHERE id = 170112;
\echo :SQLSTATE
UPDATE client SET settled_by = 'accounts' WHERE id = 17002;
SELECT offset_debts(170011, 170012, 1);
\echo :SQLSTATE
UPDATE client SET settled_by = 'documents' WHERE id = 17002;
SELECT * FROM balance_discrepancies() WHERE client_id BETWEEN 17000 AND 17999;

-- As of a date: open items, aging, statement, turnover.
SELECT number, open_amount, open_amount_base, days_overdue FROM open_items('2026-10-05');
SELECT number, open_amount, open_amount_base, days_overdue FROM open_items('2026-10-31');
SELECT number, open_amount FROM open_items('2026-10-31', 17002);
SELECT client_name, direction, not_due, overdue_1_30, overdue_31_60, total_open FROM aging('2026-11-20');
SELECT entry_date, entry_kind, reference, ledger_account, debit, credit, balance
  FROM client_statement(17002, '2026-10-02', '2026-10-31');
SELECT entry_date, entry_kind, reference, ledger_account, debit, credit, balance
  FROM client_statement(17004, '2026-10-16', '2026-10-31');
SELECT * FROM turnover('2026-10-01', '2026-10-15');
SELECT * FROM turnover('2026-10-16', '2026-10-31');
INSERT INTO client_group (id, name) VALUES (17001, 'Pirkėjai');
INSERT INTO client_group_member (client_id, group_id) VALUES (17001, 17001), (17002, 17001);
INSERT INTO label (id, name) VALUES (17001, 'VIP');
INSERT INTO client_label (client_id, label_id) VALUES (17002, 17001), (17003, 17001);
SELECT group_name, clients, opening_balance, debit, credit, closing_balance FROM turnover_by_group('2026-10-01', '2026-10-31');
SELECT label_name, clients, opening_balance, debit, credit, closing_balance FROM turnover_by_label('2026-10-01', '2026-10-31');

-- Payment reminders: the tenant's levels, one client's own, the log.
SET client_registry.tenant = 171;
INSERT INTO client (id, kind, name, company_code) VALUES (17100, 'own_company', 'UAB Savi 171', '110003978');
INSERT INTO client (id, kind, name, company_code, sales_tax_category, sales_payment_term_days, email)
VALUES (17101, 'buyer', 'UAB Vėluojantis', '188772433', 'PVM1', 10, 'buh@veluoja.lt'),
       (17102, 'buyer', 'UAB Savi terminai', '301692533', 'PVM1', 10, NULL),
       (17103, 'buyer', 'UAB Neprimenamas', '110443493', 'PVM1', 10, NULL);
UPDATE client SET send_reminders = false WHERE id = 17103;
INSERT INTO reminder_level (client_id, level, days_overdue, min_open_amount, fee, message) VALUES
    (NULL, 1, 7, 0, 0, 'friendly'), (NULL, 2, 30, 10, 5, 'second'), (NULL, 3, 60, 10, 15, 'final'),
    (17102, 1, 45, 0, 0, 'own terms');
INSERT INTO reminder_level (client_id, level, days_overdue) VALUES (NULL, 1, 3);
\echo :SQLSTATE
INSERT INTO reminder_level (client_id, level, days_overdue) VALUES (NULL, 10, 3);
\echo :SQLSTATE
INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES
    (171001, 17101, 'sale', 'R-1', '2026-09-01'), (171002, 17101, 'sale', 'R-2', '2026-10-01'),
    (171003, 17102, 'sale', 'R-3', '2026-09-01'), (171004, 17103, 'sale', 'R-4', '2026-09-01');
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES
    (171001, 100, 21), (171002, 5, 1.05), (171003, 100, 21), (171004, 100, 21);
UPDATE invoice SET status = 'posted' WHERE tenant_id = 171;
SELECT number, email, days_overdue, open_amount, level, previous_level, fee, message
  FROM payment_reminders('2026-10-20', record => false);
SELECT number, days_overdue, level, previous_level FROM payment_reminders('2026-10-20');
SELECT number, days_overdue, level, previous_level FROM payment_reminders('2026-10-20');
SELECT number, days_overdue, level, previous_level, fee FROM payment_reminders('2026-11-15');
SELECT i.number, r.level, r.reminded_on, r.days_overdue, r.open_amount, r.fee
  FROM payment_reminder r JOIN invoice i ON i.id = r.invoice_id ORDER BY i.number, r.level;

-- Confirmed CRM orders in the credit exposure.
SET client_registry.tenant = 172;
INSERT INTO client (id, kind, name, company_code) VALUES (17200, 'own_company', 'UAB Savi 172', '110003978');
INSERT INTO client (id, kind, name, company_code, sales_tax_category, credit_control, credit_limit, credit_counts_orders)
VALUES (17201, 'buyer', 'UAB Užsakantis', '188772433', 'PVM1', 'strict', 1000, true),
       (17202, 'buyer', 'UAB Įspėjamas', '301692533', 'PVM1', 'warn', 100, true);
INSERT INTO crm_order (id, client_id, number) VALUES (17201, 17201, 'O-1'), (17202, 17202, 'O-2');
INSERT INTO crm_order_line (order_id, client_id, line_no, item, quantity, unit_price, vat_rate) VALUES
    (17201, 17201, 1, 'Prekė', 10, 50, 21), (17202, 17202, 1, 'Prekė', 1, 100, 21);
UPDATE crm_order SET status = 'confirmed' WHERE id = 17201;
UPDATE crm_order SET status = 'confirmed' WHERE id = 17202;
SELECT name, receivable, counts_orders, confirmed_orders, exposure, credit_available
  FROM credit_exposure WHERE tenant_id = 172 ORDER BY client_id;
INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES (172001, 17201, 'sale', 'O-SF-1', '2026-11-01');
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (172001, 400, 84);
UPDATE invoice SET status = 'posted' WHERE id = 172001;
\echo :SQLSTATE
INSERT INTO crm_order_line (order_id, client_id, line_no, item, quantity, unit_price, vat_rate) VALUES
    (17201, 17201, 2, 'Dar', 1, 400, 21);
\echo :SQLSTATE
INSERT INTO crm_order (id, client_id, number, status) VALUES (17203, 17201, 'O-3', 'draft');
INSERT INTO crm_order_line (order_id, client_id, line_no, item, quantity, unit_price, vat_rate) VALUES
    (17203, 17201, 1, 'Dar', 1, 400, 21);
UPDATE crm_order SET status = 'confirmed' WHERE id = 17203;
\echo :SQLSTATE
INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES (172002, 17202, 'sale', 'O-SF-2', '2026-11-01');
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (172002, 10, 2.10);
UPDATE invoice SET status = 'posted' WHERE id = 172002;
-- delivered orders stop counting: the sale goes through
UPDATE crm_order SET status = 'delivered' WHERE id = 17201;
UPDATE invoice SET status = 'posted' WHERE id = 172001;
SELECT name, receivable, confirmed_orders, exposure FROM credit_exposure WHERE tenant_id = 172 ORDER BY client_id;
SELECT * FROM balance_discrepancies() WHERE client_id BETWEEN 17000 AND 17999;
