-- Loads :n posted sales invoices into tenant 1, dated evenly over the month starting :'month'
-- (ids in date order, as an application numbers them), :chunk per statement, as a restore loads
-- them (0.4.0: a restore is COPY ... FROM with row_security off: rows as given, the counterparty
-- snapshot included; the rows go through a server-side file, the bench runs as a superuser).
-- Shaped like a real month (0.4.0): one PVM1 line per invoice; every 20th invoice has a second
-- line without a rate (PVM5); every 50th is a credit note (KS) with two references to invoices
-- kept elsewhere.
SET search_path = client_registry, public;
SET row_security = off;
SELECT COALESCE(max(id), 0) AS base FROM invoice \gset
SELECT format($f$
  COPY (SELECT %1$s + g, 1, 2, 'sale', %4$L || g, 'posted',
               CASE WHEN g %% 50 = 0 THEN 'KS' ELSE 'SF' END,
               %2$L::date + ((g - 1) * (((%2$L::date + interval '1 month')::date - %2$L::date)) / %3$s)::int,
               100 + CASE WHEN g %% 20 = 0 THEN 15 ELSE 0 END, 21,
               121 + CASE WHEN g %% 20 = 0 THEN 15 ELSE 0 END, 121 + CASE WHEN g %% 20 = 0 THEN 15 ELSE 0 END,
               'UAB Pirkėjas ' || (g %% 1000), '188772433', 'LT119511515', 'LT', now()
          FROM generate_series(%5$s, %6$s) g) TO '/tmp/cr_bench_isaf_invoices.tsv';
  COPY invoice (id, tenant_id, client_id, direction, number, status, isaf_type, invoice_date,
                total_net, total_vat, total_gross, total_base, counterparty_name, counterparty_company_code,
                counterparty_vat_code, counterparty_country, posted_at)
    FROM '/tmp/cr_bench_isaf_invoices.tsv';
  COPY (SELECT 1, %1$s + g, 100, 'PVM1', 21, 21 FROM generate_series(%5$s, %6$s) g
        UNION ALL
        SELECT 1, %1$s + g, 15, 'PVM5', NULL, 0 FROM generate_series(%5$s, %6$s) g WHERE g %% 20 = 0)
    TO '/tmp/cr_bench_isaf_lines.tsv';
  COPY invoice_vat_line (tenant_id, invoice_id, taxable_value, tax_code, vat_rate, vat_amount)
    FROM '/tmp/cr_bench_isaf_lines.tsv';
  COPY (SELECT 1, %1$s + g, 'SF-OLD-' || g || '-' || r, date '2025-12-31'
          FROM generate_series(%5$s, %6$s) g, generate_series(1, 2) r WHERE g %% 50 = 0)
    TO '/tmp/cr_bench_isaf_refs.tsv';
  COPY invoice_reference (tenant_id, invoice_id, reference_no, reference_date)
    FROM '/tmp/cr_bench_isaf_refs.tsv'$f$,
              :base, :'month', :n, 'SF-' || :'month' || '-', s, least(s + :chunk - 1, :n))
  FROM generate_series(1, :n, :chunk) s \gexec
