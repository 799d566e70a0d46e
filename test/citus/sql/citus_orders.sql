-- issue #17 part A: confirmed CRM orders in the credit exposure (R4.1) on
-- Citus (tenant 313, the case of test/sql/debts.sql): the order trigger and
-- the invoice's balance trigger read the confirmed orders from the
-- co-located shards of crm_order and crm_order_line.
\set SHOW_CONTEXT never
SET client_min_messages = warning;
SET citus.propagate_set_commands = 'local';
SELECT client_registry.grant_tenant(313, 'postgres');
BEGIN;
SET LOCAL client_registry.tenant = 313;
INSERT INTO client_registry.client (id, kind, name, company_code) VALUES (17200, 'own_company', 'UAB Savi 172', '110003978');
INSERT INTO client_registry.client (id, kind, name, company_code, sales_tax_category, credit_control, credit_limit, credit_counts_orders)
VALUES (17201, 'buyer', 'UAB Užsakantis', '188772433', 'PVM1', 'strict', 1000, true),
       (17202, 'buyer', 'UAB Įspėjamas', '301692533', 'PVM1', 'warn', 100, true);
INSERT INTO client_registry.crm_order (id, client_id, number) VALUES (17201, 17201, 'O-1'), (17202, 17202, 'O-2');
INSERT INTO client_registry.crm_order_line (order_id, client_id, line_no, item, quantity, unit_price, vat_rate) VALUES
    (17201, 17201, 1, 'Prekė', 10, 50, 21), (17202, 17202, 1, 'Prekė', 1, 100, 21);
UPDATE client_registry.crm_order SET status = 'confirmed' WHERE tenant_id = 313 AND id = 17201;
COMMIT;
BEGIN;
SET LOCAL client_registry.tenant = 313;
SELECT name, receivable, counts_orders, confirmed_orders, exposure, credit_available
  FROM client_registry.credit_exposure WHERE tenant_id = 313 ORDER BY client_id;
COMMIT;
-- a sale that fits the limit only without the confirmed orders is refused
BEGIN;
SET LOCAL client_registry.tenant = 313;
INSERT INTO client_registry.invoice (id, client_id, direction, number, invoice_date) VALUES (172001, 17201, 'sale', 'O-SF-1', '2026-11-01');
INSERT INTO client_registry.invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (172001, 400, 84);
UPDATE client_registry.invoice SET status = 'posted' WHERE tenant_id = 313 AND id = 172001;
ROLLBACK;
-- so is confirming an order over the limit
BEGIN;
SET LOCAL client_registry.tenant = 313;
INSERT INTO client_registry.crm_order (id, client_id, number, status) VALUES (17203, 17201, 'O-3', 'draft');
INSERT INTO client_registry.crm_order_line (order_id, client_id, line_no, item, quantity, unit_price, vat_rate) VALUES
    (17203, 17201, 1, 'Dar', 1, 400, 21);
UPDATE client_registry.crm_order SET status = 'confirmed' WHERE tenant_id = 313 AND id = 17203;
ROLLBACK;
-- delivered orders stop counting: the sale goes through
BEGIN;
SET LOCAL client_registry.tenant = 313;
UPDATE client_registry.crm_order SET status = 'delivered' WHERE tenant_id = 313 AND id = 17201;
INSERT INTO client_registry.invoice (id, client_id, direction, number, invoice_date) VALUES (172001, 17201, 'sale', 'O-SF-1', '2026-11-01');
INSERT INTO client_registry.invoice_vat_line (invoice_id, taxable_value, vat_amount) VALUES (172001, 400, 84);
UPDATE client_registry.invoice SET status = 'posted' WHERE tenant_id = 313 AND id = 172001;
SELECT name, receivable, confirmed_orders, exposure FROM client_registry.credit_exposure
 WHERE tenant_id = 313 ORDER BY client_id;
SELECT count(*) AS discrepancies FROM client_registry.balance_discrepancies();
COMMIT;
