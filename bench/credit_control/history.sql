-- bench/credit_control/history.sql -- posted history of one buyer, quickly.
-- psql variables: buyer (client id), n (invoices), prefix (number prefix).
--
-- Loaded as a restore loads it (0.4.0: a restore is COPY ... FROM with
-- row_security off, what pg_dump's scripts and pg_restore do): the invoices
-- arrive already posted with their totals and the counterparty as of the
-- invoice, one VAT line each.  The balance trigger still adds them to
-- client_balance (once per COPY statement); credit control does not refuse a
-- restore, and the limit is out of reach anyway.  The rows are written to a
-- server-side file first (the bench runs as a superuser), then COPY'd in.
SET row_security = off;
SET bench.buyer = :'buyer';
SET bench.prefix = :'prefix';
CREATE TEMP TABLE history_rows AS
SELECT nextval(pg_get_serial_sequence('client_registry.invoice', 'id')) AS id, g,
       100 + g % 900 AS net, round((100 + g % 900) * 0.21, 2) AS vat
  FROM generate_series(1, :n) g;
COPY (SELECT h.id, c.tenant_id, c.id, 'sale', current_setting('bench.prefix') || h.g, 'posted',
             date '2016-01-01' + h.g % 3650, date '2016-01-31' + h.g % 3650, h.net, h.vat, h.net + h.vat,
             h.net + h.vat, 'EUR', timestamptz '2016-01-01' + (h.g % 3650) * interval '1 day',
             c.name, c.company_code, c.vat_code, c.country
        FROM history_rows h, client_registry.client c
       WHERE c.id = current_setting('bench.buyer')::bigint ORDER BY h.id)
  TO '/tmp/cr_bench_history_invoices.tsv';
COPY client_registry.invoice (id, tenant_id, client_id, direction, number, status, invoice_date, due_date,
                              total_net, total_vat, total_gross, total_base, currency, posted_at,
                              counterparty_name, counterparty_company_code, counterparty_vat_code,
                              counterparty_country)
  FROM '/tmp/cr_bench_history_invoices.tsv';
COPY (SELECT c.tenant_id, h.id, h.net, 'PVM1', 21, h.vat
        FROM history_rows h, client_registry.client c
       WHERE c.id = current_setting('bench.buyer')::bigint ORDER BY h.id)
  TO '/tmp/cr_bench_history_lines.tsv';
COPY client_registry.invoice_vat_line (tenant_id, invoice_id, taxable_value, tax_code, vat_rate, vat_amount)
  FROM '/tmp/cr_bench_history_lines.tsv';
DROP TABLE history_rows;
RESET row_security;
