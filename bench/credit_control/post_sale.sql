-- bench/credit_control/post_sale.sql -- pgbench: one sales invoice per transaction, as an
-- application posts it: a draft, one VAT line (the totals follow it), then posted (the balance
-- trigger adds it to client_balance and applies credit control).
-- pgbench -D variables: first (first buyer id), nbuyers (pgbench client k sells to buyer
-- first + k % nbuyers).  Numbers are unique: 'B-' || nextval('bench_seq').
\set buyer :first + :client_id % :nbuyers
\set net random(100, 99999)
BEGIN;
INSERT INTO client_registry.invoice (client_id, direction, number, invoice_date)
VALUES (:buyer, 'sale', 'B-' || nextval('bench_seq'), current_date) RETURNING id AS inv \gset
INSERT INTO client_registry.invoice_vat_line (invoice_id, taxable_value, tax_code, vat_rate, vat_amount)
VALUES (:inv, :net / 100.0, 'PVM1', 21, round(:net * 0.0021, 2));
UPDATE client_registry.invoice SET status = 'posted' WHERE id = :inv;
COMMIT;
