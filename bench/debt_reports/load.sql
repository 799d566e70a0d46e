-- bench/debt_reports/load.sql -- a tenant's debt history, quickly.
-- psql variables: n (invoices), clients (buyers and suppliers).
--
-- Tenant 1.  Clients 'UAB Skola 1..clients' (buyer_supplier), each in one
-- of 20 groups.  n invoices over 2024-01-01 .. 2025-12-31, one in ten a
-- purchase, due 30 days after; 85 % paid in full 0-59 days after the
-- invoice date (one payment, one settlement each), 5 % half paid, the rest
-- open.  Tenant levels of payment reminders.  The documents are loaded as a
-- restore loads them (COPY with row_security off; the rows are written to
-- server-side files first, the bench runs as a superuser): they arrive with
-- their maintained columns
-- (settlement base parts, invoice.closed_on); the balance triggers still
-- build client_balance.
SET row_security = off;
SET client_registry.tenant = 1;
INSERT INTO client_registry.client (kind, name, company_code) VALUES ('own_company', 'UAB Bench', '110003978');
INSERT INTO client_registry.client (id, kind, name, sales_tax_category, purchase_tax_category, email)
SELECT 1000 + g, 'buyer_supplier', 'UAB Skola ' || g, 'PVM1', 'PVM1', 'buh' || g || '@skola.lt'
  FROM generate_series(1, :clients) g;
INSERT INTO client_registry.client_group (id, name) SELECT g, 'Grupė ' || g FROM generate_series(1, 20) g;
INSERT INTO client_registry.client_group_member (client_id, group_id)
SELECT 1000 + g, 1 + g % 20 FROM generate_series(1, :clients) g;
INSERT INTO client_registry.reminder_level (level, days_overdue, min_open_amount, fee, message)
VALUES (1, 7, 0, 0, 'friendly'), (2, 30, 10, 5, 'second'), (3, 60, 10, 15, 'final');

CREATE TEMP TABLE gen AS
SELECT g, 1000 + 1 + g % :clients AS client_id,
       CASE WHEN g % 10 = 0 THEN 'purchase' ELSE 'sale' END AS direction,
       date '2024-01-01' + (g::bigint * 730 / :n)::int AS invoice_date,
       (100 + g % 900)::numeric(15,2) AS gross,
       CASE WHEN g % 20 < 17 THEN 1.0 WHEN g % 20 = 17 THEN 0.5 ELSE 0 END AS paid_share,
       g % 60 AS pay_after
  FROM generate_series(1, :n) g;
COPY (SELECT g, 1, client_id, direction, 'B-' || g, 'posted', invoice_date, invoice_date + 30, gross, 0, gross, gross,
             'EUR', invoice_date::timestamptz, CASE WHEN paid_share = 1.0 THEN invoice_date + pay_after END
        FROM gen ORDER BY g) TO '/tmp/cr_bench_debt_invoices.tsv';
COPY client_registry.invoice (id, tenant_id, client_id, direction, number, status, invoice_date, due_date,
                              total_net, total_vat, total_gross, total_base, currency, posted_at, closed_on)
  FROM '/tmp/cr_bench_debt_invoices.tsv';
COPY (SELECT g, 1, client_id, CASE direction WHEN 'sale' THEN 'in' ELSE 'out' END, invoice_date + pay_after,
             round(gross * paid_share, 2), 'EUR', 1, round(gross * paid_share, 2), 'BANK-' || g
        FROM gen WHERE paid_share > 0 ORDER BY g) TO '/tmp/cr_bench_debt_payments.tsv';
COPY client_registry.payment (id, tenant_id, client_id, direction, payment_date, amount, currency, currency_rate,
                              amount_base, reference)
  FROM '/tmp/cr_bench_debt_payments.tsv';
COPY (SELECT g, 1, g, g, round(gross * paid_share, 2), invoice_date + pay_after, round(gross * paid_share, 2),
             round(gross * paid_share, 2), round(gross * paid_share, 2), 0
        FROM gen WHERE paid_share > 0 ORDER BY g) TO '/tmp/cr_bench_debt_settlements.tsv';
COPY client_registry.settlement (id, tenant_id, payment_id, invoice_id, amount, settlement_date, payment_amount,
                                 amount_base, payment_amount_base, exchange_difference)
  FROM '/tmp/cr_bench_debt_settlements.tsv';
SELECT setval(pg_get_serial_sequence('client_registry.invoice', 'id'), :n);
SELECT setval(pg_get_serial_sequence('client_registry.payment', 'id'), :n);
SELECT setval(pg_get_serial_sequence('client_registry.settlement', 'id'), :n);
DROP TABLE gen;
RESET row_security;
