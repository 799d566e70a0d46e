-- bench/credit_control/explain.sql -- the plans of every statement one posting runs, nested
-- trigger statements included (auto_explain with log_nested_statements, ANALYZE, BUFFERS),
-- for the buyer :buyer; rolled back.  Run as a superuser (LOAD), posts as bench_app.
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_nested_statements = on;
SET auto_explain.log_analyze = on;
SET auto_explain.log_buffers = on;
SET auto_explain.log_timing = on;
SET auto_explain.log_level = notice;
SET client_min_messages = notice;
SET ROLE bench_app;
BEGIN;
-- warm the backend's kept plans first (the real plans are the second posting's)
INSERT INTO client_registry.invoice (client_id, direction, number, invoice_date)
VALUES (:buyer, 'sale', 'X-warm-' || :buyer, current_date) RETURNING id AS inv \gset
INSERT INTO client_registry.invoice_vat_line (invoice_id, taxable_value, tax_code, vat_rate, vat_amount)
VALUES (:inv, 100, 'PVM1', 21, 21);
UPDATE client_registry.invoice SET status = 'posted' WHERE id = :inv;
SELECT '----- measured posting -----' AS marker;
INSERT INTO client_registry.invoice (client_id, direction, number, invoice_date)
VALUES (:buyer, 'sale', 'X-' || :buyer, current_date) RETURNING id AS inv \gset
INSERT INTO client_registry.invoice_vat_line (invoice_id, taxable_value, tax_code, vat_rate, vat_amount)
VALUES (:inv, 100, 'PVM1', 21, 21);
UPDATE client_registry.invoice SET status = 'posted' WHERE id = :inv;
ROLLBACK;
