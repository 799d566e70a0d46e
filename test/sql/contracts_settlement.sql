-- 0.2.0: contracts (R4.2), instalments (R4.3), automatic settlement (R4.5)
-- and the debt views (R4.6).
SET search_path = client_registry, public;
SET client_registry.tenant = 80;
\set VERBOSITY default
\set SHOW_CONTEXT never
INSERT INTO client (id, kind, name, company_code) VALUES (8001, 'own_company', 'UAB Savi', '110003978');
INSERT INTO client (id, kind, name, company_code, sales_tax_category, contract_mode, settlement_mode)
VALUES (8002, 'buyer', 'UAB Sutartinis', '188772433', 'PVM1', 'required', 'all_documents'),
       (8003, 'buyer', 'UAB Automatinis', '301692533', 'PVM1', 'auto', 'selected_documents');
INSERT INTO contract (id, client_id, number, valid_from, valid_to) VALUES
    (81, 8002, 'S-2025', '2025-01-01', '2025-12-31'),
    (82, 8002, 'S-2026', '2026-01-01', NULL),
    (83, 8003, 'A-2026', '2026-01-01', '2026-06-30'),
    (84, 8003, 'A-2026b', '2026-07-01', NULL);

-- R4.2 "valid contract required".
INSERT INTO invoice (client_id, direction, number, invoice_date) VALUES (8002, 'sale', 'C-1', '2026-03-01');
\echo :SQLSTATE
INSERT INTO invoice (client_id, direction, number, invoice_date, contract_id) VALUES (8002, 'sale', 'C-1', '2026-03-01', 81);
\echo :SQLSTATE
INSERT INTO invoice (client_id, direction, number, invoice_date, contract_id) VALUES (8002, 'sale', 'C-1', '2026-03-01', 83);
\echo :SQLSTATE
INSERT INTO invoice (id, client_id, direction, number, invoice_date, contract_id) VALUES (8801, 8002, 'sale', 'C-1', '2026-03-01', 82);
-- R4.2 "control contracts": picked automatically by date.
INSERT INTO invoice (id, client_id, direction, number, invoice_date) VALUES
    (8802, 8003, 'sale', 'C-2', '2026-03-01'),
    (8803, 8003, 'sale', 'C-3', '2026-08-01'),
    (8804, 8003, 'sale', 'C-4', '2025-08-01');
SELECT i.number, k.number AS contract FROM invoice i LEFT JOIN contract k ON k.id = i.contract_id
 WHERE i.tenant_id = 80 ORDER BY i.id;
-- Moving a draft's date re-checks the contract.
UPDATE invoice SET invoice_date = '2025-06-01' WHERE id = 8801;
\echo :SQLSTATE

-- R4.3 instalments: they add up to the gross total when the invoice is posted.
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (8801, 1000, 210);
INSERT INTO invoice_instalment (invoice_id, due_date, amount) VALUES (8801, '2026-04-01', 600), (8801, '2026-05-01', 600);
UPDATE invoice SET status = 'posted' WHERE id = 8801;
\echo :SQLSTATE
UPDATE invoice_instalment SET amount = 610 WHERE invoice_id = 8801 AND due_date = '2026-05-01';
UPDATE invoice SET status = 'posted' WHERE id = 8801;
INSERT INTO invoice_instalment (invoice_id, due_date, amount) VALUES (8801, '2026-06-01', 1);
\echo :SQLSTATE
DELETE FROM invoice_instalment WHERE invoice_id = 8801;
\echo :SQLSTATE

-- R4.5 automatic settlement: (1) the invoice the payment names, (2) invoices
-- whose number is in the remittance text, (3) in mode all_documents, the
-- remaining open invoices oldest first.
INSERT INTO invoice (id, client_id, direction, number, invoice_date, contract_id) VALUES
    (8805, 8002, 'sale', 'C-5', '2026-02-01', 82),
    (8806, 8002, 'sale', 'C-6', '2026-02-15', 82);
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (8805, 100, 21), (8806, 200, 42);
UPDATE invoice SET status = 'posted' WHERE id IN (8805, 8806);
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (8802, 50, 0), (8803, 70, 0);
UPDATE invoice SET status = 'posted' WHERE id IN (8802, 8803);
INSERT INTO payment (id, client_id, direction, payment_date, amount, invoice_id, description) VALUES
    (8101, 8002, 'in', '2026-05-01', 1000, 8801, 'for C-1'),
    (8102, 8002, 'in', '2026-05-02', 300, NULL, 'payment for invoice C-6'),
    (8103, 8003, 'in', '2026-05-03', 100, NULL, 'for C-3'),
    (8104, 8003, 'in', '2026-05-04', 40, NULL, 'no reference');
SELECT settle_automatically(8002) AS settlements_8002;
SELECT payment_id, i.number, s.amount FROM settlement s JOIN invoice i ON i.id = s.invoice_id
 WHERE s.tenant_id = 80 ORDER BY s.id;
-- selected_documents: only linked or named invoices; the rest waits for manual settlement.
SELECT settle_automatically() AS settlements_all;
SELECT payment_id, i.number, s.amount FROM settlement s JOIN invoice i ON i.id = s.invoice_id
 WHERE s.tenant_id = 80 AND i.client_id = 8003 ORDER BY s.id;
-- Running it again changes nothing.
SELECT settle_automatically() AS settlements_again;

-- R4.6 views: open items, aging, statement.
SELECT number, direction, due_date, total_gross, open_amount, open_amount_base
  FROM open_item WHERE tenant_id = 80 ORDER BY invoice_id;
SELECT client_name, direction, total_open
  FROM aging WHERE tenant_id = 80 ORDER BY client_id;
SELECT entry_date, entry_kind, reference, debit, credit, balance
  FROM client_statement WHERE client_id = 8002 ORDER BY entry_date, entry_kind, entry_id;
SELECT receivable FROM client_debt WHERE client_id = 8002;

-- R4.5 step (2) also matches division and object when the payment names them.
UPDATE client SET settlement_mode = 'selected_documents' WHERE id = 8002;
INSERT INTO invoice (id, client_id, direction, number, invoice_date, contract_id, division, cost_object) VALUES
    (8807, 8002, 'sale', 'D-1', '2026-04-01', 82, 'Kaunas', 'Projektas A'),
    (8808, 8002, 'sale', 'D-2', '2026-04-01', 82, 'Vilnius', 'Projektas A');
INSERT INTO invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (8807, 10, 0), (8808, 10, 0);
UPDATE invoice SET status = 'posted' WHERE id IN (8807, 8808);
INSERT INTO payment (id, client_id, direction, payment_date, amount, description, division) VALUES
    (8105, 8002, 'in', '2026-05-05', 20, 'D-1 ir D-2', 'Vilnius');
SELECT settle_automatically(8002) AS settlements_division;
SELECT payment_id, i.number, s.amount FROM settlement s JOIN invoice i ON i.id = s.invoice_id
 WHERE s.payment_id = 8105 ORDER BY s.id;
